"""API tokens: random, shown once, stored as SHA-256 hashes; one site and one role each, or, for a
district office, one district (every site the admin put in it, as a coordinator of each, or only to
look at: role `viewer`)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

ROLES = ("coordinator", "courier", "viewer")
"""The roles of a site's token; a district's token has the role `district`, or `viewer`."""
_RANK = {"viewer": 0, "courier": 1, "coordinator": 2, "district": 2, "admin": 3}
"""A viewer reads what a courier reads — the days, counts, plans, cards, map and roster — and
changes nothing: for a district's officials, a residents' committee or a volunteer's phone, who
need to see the day without the power to plan it or send counts."""


def new_token() -> str:
    return "ob_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    role: str  # admin | district | coordinator | courier | viewer
    site_id: str | None  # None for the admin and district tokens
    district: str | None = None
    """A district token's district (role `district`, or `viewer` for one that only looks)."""
    label: str | None = None
    """The token's label ("gate sorter", "Xuhui office"): who did what, in the compound's history."""
    token_id: int | None = None
    """The stored token's id (None for the admin token): a page marks the one it signed in with,
    so a coordinator does not take back the token in hand unawares."""
    district_sites: frozenset[str] = frozenset()
    """A district token's sites, read when the request came: a site the admin moves out of the
    district is out of sight from the next request on."""

    def sees(self, site_id: str) -> bool:
        if self.role == "admin":
            return True
        if self.district is not None:
            return site_id in self.district_sites
        return self.site_id == site_id

    def may(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]
