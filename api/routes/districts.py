"""Districts: the admin puts compounds into a district and gives its office a token that sees those
compounds — their day overview, plans and one-press planning — and acts as their coordinator,
without the admin token's reach over every district of the server."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from api.auth import hash_token, new_token
from api.db.models import TokenRow
from api.deps import PrincipalDep, SessionDep, require_admin
from api.errors import ERROR_RESPONSES, not_found
from api.routes.params import DistrictId, SiteId, TokenId
from api.routes.sites import revoke, site_summary, token_out
from api.schemas import DistrictTokenCreate, SiteDistrict, SiteSummary, TokenCreated, TokenOut
from api.store import site_row

router = APIRouter(tags=["districts"], responses=ERROR_RESPONSES)


@router.put("/sites/{site_id}/district", response_model=SiteSummary)
def set_district(
    site_id: SiteId, body: SiteDistrict, session: SessionDep, principal: PrincipalDep
) -> SiteSummary:
    """Which district's office sees the site (`null`: none). Admin only: a compound's coordinator
    could otherwise take the compound out of its office's sight. No plan goes out of date."""
    require_admin(principal)
    row = site_row(session, site_id)
    row.district = body.district
    session.commit()
    return site_summary(row)


@router.post("/districts/{district}/tokens", response_model=TokenCreated, status_code=201)
def create_district_token(
    district: DistrictId, body: DistrictTokenCreate, session: SessionDep, principal: PrincipalDep
) -> TokenCreated:
    """A token for the district's office (role `district`). It sees the district's sites as they
    are at each request, so compounds put in later need no new token."""
    require_admin(principal)
    token = new_token()
    row = TokenRow(
        site_id=None, district=district, role="district", label=body.label, token_hash=hash_token(token)
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
        raise not_found(f"token {token_id} of district {district!r}")
    return revoke(session, row)
