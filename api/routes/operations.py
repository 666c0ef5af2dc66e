"""A compound's roster — shifts, crews, vehicles and stop settings — and a day's own roster over it.

The compound's roster is the usual day. Volunteers and vehicles change from day to day (a rider
falls ill, e-bikes join when tricycles run short), so a day may have its own roster, set for that
day alone: its plans use it, and the days after keep the usual one.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Response
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from api.db.models import CountRowRecord, DayOperationsRow, SiteRow
from api.deps import PrincipalDep, SessionDep, require
from api.errors import ERROR_RESPONSES, ApiError, not_found
from api.history import record
from api.routes.days import SITES, site_days
from api.routes.params import DateText, SiteId, checked_date
from api.schemas import OperationsRead, ShiftCrewsOut
from api.store import check_operations_tag, day_roster, document_tag, site_row
from optimizer.operations import Operations, parse_operations
from optimizer.problem import shift_crews

router = APIRouter(tags=["operations"], responses=ERROR_RESPONSES)

OperationsIfMatch = Annotated[
    str | None,
    Header(
        description="the operations' ETag as last read: the write is refused (412 "
        "operations_changed) if someone else changed them since"
    ),
]
OperationsIfNoneMatch = Annotated[
    str | None,
    Header(
        description="\"*\": only if there are none yet — the site's first roster, or a day's first of "
        "its own (made from the usual one) — else 412 operations_changed"
    ),
]
OperationsBody = Annotated[
    dict[str, Any], Body(description="shifts, fleet, stop and gate settings (docs/formats.md)")
]


@router.put("/sites/{site_id}/operations", response_model=dict[str, Any])
def put_operations(
    site_id: SiteId,
    session: SessionDep,
    principal: PrincipalDep,
    document: OperationsBody,
    response: Response,
    if_match: OperationsIfMatch = None,
    if_none_match: OperationsIfNoneMatch = None,
) -> dict[str, Any]:
    """The site's usual roster, fleet and settings, replaced whole; every day without a roster of
    its own is planned with it. The ETag answered is the new one. Refused if a day still to plan
    on the usual roster has counts naming a shift it does not have."""
    require(principal, site_id, "coordinator")
    row = site_row(session, site_id, lock=True)
    check_operations_tag(if_match, row.operations, first=if_none_match == "*")
    _check_days_to_plan_fit(session, row, parse_operations(document))
    if row.operations != document:  # the same roster sent again outdates no plan
        row.operations, row.updated_at = document, datetime.now(UTC)
        record(session, principal, site_id, "roster_changed", day=False)
    session.commit()
    response.headers["ETag"] = document_tag(document)
    return document


@router.post("/sites/{site_id}/operations/read", response_model=OperationsRead)
def read_operations(
    site_id: SiteId,
    session: SessionDep,
    principal: PrincipalDep,
    document: Annotated[dict[str, Any], Body(description="operations, as PUT would take them")],
) -> OperationsRead:
    """Check operations and say which crews each shift fields from them (those that move the most
    parcels between them, `problem._fielded`), storing nothing: the page shows it as the
    coordinator types, so an idle rider or a designated pair left without riders shows before
    planning."""
    require(principal, site_id, "courier")
    site_row(session, site_id)
    shifts = shift_crews(parse_operations(document))
    return OperationsRead(shifts=[ShiftCrewsOut(**dataclasses.asdict(s)) for s in shifts])


@router.get("/sites/{site_id}/operations", response_model=dict[str, Any])
def get_operations(
    site_id: SiteId, session: SessionDep, principal: PrincipalDep, response: Response
) -> dict[str, Any]:
    """The site's usual operations; the ETag header is their tag, to send back as If-Match with a
    change (the coordinator's page edits the crews and vehicles while someone else may too)."""
    require(principal, site_id, "viewer")
    row = site_row(session, site_id)
    if row.operations is None:
        raise not_found(f"operations of site {site_id!r}", f"小区 {site_id} 的班次和车辆")
    response.headers["ETag"] = document_tag(row.operations)
    return row.operations


@router.get("/sites/{site_id}/days/{date}/operations", response_model=dict[str, Any])
def get_day_operations(
    site_id: SiteId, date: DateText, session: SessionDep, principal: PrincipalDep, response: Response
) -> dict[str, Any]:
    """The day's own roster, with its ETag; 404 when the day has none and the compound's usual
    roster (GET /sites/{site_id}/operations) applies."""
    require(principal, site_id, "viewer")
    site_row(session, site_id)
    own = day_roster(session, site_id, checked_date(date))
    if own is None or own.operations is None:
        raise not_found(
            f"a roster of site {site_id!r} for {date} alone (the day uses the usual roster, "
            f"GET /sites/{site_id}/operations)",
            f"小区 {site_id} 在 {date} 单独的班表（这一天用常用的班表）",
        )
    response.headers["ETag"] = document_tag(own.operations)
    return own.operations


@router.put("/sites/{site_id}/days/{date}/operations", response_model=dict[str, Any])
def put_day_operations(
    site_id: SiteId,
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    document: OperationsBody,
    response: Response,
    if_match: OperationsIfMatch = None,
    if_none_match: OperationsIfNoneMatch = None,
) -> dict[str, Any]:
    """The day's own roster, replaced whole: this day's plans use it, the compound's usual roster
    stays as it is for the other days. Refused if the day's counts name a shift it does not have."""
    require(principal, site_id, "coordinator")
    row = site_row(session, site_id, lock=True)
    own = day_roster(session, site_id, checked_date(date))
    stored = None if own is None else own.operations
    check_operations_tag(if_match, stored, first=if_none_match == "*")
    _check_counts_fit(session, row, date, parse_operations(document))
    if own is None:
        session.add(DayOperationsRow(site_id=site_id, date=date, operations=document))
    elif stored != document:  # the same roster sent again outdates no plan
        own.operations, own.updated_at = document, datetime.now(UTC)
    if stored != document:
        record(session, principal, site_id, "roster_changed", date=date, day=True)
    session.commit()
    response.headers["ETag"] = document_tag(document)
    return document


@router.delete("/sites/{site_id}/days/{date}/operations", status_code=204)
def delete_day_operations(
    site_id: SiteId,
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: OperationsIfMatch = None,
) -> Response:
    """The day goes back to the compound's usual roster (a plan made with its own is then out of
    date). Refused if the day's counts name a shift the usual roster does not have."""
    require(principal, site_id, "coordinator")
    row = site_row(session, site_id, lock=True)
    own = day_roster(session, site_id, checked_date(date))
    if own is not None and own.operations is not None:
        check_operations_tag(if_match, own.operations)
        if row.operations is not None:
            _check_counts_fit(session, row, date, parse_operations(row.operations, accepted=True))
        own.operations, own.updated_at = None, datetime.now(UTC)
        record(session, principal, site_id, "day_roster_removed", date=date)
        session.commit()
    return Response(status_code=204)


def _check_days_to_plan_fit(session: Session, row: SiteRow, operations: Operations) -> None:
    """Refuse a usual roster without a shift that the counts of a day still to plan on it name
    (no plan yet, or one out of date): those counts were accepted and must stay plannable. Days
    with their own roster, and days planned already (history), do not hold a change back."""
    own = DayOperationsRow
    days_with_their_own = select(own.date).where(own.site_id == row.id, own.operations.is_not(None))
    missing = _counts_without_shifts(
        session, row, operations, CountRowRecord.date.not_in(days_with_their_own)
    )
    for date, (building, shift) in missing.items():
        [day] = site_days(session, date, SITES.where(SiteRow.id == row.id), "")
        if day.status in ("not_planned", "outdated", "failed", "planning"):
            raise ApiError(
                422,
                "invalid",
                f"this roster has no shift {shift!r}, which the counts of {date} (not planned yet) give "
                f"building {building}; keep the shift, give that day a roster of its own, or change "
                "those counts first",
                field="shifts",
                zh=f"这个班表没有班次「{shift}」，而 {date}（还没排路线）的件数里楼 {building} 用了它；"
                "请保留这个班次，或给那一天单独设班表，或先改那些件数",
            )


def _check_counts_fit(session: Session, row: SiteRow, date: str, operations: Operations) -> None:
    """Refuse a roster for `date` without a shift the day's stored counts send parcels with: the
    counts were accepted against the roster they were posted under, and must stay plannable."""
    found = _counts_without_shifts(session, row, operations, CountRowRecord.date == date).get(date)
    if found is not None:
        building, shift = found
        raise ApiError(
            422,
            "invalid",
            f"this roster has no shift {shift!r}, which the counts of {date} give building "
            f"{building}; keep the shift, or change those counts first",
            field="shifts",
            zh=f"这个班表没有班次「{shift}」，而 {date} 的件数里楼 {building} 用了它；"
            "请保留这个班次，或先改那些件数",
        )


def _counts_without_shifts(
    session: Session, row: SiteRow, operations: Operations, days: ColumnElement[bool]
) -> dict[str, tuple[str, str | None]]:
    """Per day of `days` (the newest first), the first stored count naming a shift `operations`
    do not have: its building and shift."""
    c = CountRowRecord
    rows = session.execute(
        select(c.date, c.building, c.shift)
        .where(
            c.site_id == row.id,
            c.shift.is_not(None),
            c.shift.not_in([shift.id for shift in operations.shifts]),
            days,
        )
        .order_by(c.date.desc(), c.position)
    )
    first: dict[str, tuple[str, str | None]] = {}
    for date, building, shift in rows:
        first.setdefault(date, (building, shift))
    return first
