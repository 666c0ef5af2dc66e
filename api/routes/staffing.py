"""How many riders for this day? The day's counts planned shift by shift with more and more crews
(`optimizer.staffing`, `onebell staffing` on the server), in a planning worker."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import StaffingRunRow
from api.deps import PrincipalDep, SessionDep, SettingsDep, require
from api.errors import ERROR_RESPONSES, ApiError, message_for, not_found
from api.queue import OWN_PLAN, frozen_inputs, room
from api.routes.params import AcceptLanguage, DateText, SiteId, checked_date
from api.schemas import StaffingOut, StaffingRequest, StaffingRowOut
from api.store import site_row
from optimizer.operations import POLICIES, parse_operations

router = APIRouter(tags=["staffing"], responses=ERROR_RESPONSES)


def staffing_out(run: StaffingRunRow, accept_language: str) -> StaffingOut:
    return StaffingOut(
        id=run.id,
        site=run.site_id,
        date=run.date,
        status=run.status,  # type: ignore[arg-type]
        policies=run.policies,
        try_s=run.try_s,
        rows=[StaffingRowOut(**row) for row in run.rows],
        error=run.error and message_for(run.error, run.error_zh, accept_language),
        created_at=run.created_at,
        finished_at=run.finished_at,
    )


@router.post("/sites/{site_id}/days/{date}/staffing", response_model=StaffingOut, status_code=202)
def ask_staffing(
    site_id: SiteId,
    date: DateText,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    body: Annotated[StaffingRequest | None, Body()] = None,
    accept_language: AcceptLanguage = "",
) -> StaffingOut:
    """The fewest riders each shift needs to send out every parcel arriving for it, and where the
    whole fleet cannot, how many more of its busiest vehicle would; poll GET /staffing/{id}, whose
    rows fill in shift by shift. The day's counts and roster as they are now; nothing of the day
    changes. It takes a solver process as a plan does, for a few tries of `try_s` a shift: refused
    while the queue is full, and while this compound's last one is still running."""
    require(principal, site_id, "courier")
    checked_date(date)
    body = body or StaffingRequest()
    row = site_row(session, site_id)
    inputs = frozen_inputs(session, row, date, None)  # refused now, as a plan of the day would be
    if body.policy == "both":
        policies = list(POLICIES)
    else:
        policies = [body.policy or parse_operations(inputs["operations"], accepted=True).stop.policy]
    running = _unfinished(session, site_id)
    if running is not None:
        raise ApiError(
            409,
            "staffing_running",
            f"the riders needed for {running.date} are still being worked out (staffing {running.id}); "
            "ask again once it has ended",
            zh=f"{running.date} 需要几名骑手还在计算中，算完后再问",
        )
    if room(session, settings, OWN_PLAN) <= 0:
        raise ApiError(
            409,
            "queue_full",
            "every solver process has plans to make; ask for the riders needed again once they end",
            zh="正在排的路线已满，等这些路线排完再算需要几名骑手",
        )
    run = StaffingRunRow(
        id=str(uuid.uuid4()),
        site_id=site_id,
        date=date,
        status="queued",
        policies=policies,
        try_s=body.try_s,
        snapshot=inputs,
        rows=[],
    )
    session.add(run)
    session.commit()
    request.app.state.runner.submit_staffing(run.id)
    return staffing_out(run, accept_language)


@router.get("/staffing/{run_id}", response_model=StaffingOut)
def get_staffing(
    run_id: str, session: SessionDep, principal: PrincipalDep, accept_language: AcceptLanguage = ""
) -> StaffingOut:
    run = session.get(StaffingRunRow, run_id)
    if run is None or not principal.sees(run.site_id):
        raise not_found(f"staffing {run_id!r}", f"骑手测算 {run_id}")
    return staffing_out(run, accept_language)


@router.get("/sites/{site_id}/days/{date}/staffing/latest", response_model=StaffingOut)
def latest_staffing(
    site_id: SiteId,
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    accept_language: AcceptLanguage = "",
) -> StaffingOut:
    """The day's last staffing run, ended or not: what a page opened again shows."""
    require(principal, site_id, "viewer")
    run = session.scalar(
        select(StaffingRunRow)
        .where(StaffingRunRow.site_id == site_id, StaffingRunRow.date == date)
        .order_by(StaffingRunRow.created_at.desc())
        .limit(1)
    )
    if run is None:
        raise not_found(
            f"a staffing run for {date} at site {site_id!r}", f"小区 {site_id} 在 {date} 的骑手测算"
        )
    return staffing_out(run, accept_language)


def _unfinished(session: Session, site_id: str) -> StaffingRunRow | None:
    return session.scalar(
        select(StaffingRunRow)
        .where(StaffingRunRow.site_id == site_id, StaffingRunRow.status.in_(("queued", "running")))
        .limit(1)
    )
