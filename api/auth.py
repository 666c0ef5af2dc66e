"""API tokens: random, shown once, stored as SHA-256 hashes, one site and one role each."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

ROLES = ("coordinator", "courier")
_RANK = {"courier": 1, "coordinator": 2, "admin": 3}


def new_token() -> str:
    return "ob_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    role: str  # admin | coordinator | courier
    site_id: str | None  # None for the admin token: every site

    def sees(self, site_id: str) -> bool:
        return self.role == "admin" or self.site_id == site_id

    def may(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]
