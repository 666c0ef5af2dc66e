"""Plans: ask for one (a job), follow the job, read the plan or one shift of it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import JobRow, PlanRow, SiteRow
from api.deps import PrincipalDep, SessionDep, SettingsDep, require, require_role
from api.errors import ERROR_RESPONSES, ApiError, message_for, not_found
from api.held_over import hold_over, latest_plan_before
from api.history import record
from api.queue import (
    DISTRICT_PRESS,
    OWN_PLAN,
    ahead_of,
    cancel_job,
    cancel_waiting,
    frozen_inputs,
    new_job,
    own_plans_waiting,
    room,
    supersede_waiting,
)
from api.replanning import latest_plan_row, plan_in_use, replan_inputs
from api.routes.days import site_days, sites_seen
from api.routes.params import AcceptLanguage, DateText, SiteId, checked_date
from api.schemas import (
    JobOut,
    JobProgress,
    LeftBefore,
    PlanAllRequest,
    PlanRequest,
    PlansQueued,
    ShiftOut,
    SiteRefusal,
    WaitingCancelled,
)
from api.store import site_row
from optimizer.errors import OneBellError

router = APIRouter(tags=["plans"], responses=ERROR_RESPONSES)


def job_out(job: JobRow, accept_language: str, session: Session | None = None) -> JobOut:
    """The job as answered; with `session`, a waiting job's place in the queue too."""
    return JobOut(
        id=job.id,
        site=job.site_id,
        date=job.date,
        status=job.status,  # type: ignore[arg-type]
        ahead=ahead_of(session, job) if session is not None and job.status == "waiting" else None,
        plan_id=job.plan_id,
        error=job.error and message_for(job.error, job.error_zh, accept_language),
        progress=JobProgress(**(job.progress or {})),
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


@router.post("/sites/{site_id}/days/{date}/plans", response_model=JobOut, status_code=202)
def request_plan(
    site_id: SiteId,
    date: DateText,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    body: Annotated[PlanRequest | None, Body()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    accept_language: AcceptLanguage = "",
) -> JobOut:
    """Start a solve in a worker process; poll GET /jobs/{job_id}. When the queue is full
    (`ONEBELL_MAX_QUEUED_JOBS`) the job waits on the server and starts by itself as soon as there
    is room, ahead of a district's waiting plans, taking the day's inputs as they are then. A
    retried POST with the same Idempotency-Key returns the same job. With `replan`, the trips of
    the plan in use that departed by `replan.now` stay as they are and only the rest of the day is
    planned."""
    require(principal, site_id, "courier")
    checked_date(date)
    body = body or PlanRequest()
    if idempotency_key:
        earlier = session.scalar(
            select(JobRow).where(JobRow.site_id == site_id, JobRow.idempotency_key == idempotency_key)
        )
        if earlier is not None:
            return job_out(earlier, accept_language, session)
    row = site_row(session, site_id)
    inputs = frozen_inputs(session, row, date, body.policy)  # refused now, not failed later
    asked: dict[str, Any] = {"policy": body.policy}
    if body.replan is not None:
        in_use = plan_in_use(
            session, row, date, body.replan.plan_id, lambda plan_id: visible_plan(session, principal, plan_id)
        )
        inputs["replan"] = replan_inputs(session, row, date, in_use, body.replan.now, inputs)
        asked["replan"] = {"plan_id": in_use.id, "now": body.replan.now}
    starts = room(session, settings, OWN_PLAN) > 0 and not own_plans_waiting(session)
    job = new_job(
        site_id,
        date,
        inputs if starts else None,
        body.time_limit_s,
        settings,
        asked=asked,
        priority=OWN_PLAN,
        idempotency_key=idempotency_key,
    )
    session.add(job)
    replan_at = body.replan.now if body.replan is not None else None
    record(session, principal, site_id, "plan_asked", date=date, job=job.id, replan_at=replan_at)
    try:
        session.commit()
    except IntegrityError:  # the same key raced in from a parallel retry
        session.rollback()
        earlier = session.scalar(
            select(JobRow).where(JobRow.site_id == site_id, JobRow.idempotency_key == idempotency_key)
        )
        if earlier is None:
            raise
        return job_out(earlier, accept_language, session)
    supersede_waiting(session, job)
    if starts:
        request.app.state.runner.submit(job.id)
    else:
        request.app.state.backlog.wake()  # a job may have ended while this one was asked for
    return job_out(job, accept_language, session)


NEEDS_A_PLAN = ("not_planned", "outdated", "failed")
"""Day statuses a new plan answers. Not "undelivered": the same inputs make the same plan."""


@router.post("/days/{date}/plans", response_model=PlansQueued, status_code=202)
def plan_every_site(
    date: DateText,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    body: Annotated[PlanAllRequest | None, Body()] = None,
    accept_language: AcceptLanguage = "",
) -> PlansQueued:
    """A plan for every site the token sees whose day needs one — counts and no plan, a plan out
    of date, or a failed job (`GET /days/{date}` statuses not_planned, outdated, failed). As many as
    there are idle solver processes start now; the rest wait on the server and start one by one
    as those end, whether or not anyone is still looking, and a coordinator's own plan asked for
    meanwhile goes ahead of them. A district office's morning: hundreds of compounds, one request
    instead of one page each."""
    require_role(principal, "courier")
    checked_date(date)
    body = body or PlanAllRequest()
    days = site_days(session, date, sites_seen(principal), accept_language)
    needing = [day for day in days if day.status in NEEDS_A_PLAN]
    free = room(session, settings)
    queued: list[JobOut] = []
    waiting: list[JobOut] = []
    refused: list[SiteRefusal] = []
    added: dict[str, int] = {}
    for day in needing:
        site_id = day.site
        try:  # refused now, with the reason, rather than failed later
            left = day.left_before if body.held_over != "without" else None
            if left is not None and body.held_over is None:
                raise _held_over_waiting(left)
            row = site_row(session, site_id, lock=left is not None)
            earlier = latest_plan_before(session, site_id, date) if left is not None else None
            if earlier is not None:
                added[site_id] = hold_over(session, principal, row, date, earlier)
            inputs = frozen_inputs(session, row, date, body.policy)
        except (ApiError, OneBellError) as error:  # this site's inputs cannot be planned: the others can
            session.rollback()  # the leftovers added for it too: its day stays as it was
            added.pop(site_id, None)
            code = error.code if isinstance(error, ApiError) else "invalid"
            message = message_for(error.message, error.zh, accept_language)
            refused.append(SiteRefusal(site=site_id, code=code, message=message))
            continue
        starts = len(queued) < free
        job = new_job(
            site_id,
            date,
            inputs if starts else None,
            body.time_limit_s,
            settings,
            asked={"policy": body.policy},
            priority=DISTRICT_PRESS,
        )
        session.add(job)
        without = day.left_before.parcels if body.held_over == "without" and day.left_before else 0
        record(
            session,
            principal,
            site_id,
            "district_plans_asked",
            date=date,
            job=job.id,
            **({"without_held_over": without} if without else {}),
        )
        session.commit()
        if starts:
            request.app.state.runner.submit(job.id)
        (queued if starts else waiting).append(job_out(job, accept_language))
    if waiting:
        request.app.state.backlog.wake()  # a job may have ended while these were asked for
    return PlansQueued(date=date, queued=queued, waiting=waiting, refused=refused, held_over_added=added)


def _held_over_waiting(left: LeftBefore) -> ApiError:
    """A day whose gate holds leftovers its counts lack, planned by the district's one press: a
    plan made now would leave them at the gate another day, so it is asked how."""
    return ApiError(
        409,
        "held_over_waiting",
        f"{left.parcels} parcels left at the gate since {left.since} are not in this day's counts: add them "
        "first (on the compound's page, or with “Add the parcels left at the gate first” ticked when "
        "planning every compound), or take them off the day if they were sent back",
        zh=f"大门口还有 {left.since} 起留下的 {left.parcels} 件没加进这天的件数：请先加入（在小区页面上，"
        "或选“先加入大门口留下的件”再为所有小区排路线）；已退回的请从这天去掉",
    )


@router.delete("/days/{date}/plans", response_model=WaitingCancelled)
def cancel_waiting_plans(date: DateText, session: SessionDep, principal: PrincipalDep) -> WaitingCancelled:
    """Take back the one-press plans of `date` still waiting at the sites the token sees (a press
    on the wrong date, or the day is to be planned later): those not started yet are dropped, those
    queued or running finish. A compound's own plan waiting stays (`DELETE /jobs/{id}`)."""
    require_role(principal, "courier")
    checked_date(date)
    seen = sites_seen(principal, archived=True).with_only_columns(SiteRow.id).order_by(None)

    def noted(sites: list[str]) -> None:
        for site_id in sites:
            record(session, principal, site_id, "district_plans_taken_back", date=date)

    return WaitingCancelled(date=date, cancelled=cancel_waiting(session, date, seen, noted))


@router.delete("/jobs/{job_id}", status_code=204)
def cancel_one_job(job_id: str, session: SessionDep, principal: PrincipalDep) -> Response:
    """Take back a plan still waiting in the queue (asked for by mistake, or no longer wanted):
    its day is as it was before it was asked for. 409 once it has started."""
    job = session.get(JobRow, job_id)
    if job is None or not principal.sees(job.site_id):
        raise not_found(f"job {job_id!r}", f"排路线任务 {job_id}")
    require(principal, job.site_id, "courier")
    site_id, date = job.site_id, job.date
    cancel_job(
        session, job.id, lambda: record(session, principal, site_id, "plan_taken_back", date=date, job=job_id)
    )
    return Response(status_code=204)


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(
    job_id: str, session: SessionDep, principal: PrincipalDep, accept_language: AcceptLanguage = ""
) -> JobOut:
    job = session.get(JobRow, job_id)
    if job is None or not principal.sees(job.site_id):
        raise not_found(f"job {job_id!r}", f"排路线任务 {job_id}")
    return job_out(job, accept_language, session)


def visible_plan(session: Session, principal: Principal, plan_id: str) -> PlanRow:
    plan = session.get(PlanRow, plan_id)
    if plan is None or not principal.sees(plan.site_id):
        raise not_found(f"plan {plan_id!r}", f"路线计划 {plan_id}")
    return plan


@router.get("/plans/{plan_id}", response_model=dict[str, Any])
def get_plan(plan_id: str, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    plan = visible_plan(session, principal, plan_id)
    return {"id": plan.id, **plan.document}


@router.get("/sites/{site_id}/days/{date}/plans/latest", response_model=dict[str, Any])
def latest_plan(
    site_id: SiteId, date: DateText, session: SessionDep, principal: PrincipalDep
) -> dict[str, Any]:
    require(principal, site_id, "viewer")
    plan = latest_plan_row(session, site_id, date)
    if plan is None:
        raise not_found(f"a plan for {date} at site {site_id!r}", f"小区 {site_id} 在 {date} 的路线")
    return {"id": plan.id, **plan.document}


@router.get("/plans/{plan_id}/shifts/{shift_id}", response_model=ShiftOut)
def plan_shift(plan_id: str, shift_id: str, session: SessionDep, principal: PrincipalDep) -> ShiftOut:
    plan = visible_plan(session, principal, plan_id)
    for shift in plan.document["shifts"]:
        if shift["id"] == shift_id:
            return ShiftOut(plan_id=plan.id, site=plan.site_id, date=plan.date, shift=shift)
    raise not_found(f"shift {shift_id!r} in plan {plan_id!r}", f"路线计划 {plan_id} 里的班次 {shift_id}")
