"""What earlier days left at a compound's gate, as the server stores it: the plans it follows
back, the leftovers carried on from days planned without them, the set-asides, and adding them to
a day's counts. Shared by the counts routes (the page's note and button) and the district's one
press, which adds them before planning.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import CountRowRecord, HeldSetAsideRow, PlanRow, SiteRow
from api.errors import ApiError
from api.history import record
from api.store import FORGOTTEN_DAYS, day_trip_reports, save_counts
from optimizer.day import CountRow, Day
from optimizer.errors import PlanError
from optimizer.held_over import HeldOver, held_over
from optimizer.returns import returned_rows


def latest_plan_before(session: Session, site_id: str, date: str) -> PlanRow | None:
    """The latest plan of the most recent earlier day that has one: the day the gate's leftovers
    come from."""
    return session.scalar(
        select(PlanRow)
        .where(PlanRow.site_id == site_id, PlanRow.date < date)
        .order_by(PlanRow.date.desc(), PlanRow.created_at.desc())
        .limit(1)
    )


def carried_over(
    session: Session,
    site_id: str,
    date: str,
    plan: PlanRow,
    days_back: int = FORGOTTEN_DAYS,
    *,
    planned_by: PlanRow | None = None,
) -> HeldOver:
    """The earlier plan's leftovers and its day's trips' returns beside the day's stored counts,
    with what the plan's own day was planned without of the leftovers before it (not set aside):
    still at the gate, so a later day carries them on. `planned_by`: compare with the held-over
    rows of the counts that plan of the day was made from instead — what went out that day, even
    where its counts took the leftovers in after it was planned (a plan stored without its counts
    is compared with the counts stored)."""
    day = _planned_held_rows(planned_by) if planned_by is not None else None
    if day is None:
        day = stored_day(session, site_id, date)
    returned = returned_rows(day_trip_reports(session, site_id, plan.date), held_from=plan.date)
    forgotten: tuple[CountRow, ...] = ()
    before = latest_plan_before(session, site_id, plan.date) if days_back > 1 else None
    if before is not None and not set_aside(session, site_id, plan.date, before):
        forgotten = carried_over(
            session, site_id, plan.date, before, days_back - 1, planned_by=plan
        ).not_in_counts
    try:
        return held_over(day, plan.document, returned, forgotten)
    except PlanError as error:
        raise ApiError(
            422, "invalid", error.message, field="plan_id", zh=error.zh or error.message
        ) from error


def hold_over(session: Session, principal: Principal, row: SiteRow, date: str, plan: PlanRow) -> int:
    """Add what `plan`'s day left at the gate (and carried on) to the site's counts of `date`,
    replacing rows held over from the same days, and note it in the site's history; uncommitted,
    so a caller that then cannot plan the day can take it back. The parcels the day now holds over."""
    carried = carried_over(session, row.id, date, plan)
    merged = carried.day
    save_counts(session, row, date, merged, replace=True)
    forget_set_aside(session, row.id, date)
    held = sum(count.parcels for count in merged.rows if count.held_from is not None)
    back = sum(r.parcels for r in carried.returned)
    record(
        session,
        principal,
        row.id,
        "held_over_added",
        date=date,
        parcels=held,
        returned=back,
        **{"from": plan.date},
    )
    return held


def set_aside(session: Session, site_id: str, date: str, plan: PlanRow) -> bool:
    """The day's leftovers from `plan` were taken off it on purpose (the DELETE)."""
    found = session.get(HeldSetAsideRow, (site_id, date))
    return found is not None and found.plan_id == plan.id


def forget_set_aside(session: Session, site_id: str, date: str) -> None:
    found = session.get(HeldSetAsideRow, (site_id, date))
    if found is not None:
        session.delete(found)
        session.flush()


def _planned_held_rows(plan: PlanRow) -> Day | None:
    """The held-over rows of the counts the plan was made from (its snapshot's, checked when they
    were stored); None for a plan stored without them."""
    counts = plan.snapshot.get("counts")
    if not isinstance(counts, list):
        return None
    rows = (
        CountRow(
            str(c["building"]), int(c["parcels"]), urgent=int(c.get("urgent") or 0), held_from=c["held_from"]
        )
        for c in counts
        if c.get("held_from")
    )
    return Day(date=plan.date, rows=tuple(rows))


def stored_day(session: Session, site_id: str, date: str) -> Day:
    """The day's counts as stored (checked when they were), read as plain columns straight into
    count rows: no document to write and parse again, as a day's counts are read for every
    compound the district's one press adds leftovers to."""
    c = CountRowRecord
    stored = session.execute(
        select(c.building, c.parcels, c.shift, c.urgent, c.arrived_s, c.held_from, c.back_s)
        .where(c.site_id == site_id, c.date == date)
        .order_by(c.position)
    )
    rows = (
        CountRow(
            building,
            parcels,
            shift=shift,
            urgent=urgent,
            line=number,
            arrived_s=arrived_s,
            held_from=held_from,
            back_s=back_s,
        )
        for number, (building, parcels, shift, urgent, arrived_s, held_from, back_s) in enumerate(
            stored, start=1
        )
    )
    return Day(date=date, rows=tuple(rows))
