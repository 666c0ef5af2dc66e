"""A compound's history: who changed what, and when (`api.history` writes it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import or_, select

from api.db.models import EventRow
from api.deps import PrincipalDep, SessionDep, require
from api.errors import ERROR_RESPONSES, prefers_chinese
from api.history import event_text, who_said
from api.routes.params import AcceptLanguage, SiteId, checked_date
from api.schemas import HistoryEntry
from api.store import site_row

router = APIRouter(tags=["history"], responses=ERROR_RESPONSES)


@router.get("/sites/{site_id}/history", response_model=list[HistoryEntry])
def site_history(
    site_id: SiteId,
    session: SessionDep,
    principal: PrincipalDep,
    date: Annotated[
        str | None,
        Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="the changes to this day, and those to every day"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    accept_language: AcceptLanguage = "",
) -> list[HistoryEntry]:
    """What was changed at the compound, newest first, by whom (the token's label) and when: the
    day's counts and waves, held-over parcels, plans asked for and taken back, buildings and zones
    sealed, the crews and vehicles, the map, tokens made and taken back. With `date`, the changes to
    that day and those that hold for every day (the map, the usual roster, tokens). `text` says it
    in a sentence, in Chinese for a client that asks."""
    require(principal, site_id, "viewer")
    site_row(session, site_id)
    query = select(EventRow).where(EventRow.site_id == site_id)
    if date is not None:
        query = query.where(or_(EventRow.date == checked_date(date), EventRow.date.is_(None)))
    rows = session.scalars(query.order_by(EventRow.at.desc(), EventRow.id.desc()).limit(limit))
    chinese = prefers_chinese(accept_language)
    return [
        HistoryEntry(
            at=row.at,
            date=row.date,
            who=who_said(row, chinese),
            role=row.role,
            action=row.action,
            detail=row.detail,
            text=event_text(row, chinese),
        )
        for row in rows
    ]
