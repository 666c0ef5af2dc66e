"""A compound's history: who changed what, and when (`api.history` writes it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import EventRow
from api.deps import PrincipalDep, SessionDep, require
from api.errors import ERROR_RESPONSES, ROLES_ZH, prefers_chinese
from api.history import event_text, who_said
from api.routes.params import AcceptLanguage, Lang, SiteId, checked_date
from api.routes.sheets import SHEET_ROUTE, sheet_response
from api.schemas import HistoryEntry
from api.store import site_row

router = APIRouter(tags=["history"], responses=ERROR_RESPONSES)

DayQuery = Annotated[
    str | None,
    Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="the changes to this day, and those to every day"),
]


@router.get("/sites/{site_id}/history", response_model=list[HistoryEntry])
def site_history(
    site_id: SiteId,
    session: SessionDep,
    principal: PrincipalDep,
    date: DayQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    accept_language: AcceptLanguage = "",
) -> list[HistoryEntry]:
    """What was changed at the compound, newest first, by whom (the token's label) and when: the
    day's counts and waves, held-over parcels, plans asked for and taken back, buildings and zones
    sealed, the crews and vehicles, the map, tokens made and taken back. With `date`, the changes to
    that day and those that hold for every day (the map, the usual roster, tokens). `text` says it
    in a sentence, in Chinese for a client that asks."""
    rows = _events(session, principal, site_id, date, limit=limit, newest_first=True)
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


HISTORY_SHEET_MAX_ROWS = 100_000
_HISTORY_COLUMNS = {
    "en": ("at", "date", "who", "role", "action", "what"),
    "zh": ("时间", "日期", "谁", "角色", "改动类型", "改了什么"),
}


@router.get("/sites/{site_id}/history.csv", **SHEET_ROUTE)
def site_history_csv(
    site_id: SiteId,
    session: SessionDep,
    principal: PrincipalDep,
    date: DayQuery = None,
    lang: Lang = "zh",
) -> Response:
    """The compound's history as a sheet, oldest first, for its records once the lockdown lifts or
    a report upward: every change kept, not the page's last hundred. Times in UTC."""
    rows = _events(session, principal, site_id, date, limit=HISTORY_SHEET_MAX_ROWS, newest_first=False)
    chinese = lang == "zh"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_HISTORY_COLUMNS[lang])
    for row in rows:
        role = ROLES_ZH.get(row.role, row.role) if chinese else row.role
        at = row.at.replace(tzinfo=row.at.tzinfo or UTC).isoformat(timespec="seconds")
        writer.writerow(
            [at, row.date or "", who_said(row, chinese), role, row.action, event_text(row, chinese)]
        )
    return sheet_response(out.getvalue(), f"{site_id}-history.csv")


def _events(
    session: Session, principal: Principal, site_id: str, date: str | None, *, limit: int, newest_first: bool
) -> Sequence[EventRow]:
    """The compound's history lines, with `date` those of that day and of every day."""
    require(principal, site_id, "viewer")
    site_row(session, site_id)
    query = select(EventRow).where(EventRow.site_id == site_id)
    if date is not None:
        query = query.where(or_(EventRow.date == checked_date(date), EventRow.date.is_(None)))
    order = (EventRow.at.desc(), EventRow.id.desc()) if newest_first else (EventRow.at, EventRow.id)
    return session.scalars(query.order_by(*order).limit(limit)).all()
