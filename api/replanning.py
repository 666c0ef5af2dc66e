"""A re-plan's inputs: the plan in use and the trips of it that departed by `now`, checked before
any job runs, so a re-plan that cannot work is refused with what to fix. Shared by a request that
starts at once and a waiting one that starts later (`api.queue`), which finds the same plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import PlanRow, SiteRow
from api.errors import ApiError
from api.store import domain_operations, snapshot_day
from optimizer.errors import DayError, PlanError
from optimizer.replan import frozen_part, parse_now, remaining_day


def latest_plan_row(session: Session, site_id: str, date: str) -> PlanRow | None:
    return session.scalar(
        select(PlanRow)
        .where(PlanRow.site_id == site_id, PlanRow.date == date)
        .order_by(PlanRow.created_at.desc())
        .limit(1)
    )


def plan_in_use(
    session: Session, row: SiteRow, date: str, plan_id: str | None, find: Callable[[str], PlanRow]
) -> PlanRow:
    """The plan named, found by `find` (which answers 404 for a plan the asker may not see), or
    the day's latest."""
    if plan_id is None:
        latest = latest_plan_row(session, row.id, date)
        if latest is None:
            raise ApiError(
                409,
                "no_plan",
                f"there is no plan for {date} at site {row.id!r} to keep trips from; plan the day first",
                zh=f"{date} 还没有路线，无法保留已出发的车；请先排当天的路线",
            )
        return latest
    in_use = find(plan_id)
    if (in_use.site_id, in_use.date) != (row.id, date):
        raise ApiError(
            422,
            "invalid",
            f"plan {in_use.id!r} is for site {in_use.site_id!r} on {in_use.date}, not {row.id!r} on {date}",
            field="replan.plan_id",
            zh=f"路线计划 {in_use.id} 是小区 {in_use.site_id} 在 {in_use.date} 的，不是 {row.id} 在 {date} 的",
        )
    return in_use


def replan_inputs(
    session: Session, row: SiteRow, date: str, in_use: PlanRow, now: str, inputs: dict[str, Any]
) -> dict[str, Any]:
    """What a job's inputs carry for a re-plan. The plan goes in whole, so the job never depends
    on a row that might change."""
    operations = domain_operations(session, row, date)
    try:
        now_s = parse_now(now, operations)
        frozen = frozen_part(in_use.document, site_id=row.id, date=date, operations=operations, now_s=now_s)
    except PlanError as error:
        raise ApiError(
            422,
            "invalid",
            error.message,
            field="replan.now" if error.field == "now" else "replan.plan_id",
            zh=error.zh,
        ) from error
    try:
        remaining_day(snapshot_day(inputs), frozen, operations)
    except DayError as error:
        raise ApiError(409, "counts_short", error.message, field="counts", zh=error.zh) from error
    return {"plan_id": in_use.id, "now": now, "plan": in_use.document}
