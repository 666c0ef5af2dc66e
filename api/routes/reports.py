"""Trips back at the gate: the sorter says which trip came back and what it brought back
(`optimizer.returns`), and the day keeps it for the next day's held-over parcels."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import PlanRow, TripReportRow, now
from api.deps import PrincipalDep, SessionDep, require
from api.errors import ERROR_RESPONSES, ApiError, message_for, not_found
from api.history import record
from api.routes.params import AcceptLanguage, DateText, Lang, SiteId, checked_date
from api.routes.plans import visible_plan
from api.schemas import CountsOut, ReturnedOut, StopTimesOut, TripReportIn, TripReportOut
from api.store import day_report_rows, day_roster, domain_operations, save_counts, site_row, tagged_counts
from optimizer.cards.notices import returned_notices_text
from optimizer.day import Day
from optimizer.names import crew_said_zh
from optimizer.operations import parse_operations
from optimizer.returns import REASONS, TripReport, returned_rows, trip_report
from optimizer.site import parse_site
from optimizer.trip_times import MIN_TRIPS, door_crews, stop_times

router = APIRouter(tags=["reports"], responses=ERROR_RESPONSES)

CrewId = Annotated[str, Path(min_length=1, max_length=100, description="the crew's id, as the plan gives it")]
TripNumber = Annotated[int, Path(ge=1, le=1000, description="1-based, as on the crew's route card")]


@router.put("/plans/{plan_id}/crews/{crew_id}/trips/{trip}/report", response_model=TripReportOut)
def report_trip(
    plan_id: str,
    crew_id: CrewId,
    trip: TripNumber,
    body: TripReportIn,
    session: SessionDep,
    principal: PrincipalDep,
    accept_language: AcceptLanguage = "",
) -> TripReportOut:
    """The trip is back at the gate, with what it brought back (nothing: all delivered). Sent
    again, it replaces the trip's report: one report a trip, kept by the crew and the trip's
    departure, so it holds for a re-plan that keeps the trip as it was. Parcels brought back
    for any reason but `refused` join the next day's held-over parcels
    (`POST /sites/{site}/days/{date}/counts/held-over`)."""
    plan = visible_plan(session, principal, plan_id)
    require(principal, plan.site_id, "courier")
    site_row(session, plan.site_id, lock=True)
    report = trip_report(
        plan.document, crew_id, trip, [item.model_dump() for item in body.returned], back_at=body.back_at
    )
    row = _report_row(session, plan.site_id, plan.date, report.crew, report.depart)
    _not_another_trip(session, row, plan, report.crew, report.trip, report.depart)
    _unchanged_since_sent(row, report.crew, report.trip)
    if row is None:
        row = TripReportRow(site_id=plan.site_id, date=plan.date, crew=report.crew, depart=report.depart)
        session.add(row)
    row.plan_id = plan.id
    row.report = report.to_dict()
    row.returned = report.returned_parcels
    row.again = report.again_parcels
    row.late_s = report.late_s
    row.reported_by = principal.label or principal.role
    row.reported_at = now()
    record(
        session,
        principal,
        plan.site_id,
        "trip_reported",
        date=plan.date,
        crew=report.crew,
        trip=report.trip,
        depart=report.depart,
        returned=row.returned,
        again=row.again,
    )
    session.commit()
    return report_out(row, accept_language)


@router.delete("/plans/{plan_id}/crews/{crew_id}/trips/{trip}/report", status_code=204)
def withdraw_report(
    plan_id: str, crew_id: CrewId, trip: TripNumber, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Takes back a trip's report made by mistake (the wrong trip pressed): the trip is not back."""
    plan = visible_plan(session, principal, plan_id)
    require(principal, plan.site_id, "courier")
    site_row(session, plan.site_id, lock=True)
    found = trip_report(plan.document, crew_id, trip, [])
    row = _report_row(session, plan.site_id, plan.date, found.crew, found.depart)
    if row is None:
        raise not_found(
            f"a report of trip {trip} of crew {crew_id!r}", f"{crew_said_zh(crew_id)}第 {trip} 趟的回程记录"
        )
    _not_another_trip(session, row, plan, found.crew, trip, found.depart)
    _unchanged_since_sent(row, found.crew, trip)
    session.delete(row)
    record(
        session, principal, plan.site_id, "trip_report_withdrawn", date=plan.date, crew=found.crew, trip=trip
    )
    session.commit()
    return Response(status_code=204)


