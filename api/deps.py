"""Request dependencies: database session, settings, and who is calling."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal, hash_token
from api.config import Settings, get_settings
from api.db.models import SiteRow, TokenRow
from api.errors import ApiError, forbidden, not_found

_bearer = HTTPBearer(auto_error=False, description="A site token, a district token, or the admin token")


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_principal(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(
            401,
            "unauthorized",
            "send a token as 'Authorization: Bearer <token>'",
            zh="请带上令牌（Authorization: Bearer <令牌>）",
        )
    token = credentials.credentials
    if settings.admin_token and secrets.compare_digest(token.encode(), settings.admin_token.encode()):
        return Principal(role="admin", site_id=None)
    row = session.scalar(select(TokenRow).where(TokenRow.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise ApiError(401, "unauthorized", "unknown or revoked token", zh="令牌不对，或已被收回")
    if row.district is not None:
        sites = session.scalars(select(SiteRow.id).where(SiteRow.district == row.district))
        return Principal(
            role=row.role,
            site_id=None,
            district=row.district,
            district_sites=frozenset(sites),
            token_id=row.id,
            label=row.label,
        )
    return Principal(role=row.role, site_id=row.site_id, token_id=row.id, label=row.label)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_admin(principal: Principal) -> None:
    if principal.role != "admin":
        raise forbidden(principal.role, "admin")


def seen_sites(principal: Principal) -> Any:
    """A condition on `SiteRow` for the sites the token sees, or None for every site (admin)."""
    if principal.role == "admin":
        return None
    if principal.district is not None:
        return SiteRow.district == principal.district
    return SiteRow.id == principal.site_id


def require_role(principal: Principal, role: str) -> None:
    """403 for a role too low, for what acts on every site the token sees (a district's press)."""
    if not principal.may(role):
        raise forbidden(principal.role, role)


def require(principal: Principal, site_id: str, role: str) -> None:
    """404 for another site's data (site ids are not to be probed), 403 for a role too low."""
    if not principal.sees(site_id):
        raise not_found(f"site {site_id!r}", f"小区 {site_id}")
    require_role(principal, role)
