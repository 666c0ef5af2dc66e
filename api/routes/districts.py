"""Districts: the admin puts compounds into a district and gives its office a token that sees those
compounds — their day overview, plans and one-press planning — and acts as their coordinator,
without the admin token's reach over every district of the server."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.auth import hash_token, new_token
from api.db.models import SiteRow, TokenRow
from api.deps import PrincipalDep, SessionDep, require_admin
from api.errors import ERROR_RESPONSES, not_found
from api.history import record
from api.routes.params import DistrictId, SiteId, TokenId
from api.routes.sites import revoke, site_summary, token_out
from api.schemas import (
    DistrictOut,
    DistrictTokenCreate,
    SiteDistrict,
    SiteSummary,
    TokenCreated,
    TokenOut,
)
from api.store import site_row

router = APIRouter(tags=["districts"], responses=ERROR_RESPONSES)


@router.get("/districts", response_model=list[DistrictOut])
def list_districts(session: SessionDep, principal: PrincipalDep) -> list[DistrictOut]:
    """Every district on the server — named by a compound put in it or by a token made for it —
    with its compounds and live tokens: which offices are set up, and which have compounds but no
    way in yet (or a token but no compounds). Admin only."""
    require_admin(principal)
    sites = _per_district(session, SiteRow.district)
    live = TokenRow.revoked_at.is_(None)
    offices = _per_district(session, TokenRow.district, live, TokenRow.role == "district")
    viewers = _per_district(session, TokenRow.district, live, TokenRow.role == "viewer")
    named = {*sites, *_per_district(session, TokenRow.district)}  # a revoked token still names one
    return [
        DistrictOut(district=d, sites=sites.get(d, 0), tokens=offices.get(d, 0), viewers=viewers.get(d, 0))
        for d in sorted(named)
    ]


def _per_district(
    session: Session, district: InstrumentedAttribute[str | None], *where: ColumnElement[bool]
) -> dict[str, int]:
    """How many rows (of the table `district` is a column of) each district has."""
    rows = session.execute(
        select(district, func.count()).where(district.is_not(None), *where).group_by(district)
    )
    return {name: count for name, count in rows if name is not None}


@router.put("/sites/{site_id}/district", response_model=SiteSummary)
def set_district(
    site_id: SiteId, body: SiteDistrict, session: SessionDep, principal: PrincipalDep
) -> SiteSummary:
    """Which district's office sees the site (`null`: none). Admin only: a compound's coordinator
    could otherwise take the compound out of its office's sight. No plan goes out of date."""
    require_admin(principal)
    row = site_row(session, site_id)
    if row.district != body.district:
        row.district = body.district
        record(session, principal, site_id, "district_set", district=body.district)
    session.commit()
    return site_summary(row)


@router.post("/districts/{district}/tokens", response_model=TokenCreated, status_code=201)
def create_district_token(
    district: DistrictId, body: DistrictTokenCreate, session: SessionDep, principal: PrincipalDep
) -> TokenCreated:
    """A token for the district's office (role `district`), or for someone who only looks (role
    `viewer`). It sees the district's sites as they are at each request, so compounds put in later
    need no new token."""
    require_admin(principal)
    token = new_token()
    row = TokenRow(
        site_id=None, district=district, role=body.role, label=body.label, token_hash=hash_token(token)
    )
    session.add(row)
    session.commit()
    return TokenCreated(token=token, **token_out(row))


@router.get("/districts/{district}/tokens", response_model=list[TokenOut])
def list_district_tokens(
    district: DistrictId, session: SessionDep, principal: PrincipalDep
) -> list[TokenOut]:
    require_admin(principal)
    rows = session.scalars(select(TokenRow).where(TokenRow.district == district).order_by(TokenRow.id))
    return [TokenOut(**token_out(row)) for row in rows]


@router.delete("/districts/{district}/tokens/{token_id}", response_model=TokenOut)
def revoke_district_token(
    district: DistrictId, token_id: TokenId, session: SessionDep, principal: PrincipalDep
) -> TokenOut:
    require_admin(principal)
    row = session.get(TokenRow, token_id)
    if row is None or row.district != district:
        raise not_found(f"token {token_id} of district {district!r}", f"街道 {district} 的令牌 {token_id}")
    return revoke(session, row)