@router.get("/sites/{site_id}/days/{date}/reports", response_model=list[TripReportOut])
def day_reports(
    site_id: SiteId,
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    accept_language: AcceptLanguage = "",
) -> list[TripReportOut]:
    """The day's trips reported back at the gate, by departure; match them to a plan's trips by
    crew and `depart`."""
    require(principal, site_id, "viewer")
    site_row(session, site_id)
    return [report_out(row, accept_language) for row in day_report_rows(session, site_id, checked_date(date))]


@router.post("/sites/{site_id}/days/{date}/counts/brought-back", response_model=CountsOut)
def send_again_today(
    site_id: SiteId,
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    again: Annotated[
        bool, Query(description="also what was added before (the day's counts replaced since)")
    ] = False,
) -> CountsOut:
    """Add what the day's trips brought back to go again (reported back, all but the refused, not
    added before) to the same day's counts, so a re-plan keeping the trips on the road sends it out
    again today. Those parcels are then the counts' — left by the day's plan, they are held over as
    any others — and their reports no longer change. Nothing to add: 409 `nothing_brought_back`.
    The rows are marked `back_at` (when the trip was back), in the trip's shift: they go no earlier,
    do not stand again, and an urgent one's window starts anew then. The page keeps such rows
    apart; counts PUT since without them lose them: `again=true` adds everything brought back that
    day once more."""
    require(principal, site_id, "courier")
    row = site_row(session, site_id, lock=True)
    date = checked_date(date)
    chosen = select(TripReportRow).where(
        TripReportRow.site_id == site_id, TripReportRow.date == date, TripReportRow.again > 0
    )
    waiting = list(session.scalars(chosen if again else chosen.where(TripReportRow.sent_again_at.is_(None))))
    if not waiting:
        raise ApiError(
            409,
            "nothing_brought_back",
            f"no trip reported back on {date} brought back parcels to go again that are not in the counts "
            "already; report a trip back first",
            zh=f"{date} 还没有报告带回要再送的件（或者已经加进件数了）；先报告车次回来了",
        )
    rows = returned_rows([TripReport.from_dict(report.report) for report in waiting], None)
    save_counts(session, row, date, Day(date=date, rows=rows), replace=False)
    sent = now()
    for report in waiting:
        report.sent_again_at = sent
    record(session, principal, site_id, "brought_back_added", date=date, parcels=sum(r.parcels for r in rows))
    session.commit()
    return tagged_counts(session, site_id, date, response.headers)


@router.get(
    "/sites/{site_id}/days/{date}/reports/notices.txt",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def returned_notices(
    site_id: SiteId, date: DateText, session: SessionDep, principal: PrincipalDep, lang: Lang = "zh"
) -> Response:
    """For each building parcels came back from, text for its group chat: they are safe and go
    first next time (or, refused, back to the sender)."""
    require(principal, site_id, "viewer")
    site = parse_site(site_row(session, site_id).geojson, accepted=True)
    reports = [
        TripReport.from_dict(row.report) for row in day_report_rows(session, site_id, checked_date(date))
    ]
    return Response(
        returned_notices_text(reports, site, date=date, lang=lang), media_type="text/plain; charset=utf-8"
    )


@router.get("/sites/{site_id}/days/{date}/reports/stop-times", response_model=StopTimesOut)
def stop_times_of_day(
    site_id: SiteId, date: DateText, session: SessionDep, principal: PrincipalDep
) -> StopTimesOut:
    """How long the stops took against the plan, read off when the day's trips were back (their
    `back_at`): what a stop took beyond the plan and the wait at a building that would have made
    the trips' times hold, to set in the roster before the next plan."""
    require(principal, site_id, "viewer")
    row = site_row(session, site_id)
    rows = day_report_rows(session, site_id, checked_date(date))
    own = day_roster(session, site_id, date)
    has_roster = row.operations is not None or (own is not None and own.operations is not None)
    wait_now = domain_operations(session, row, date).stop.wait_s if has_roster else None
    if not rows:
        return StopTimesOut(trips=0, needed=MIN_TRIPS, stops=0, wait_s=wait_now)
    # The plans' own wait and reload: the newest plan the reports were made on.
    plan = session.scalars(
        select(PlanRow).where(PlanRow.id.in_({r.plan_id for r in rows})).order_by(PlanRow.created_at.desc())
    ).first()
    planned = parse_operations(plan.snapshot["operations"], accepted=True) if plan is not None else None
    times = stop_times(
        [TripReport.from_dict(r.report) for r in rows],
        wait_s=planned.stop.wait_s if planned else wait_now or 0,
        reload_s=planned.gate.reload_s if planned else 0,
        leave_out=door_crews(plan.document, planned) if plan is not None and planned else (),
    )
    per_stop = times.per_stop_s
    return StopTimesOut(
        trips=times.trips,
        needed=MIN_TRIPS,
        stops=times.stops,
        per_stop_s=None if per_stop is None else round(per_stop, 1),
        planned_wait_s=times.wait_s,
        wait_s=wait_now,
        suggested_wait_s=times.suggested_wait_s,
    )


def _not_another_trip(
    session: Session, row: TripReportRow | None, plan: PlanRow, crew: str, trip: int, depart: str
) -> None:
    """A report stands for the trip that went. A plan made afresh after trips had left (without
    keeping them) has trips that never went, and one of them may have the same crew and time as
    a trip that did and was reported: reporting it, or taking it back, must not replace that
    report and lose what its trip brought back."""
    if row is None or row.plan_id == plan.id:
        return
    earlier = session.get(PlanRow, row.plan_id)
    if earlier is None or _stops(earlier.document, crew, depart) == _stops(plan.document, crew, depart):
        return  # the same trip, kept by a re-plan
    brought = f", with {row.returned} parcels brought back" if row.returned else ""
    brought_zh = f"，带回 {row.returned} 件" if row.returned else ""
    raise ApiError(
        409,
        "another_trip_reported",
        f"trip {trip} of crew {crew} out at {depart[:5]} is not the trip the crew made at that time: that "
        f"one, of an earlier plan and to other buildings, was reported back already{brought}. A plan "
        "made afresh after trips had left has trips that never went; report the trips that went (plan "
        "again with 'Keep the trips already on the road' to keep them)",
        zh=f"{crew_said_zh(crew)}第 {trip} 趟（{depart[:5]} 出发）不是这个组那个时间真正出发的那一趟：那一趟在之前的路线里，"
        f"去的楼不一样，已经报告回来了{brought_zh}。车出发以后从头重排的路线里有没出过的车次；"
        "请报告真正出发的车次（重排时勾选「保留已出发的车次」就能保留它们）",
    )


def _stops(document: dict[str, Any], crew: str, depart: str) -> list[tuple[str, int]] | None:
    """The buildings and parcels of `crew`'s trip out at `depart` in a plan; None: it has none."""
    for shift in document.get("shifts", []):
        for found in shift["crews"]:
            if found["id"] == crew:
                for trip in found["trips"]:
                    if trip["depart"] == depart:
                        return [(stop["building"], stop["parcels"]) for stop in trip["stops"]]
    return None


def _unchanged_since_sent(row: TripReportRow | None, crew: str, trip: int) -> None:
    """A report whose parcels went into the day's counts stays as it was: the counts hold them."""
    if row is not None and row.sent_again_at is not None:
        raise ApiError(
            409,
            "sent_again",
            f"what trip {trip} of crew {crew} brought back is in the day's counts already (added to go "
            "again today); change the counts instead",
            zh=f"{crew_said_zh(crew)}第 {trip} 趟带回的件已经加进当天的件数（今天再送）；请改件数",
        )


def report_out(row: TripReportRow, accept_language: str) -> TripReportOut:
    report = TripReport.from_dict(row.report)
    return TripReportOut(
        site=row.site_id,
        date=row.date,
        plan_id=row.plan_id,
        shift=report.shift,
        crew=report.crew,
        trip=report.trip,
        depart=report.depart,
        parcels=report.parcels,
        planned_return=report.planned_return,
        back_at=report.back_at,
        late_min=None if report.late_s is None else round(report.late_s / 60),
        returned=[
            ReturnedOut(
                building=item.building,
                parcels=item.parcels,
                urgent=item.urgent,
                reason=item.reason,
                reason_text=message_for(*REASONS[item.reason], accept_language),
                held_from=item.held_from,
            )
            for item in report.returned
        ],
        returned_parcels=report.returned_parcels,
        again_parcels=row.again,
        reported_at=row.reported_at,
        reported_by=row.reported_by,
        sent_again_at=row.sent_again_at,
    )


def _report_row(session: Session, site_id: str, date: str, crew: str, depart: str) -> TripReportRow | None:
    return session.scalar(
        select(TripReportRow).where(
            TripReportRow.site_id == site_id,
            TripReportRow.date == date,
            TripReportRow.crew == crew,
            TripReportRow.depart == depart,
        )
    )
