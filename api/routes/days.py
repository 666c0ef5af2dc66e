"""One day across every site a token sees: which compounds have counts, a plan, a plan that is
out of date, or parcels that will not go out — what a district office running hundreds of
compounds checks each morning before it opens any one of them — and one compound's days one after
another, to see whether its team keeps up.

A handful of queries for all sites together, whatever their number; no site's map, no count row
and no plan's document is read (each day's counts in short, `CountDayRow`; what the plans
delivered, left and took, their columns beside the document, `api.store.plan_glance`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import (
    CountDayRow,
    DayOperationsRow,
    HeldSetAsideRow,
    JobRow,
    PlanRow,
    SiteRow,
    TripReportRow,
)
from api.deps import PrincipalDep, SessionDep, require, seen_sites
from api.errors import ERROR_RESPONSES, ApiError, message_for, not_found
from api.routes.params import AcceptLanguage, DateText, Lang, SiteId, checked_date
from api.routes.sheets import SHEET_ROUTE, sheet_response
from api.schemas import (
    CountTotals,
    DayOverview,
    DayTotals,
    DistrictDay,
    JobGlance,
    LeftBefore,
    PlanGlance,
    SiteDay,
    SiteDayStatus,
    TripsBack,
)
from api.store import FORGOTTEN_DAYS
from api.web.labels import WEB_LABELS

router = APIRouter(tags=["days"], responses=ERROR_RESPONSES)


@router.get("/days/{date}", response_model=DayOverview)
def day_overview(
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    needs_attention: bool = Query(
        default=False,
        description="only the sites whose status is not 'ok' (no plan, outdated, …), that an earlier "
        "day left parcels at the gate the day's counts do not hold (`left_before`), or whose plan "
        "brings urgent parcels past their window (`plan.late_urgent`)",
    ),
    accept_language: AcceptLanguage = "",
) -> DayOverview:
    """Every site the token sees (the admin token: all of them) on `date`: the counts posted, the
    latest plan and whether it was made from the counts, map and operations as they are now, the
    latest planning job, and one status saying what, if anything, the site needs."""
    checked_date(date)
    days = site_days(session, date, sites_seen(principal), accept_language)
    totals = DayTotals(
        sites=len(days),
        parcels=sum(day.counts.parcels for day in days if day.counts),
        held_over=sum(day.counts.held_over for day in days if day.counts),
        delivered=sum(day.plan.delivered for day in days if day.plan),
        undelivered=sum(day.plan.undelivered for day in days if day.plan),
        urgent_undelivered=sum(day.plan.urgent_undelivered for day in days if day.plan),
        late_urgent=sum(day.plan.late_urgent for day in days if day.plan),
        statuses=dict(Counter(day.status for day in days)),
    )
    if needs_attention:
        days = [
            day
            for day in days
            if day.status != "ok" or day.left_before or (day.plan and day.plan.late_urgent)
        ]
    return DayOverview(date=date, sites=days, totals=totals)


_DAY_COLUMNS = {
    "en": (
        "status", "parcels", "held_over", "delivered", "undelivered", "urgent_undelivered", "late_urgent",
        "trips", "crew_hours", "trips_back", "brought_back", "plan_id", "planned_at", "plan_up_to_date", "own_roster",
    ),
    "zh": (
        "状态", "件数", "之前留下", "已送达", "未送达", "加急未送达", "加急超时送达", "趟数",
        "人时", "已回大门的趟数", "带回件数", "计划编号", "计划时间", "计划是否最新", "当日单独班表",
    ),
}  # fmt: skip
"""A compound's day as a sheet's row, after what names the row (the compound, or the date)."""


_LEFT_COLUMNS = {
    "en": ("left_before_day", "left_before_not_added", "left_before_since"),
    "zh": ("留下件的日期", "之前留下未加入的件数", "留下件最早的日期"),
}
"""What earlier days left at the gate and the day's counts do not hold (`SiteDay.left_before`)."""

_ONE_DAY_COLUMNS = {
    "en": ("sealed_buildings_now", "closed_lanes_now"),
    "zh": ("现封控楼数", "现封闭道路数"),
}
"""In a sheet of one day (the district's overview), not of many: the map's seals and closures as
they are now, which a sheet of many days would have read as each day's."""


def _day_sheet(
    lang: Lang, heads: tuple[str, ...], rows: list[tuple[list[str], SiteDay]], *, one_day: bool = False
) -> str:
    """A sheet of days, each row its `heads` then the day's `_DAY_COLUMNS` and `_LEFT_COLUMNS`
    (and `_ONE_DAY_COLUMNS` with `one_day`); statuses in `lang`."""
    statuses = dict(pair.split("=") for pair in WEB_LABELS[lang]["status_names"].split(","))
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [*heads, *_DAY_COLUMNS[lang], *_LEFT_COLUMNS[lang], *(_ONE_DAY_COLUMNS[lang] if one_day else ())]
    )
    for named, day in rows:
        counts, plan, left = day.counts, day.plan, day.left_before
        writer.writerow(
            [
                *named,
                statuses.get(day.status, day.status),
                counts.parcels if counts else "",
                counts.held_over if counts else "",
                *(
                    (
                        plan.delivered,
                        plan.undelivered,
                        plan.urgent_undelivered,
                        plan.late_urgent,
                        plan.trips,
                        f"{plan.crew_hours:.2f}",
                        day.back.trips if day.back else 0,
                        day.back.returned if day.back else 0,
                        plan.id,
                        plan.created_at.isoformat(timespec="seconds"),
                        yes if plan.up_to_date else no,
                    )
                    if plan
                    else [""] * 11
                ),
                yes if day.own_roster else no,
                left.date if left else "",
                left.parcels if left else 0,
                left.since if left else "",
                *((day.sealed_buildings, day.closed_lanes) if one_day else ()),
            ]
        )
    return out.getvalue()


@router.get("/days/{date}/overview.csv", **SHEET_ROUTE)
def day_overview_csv(
    date: DateText, session: SessionDep, principal: PrincipalDep, lang: Lang = "zh"
) -> Response:
    """The day overview as a sheet, a compound a row, for the district office's report upward;
    statuses in the language asked for."""
    overview = day_overview(date, session, principal, needs_attention=False, accept_language=lang)
    heads = ("小区编号", "小区") if lang == "zh" else ("site", "name")
    sheet = _day_sheet(lang, heads, [([day.site, day.name], day) for day in overview.sites], one_day=True)
    return sheet_response(sheet, f"onebell-{date}.csv")


DEFAULT_SPAN_DAYS = 14
MAX_SPAN_DAYS = 92
_DATE = r"^\d{4}-\d{2}-\d{2}$"
FromDay = Annotated[
    str | None, Query(alias="from", pattern=_DATE, description="the first day (default: 13 days before `to`)")
]
ToDay = Annotated[
    str | None,
    Query(
        alias="to",
        pattern=_DATE,
        description="the last day (default: the latest with counts, a plan or a job)",
    ),
]


@router.get("/sites/{site_id}/days", response_model=list[SiteDay])
def site_day_by_day(
    site_id: SiteId,
    session: SessionDep,
    principal: PrincipalDep,
    since: FromDay = None,
    until: ToDay = None,
    accept_language: AcceptLanguage = "",
) -> list[SiteDay]:
    """The compound's days from `from` to `to`, oldest first, each as the day overview reports it:
    whether the team keeps up, day after day — parcels counted, held over from earlier days,
    delivered and left for the next. Days with nothing (no counts, plan, job or roster of their
    own) are left out, but for the last, `to`, when earlier days left parcels waiting for it (today,
    before its counts come: the fortnight then shows them waiting); at most 92 days."""
    require(principal, site_id, "viewer")
    sites = SITES.where(SiteRow.id == site_id)
    found = _found(session, sites)
    if not found:
        raise not_found(f"site {site_id!r}", f"小区 {site_id}")
    span = _span(session, [site_id], since, until)
    if span is None:
        return []
    days = _days_between(session, span, found, accept_language)
    last, added = (site_id, span[1]), (site_id, span[1]) not in days
    if added:
        days[last] = _site_day(site_id, found[site_id], accept_language, date=span[1])
    _add_left_before(session, span, days)
    if added and days[last].left_before is None:
        del days[last]
    return list(days.values())


@router.get("/sites/{site_id}/days.csv", **SHEET_ROUTE)
def site_day_by_day_csv(
    site_id: SiteId,
    session: SessionDep,
    principal: PrincipalDep,
    since: FromDay = None,
    until: ToDay = None,
    lang: Lang = "zh",
) -> Response:
    """`GET /sites/{site}/days` as a sheet, a day a row, for the compound's report upward."""
    days = site_day_by_day(site_id, session, principal, since, until, accept_language=lang)
    sheet = _day_sheet(lang, ("日期",) if lang == "zh" else ("date",), [([day.date], day) for day in days])
    return sheet_response(sheet, f"onebell-{site_id}-days.csv")


@router.get("/days", response_model=list[DistrictDay])
def district_day_by_day(
    session: SessionDep,
    principal: PrincipalDep,
    since: FromDay = None,
    until: ToDay = None,
) -> list[DistrictDay]:
    """Every compound the token sees (not archived), day by day from `from` to `to`, oldest first:
    whether the district keeps up as the counts rise — parcels counted and held over, and what
    the latest plans deliver and leave. Summed in SQL and from the plans' summaries, whatever the
    number of compounds; days without counts or plans anywhere are left out, but for the last, `to`,
    when earlier days left parcels waiting for it; at most 92 days."""
    found = _found(session, sites_seen(principal))
    span = _span(session, list(found), since, until) if found else None
    if span is None:
        return []
    c = CountDayRow
    counted = {
        row.date: row
        for row in session.execute(
            select(
                c.date,
                func.count(c.site_id).label("sites"),
                func.sum(c.parcels).label("parcels"),
                func.sum(c.held_over).label("held_over"),
            )
            .where(_on(c.date, span), c.site_id.in_(found))
            .group_by(c.date)
        )
    }
    planned: dict[str, list[tuple[int, int, int, int]]] = {}
    plans = _newest_plans(
        session,
        span,
        found,
        PlanRow.delivered,
        PlanRow.undelivered,
        PlanRow.urgent_undelivered,
        PlanRow.late_urgent,
    )
    for _, date, delivered, undelivered, urgent, late in plans:
        planned.setdefault(date, []).append((delivered, undelivered, urgent, late))
    t = TripReportRow
    returned = {
        row.date: int(row.returned)
        for row in session.execute(
            select(t.date, func.sum(t.returned).label("returned"))
            .where(_on(t.date, span), t.site_id.in_(found))
            .group_by(t.date)
        )
    }
    # the last day, `to`, also when nothing is on it yet but what earlier days left waiting for it
    dates = sorted({*counted, *planned, span[1]})
    held = {
        (site, date): held_over
        for site, date, held_over in session.execute(
            select(c.site_id, c.date, c.held_over).where(_on(c.date, span), c.site_id.in_(found))
        )
    }
    left = _left_before(session, span, found, [(site, date) for site in found for date in dates])
    waiting: Counter[str] = Counter()
    for (site, date), earlier in left.items():
        waiting[date] += max(earlier.parcels - held.get((site, date), 0), 0)
    days = []
    for date in dates:
        counts, plans_of_day = counted.get(date), planned.get(date, [])
        if not (counts or plans_of_day or waiting[date]):
            continue
        days.append(
            DistrictDay(
                date=date,
                sites=len(found),
                counted_sites=counts.sites if counts else 0,
                parcels=int(counts.parcels) if counts else 0,
                held_over=int(counts.held_over) if counts else 0,
                planned_sites=len(plans_of_day),
                delivered=sum(delivered for delivered, _, _, _ in plans_of_day),
                undelivered=sum(undelivered for _, undelivered, _, _ in plans_of_day),
                urgent_undelivered=sum(urgent for _, _, urgent, _ in plans_of_day),
                late_urgent=sum(late for _, _, _, late in plans_of_day),
                returned=returned.get(date, 0),
                left_before=waiting[date],
            )
        )
    return days


_DISTRICT_COLUMNS = {
    "en": (
        "date", "compounds", "with_counts", "parcels", "held_over", "planned", "delivered", "undelivered",
        "urgent_undelivered", "late_urgent", "brought_back", "left_before_not_added",
    ),
    "zh": (
        "日期", "小区数", "报了件数的小区", "件数", "之前留下", "有计划的小区", "已送达", "未送达", "加急未送达",
        "加急超时送达", "带回件数", "之前留下未加入的件数",
    ),
}  # fmt: skip


@router.get("/days.csv", **SHEET_ROUTE)
def district_day_by_day_csv(
    session: SessionDep,
    principal: PrincipalDep,
    since: FromDay = None,
    until: ToDay = None,
    lang: Lang = "zh",
) -> Response:
    """`GET /days` as a sheet, a day a row, for the district office's report upward."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_DISTRICT_COLUMNS[lang])
    for day in district_day_by_day(session, principal, since, until):
        writer.writerow(
            [
                day.date,
                day.sites,
                day.counted_sites,
                day.parcels,
                day.held_over,
                day.planned_sites,
                day.delivered,
                day.undelivered,
                day.urgent_undelivered,
                day.late_urgent,
                day.returned,
                day.left_before,
            ]
        )
    return sheet_response(out.getvalue(), "onebell-days.csv")


def _span(session: Session, site_ids: Collection[str], since: str | None, until: str | None) -> Days | None:
    """The days asked for; without `to`, up to the latest day the compounds have anything on (or
    `from`, if later), and without `from` the fortnight to `to`. None: they have nothing yet and
    no day was named."""
    if until is None:
        latest = [
            session.scalar(select(func.max(table.date)).where(table.site_id.in_(site_ids)))
            for table in (CountDayRow, PlanRow, JobRow, DayOperationsRow)
        ]
        until = max((date for date in [*latest, since] if date), default=None)
        if until is None:
            return None
    last = dt.date.fromisoformat(checked_date(until, field="to"))
    if since is None:
        return (last - dt.timedelta(days=DEFAULT_SPAN_DAYS - 1)).isoformat(), last.isoformat()
    first = dt.date.fromisoformat(checked_date(since, field="from"))
    if first > last:
        raise ApiError(
            422,
            "invalid",
            f"from {first} is after to {last}",
            field="from",
            zh=f"开始的日期 {first} 在结束的日期 {last} 之后",
        )
    if (last - first).days >= MAX_SPAN_DAYS:
        raise ApiError(
            422,
            "invalid",
            f"from {first} to {last} is {(last - first).days + 1} days: at most {MAX_SPAN_DAYS} at a time",
            field="from",
            zh=f"从 {first} 到 {last} 共 {(last - first).days + 1} 天：一次最多看 {MAX_SPAN_DAYS} 天",
        )
    return first.isoformat(), last.isoformat()


@router.get("/sites/{site_id}/days/{date}", response_model=SiteDay)
def site_day(
    site_id: SiteId,
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    accept_language: AcceptLanguage = "",
) -> SiteDay:
    """One site's line of the day overview: what the coordinator's page opens a day with (its
    latest plan, and whether the counts, map or roster changed since), without reading every site."""
    require(principal, site_id, "viewer")
    checked_date(date)
    days = site_days(session, date, SITES.where(SiteRow.id == site_id), accept_language)
    if not days:
        raise not_found(f"site {site_id!r}", f"小区 {site_id}")
    return days[0]


SITES = select(
    SiteRow.id,
    SiteRow.name,
    SiteRow.updated_at,
    SiteRow.operations.is_(None).label("no_operations"),
    SiteRow.sealed_buildings,
    SiteRow.closed_lanes,
)


def sites_seen(principal: Principal, *, archived: bool = False) -> Any:
    """A select of `SITES`: every site for the admin token, its district's for a district token,
    its own for a site's token, by id; those archived only with `archived`."""
    sites = SITES.order_by(SiteRow.id)
    if not archived:
        sites = sites.where(SiteRow.archived_at.is_(None))
    condition = seen_sites(principal)
    return sites if condition is None else sites.where(condition)


def site_days(session: Session, date: str, sites: Any, accept_language: str) -> list[SiteDay]:
    """`sites`: a select of `SITES`, the sites to report in the order to report them; a job's
    failure in Chinese where `accept_language` ranks Chinese first."""
    found = _found(session, sites)
    days = _days_between(session, (date, date), found, accept_language)
    for site in found:
        if (site, date) not in days:
            days[site, date] = _site_day(site, found[site], accept_language, date=date)
    _add_left_before(session, (date, date), days)
    return [days[site, date] for site in found]


def _add_left_before(session: Session, span: Days, days: dict[tuple[str, str], SiteDay]) -> None:
    """Each day's `left_before`: what the earlier days left at the gate, less what its counts
    hold over."""
    left = _left_before(session, span, {site for site, _ in days}, days)
    for key, earlier in left.items():
        day = days[key]
        waiting = earlier.parcels - (day.counts.held_over if day.counts else 0)
        if waiting > 0:
            day.left_before = LeftBefore(date=earlier.date, parcels=waiting, since=earlier.since)


@dataclass(frozen=True)
class _Left:
    """What an earlier day left at the gate: parcels, and the day the oldest of them was left."""

    date: str  # the most recent earlier day with a plan
    parcels: int
    since: str


def _left_before(
    session: Session, span: Days, sites: Collection[str], wanted: Collection[tuple[str, str]]
) -> dict[tuple[str, str], _Left]:
    """For each (site, date) `wanted` within `span`: the site's most recent earlier day with a
    plan, and what it left at the gate — its latest plan's undelivered parcels, what the day's
    trips brought back to go again and were not sent out again that day, and what the days before
    it left that its plan was made without, followed back `FORGOTTEN_DAYS` planned days — as `GET
    …/counts/held-over` counts them, but in parcels, not building by building (a plan's counts
    holding more of one building's leftovers than it left and fewer of another's count as holding
    them) — unless the coordinator set them aside (`HeldSetAsideRow`). Three queries whatever the
    number of sites and days (four where a plan kept no counts); no plan's document is read
    (`PlanRow.undelivered`, `PlanRow.held_in`)."""
    first, last = span
    p, t, aside = PlanRow, TripReportRow, HeldSetAsideRow
    newest = (
        select(p.site_id, p.date, func.max(p.created_at).label("created_at"))
        .where(p.date < last, p.site_id.in_(sites))
        .group_by(p.site_id, p.date)
        .subquery()
    )
    days_back = func.row_number().over(partition_by=newest.c.site_id, order_by=newest.c.date.desc())
    # the planned days within the span are followed back too, each as far as the span's first
    in_span = func.sum(case((newest.c.date >= first, 1), else_=0)).over(partition_by=newest.c.site_id)
    ranked = select(newest, days_back.label("back"), in_span.label("in_span")).subquery()
    plans = session.execute(
        select(p.site_id, p.date, p.id, p.undelivered, p.held_in)
        .join(
            ranked,
            (p.site_id == ranked.c.site_id)
            & (p.date == ranked.c.date)
            & (p.created_at == ranked.c.created_at),
        )
        .where(ranked.c.back <= FORGOTTEN_DAYS + ranked.c.in_span)
        .order_by(p.site_id, p.date)
    ).all()
    if not plans:
        return {}
    earliest = min(day for _, day, *_ in plans)
    back = {
        (site, day): int(again or 0)
        for site, day, again in session.execute(
            select(t.site_id, t.date, func.sum(t.again))
            .where(t.site_id.in_(sites), t.date >= earliest, t.date < last, t.sent_again_at.is_(None))
            .group_by(t.site_id, t.date)
        )
    }
    set_aside = {
        (site, day): plan_id
        for site, day, plan_id in session.execute(
            select(aside.site_id, aside.date, aside.plan_id).where(
                aside.site_id.in_(sites), aside.date > earliest, aside.date <= last
            )
        )
    }
    unknown = any(held is None for *_, held in plans)
    stored_held = _held_in_counts(session, sites, earliest, last) if unknown else {}
    dates_of: dict[str, list[str]] = {}
    for site, date in wanted:
        dates_of.setdefault(site, []).append(date)
    left: dict[tuple[str, str], _Left] = {}
    for site, rows in groupby(plans, key=itemgetter(0)):
        planned = list(rows)
        if not any(undelivered or back.get((site, day)) for _, day, _, undelivered, _ in planned):
            continue  # nothing was left at its gate on any of these days: nothing waits
        planned_days = [day for _, day, *_ in planned]
        # each planned day: its plan, what it left itself, what its counts held over, a set-aside
        steps = [
            (
                day,
                plan_id,
                undelivered + back.get((site, day), 0),
                stored_held.get((site, day), 0) if held is None else held,
                set_aside.get((site, day)),
            )
            for _, day, plan_id, undelivered, held in planned
        ]
        for date in dates_of.get(site, ()):
            until = bisect_left(planned_days, date)
            if until == 0:
                continue
            before: str | None = None  # the day before's plan, oldest day first
            parcels, since = 0, ""  # and what it left, since when
            for day, plan_id, own, held, aside_from in steps[max(until - FORGOTTEN_DAYS, 0) : until]:
                # what the day before left and this day was planned without: still at the gate
                forgotten = (
                    parcels - held if parcels > held and before is not None and aside_from != before else 0
                )
                if not forgotten:
                    since = day
                parcels, before = own + forgotten, plan_id
            if set_aside.get((site, date)) != before:
                left[site, date] = _Left(planned_days[until - 1], parcels, since)
    return left


def _held_in_counts(
    session: Session, sites: Collection[str], first: str, date: str
) -> dict[tuple[str, str], int]:
    """The parcels each site's stored counts hold over from earlier days, per day from `first` to
    before `date` (the days' counts in short): what a plan stored without its counts is set beside."""
    c = CountDayRow
    return {
        (site, day): held
        for site, day, held in session.execute(
            select(c.site_id, c.date, c.held_over).where(c.site_id.in_(sites), c.date >= first, c.date < date)
        )
    }


@dataclass(frozen=True)
class _Site:
    """What a site's day in the overview needs of the site itself."""

    name: str
    changed_at: datetime  # when its map or usual roster last changed
    has_operations: bool  # a usual roster
    sealed_buildings: int
    closed_lanes: int


def _found(session: Session, sites: Any) -> dict[str, _Site]:
    """Each site of the select `sites`, in its order."""
    return {
        row.id: _Site(row.name, row.updated_at, not row.no_operations, row.sealed_buildings, row.closed_lanes)
        for row in session.execute(sites)
    }


Days = tuple[str, str]
"""The first and last date of a span, YYYY-MM-DD (equal for one day): such text sorts as dates do."""


def _on(column: Any, days: Days) -> Any:
    """Rows of those days: one day by equality, which SQLite reads off its indexes faster."""
    first, last = days
    return column == first if first == last else column.between(first, last)


def _days_between(
    session: Session, days: Days, found: dict[str, _Site], accept_language: str
) -> dict[tuple[str, str], SiteDay]:
    """Every (site, date) within `days` that has anything — counts, a plan, a planning job or a
    roster of its own — as the day overview reports it; six queries, whatever the number of
    sites and days."""
    counts = _current_counts(session, days, found)
    plans = _latest_plans(session, days, found)
    jobs = _latest_jobs(session, days, found)
    rosters = _day_rosters(session, days, found)
    back = _trips_back(session, days, found)
    return {
        (site, date): _site_day(
            site,
            found[site],
            accept_language,
            date=date,
            counts=counts.get((site, date)),
            plan=plans.get((site, date)),
            job=jobs.get((site, date)),
            roster=rosters.get((site, date)),
            back=back.get((site, date)),
        )
        for site, date in sorted({*counts, *plans, *jobs, *rosters})
    }


def _trips_back(session: Session, days: Days, sites: Collection[str]) -> dict[tuple[str, str], TripsBack]:
    """Each site's trips reported back at the gate on each day, and what they brought back."""
    t = TripReportRow
    rows = session.execute(
        select(
            t.site_id,
            t.date,
            func.count().label("trips"),
            func.sum(t.returned).label("returned"),
            func.sum(t.again).label("again"),
            func.sum(case((t.sent_again_at.is_not(None), t.again), else_=0)).label("sent_again"),
            func.avg(t.late_s).label("late_s"),
        )
        .where(_on(t.date, days), t.site_id.in_(sites))
        .group_by(t.site_id, t.date)
    )
    return {
        (row.site_id, row.date): TripsBack(
            trips=row.trips,
            returned=int(row.returned),
            again=int(row.again),
            sent_again=int(row.sent_again),
            late_min=None if row.late_s is None else round(float(row.late_s) / 60, 1),
        )
        for row in rows
    }


def _day_rosters(
    session: Session, days: Days, sites: dict[str, Any]
) -> dict[tuple[str, str], tuple[bool, datetime]]:
    """Each site's roster for a day alone: whether it has one now, and when it last changed (set,
    changed or dropped, which outdates a plan made before)."""
    d = DayOperationsRow
    rows = session.execute(
        select(d.site_id, d.date, d.operations.is_not(None).label("own"), d.updated_at).where(
            _on(d.date, days), d.site_id.in_(sites)
        )
    )
    return {(row.site_id, row.date): (bool(row.own), row.updated_at) for row in rows}


def _current_counts(
    session: Session, days: Days, sites: Collection[str]
) -> dict[tuple[str, str], CountDayRow]:
    """Each site's counts of each day in short (`CountDayRow`): a row per compound and day where
    hundreds of compounds hold a hundred thousand count rows."""
    c = CountDayRow
    rows = session.scalars(select(c).where(_on(c.date, days), c.site_id.in_(sites)))
    return {(row.site_id, row.date): row for row in rows}


def _newest_per_day(table: type[PlanRow] | type[JobRow], days: Days, sites: Collection[str]) -> Any:
    """Each site's newest creation time in `table` on each day, to join the newest rows by."""
    return (
        select(table.site_id, table.date, func.max(table.created_at).label("created_at"))
        .where(_on(table.date, days), table.site_id.in_(sites))
        .group_by(table.site_id, table.date)
        .subquery()
    )


def _latest_plans(
    session: Session, days: Days, sites: dict[str, Any]
) -> dict[tuple[str, str], tuple[Any, ...]]:
    rows = _newest_plans(
        session,
        days,
        sites,
        PlanRow.id,
        PlanRow.created_at,
        PlanRow.parcels,
        PlanRow.delivered,
        PlanRow.undelivered,
        PlanRow.urgent_undelivered,
        PlanRow.late_urgent,
        PlanRow.trips,
        PlanRow.crew_s,
        PlanRow.replanned_at,
        PlanRow.counts_tag,
        JobRow.created_at,  # when the plan's inputs were taken
    )
    return {(row[0], row[1]): tuple(row[2:]) for row in rows if row[0]}


def _newest_plans(session: Session, days: Days, sites: Collection[str], *columns: Any) -> Any:
    """`columns` of each site's newest plan of each day, after its site and date."""
    newest = _newest_per_day(PlanRow, days, sites)
    return session.execute(
        select(PlanRow.site_id, PlanRow.date, *columns)
        .join(
            newest,
            (PlanRow.site_id == newest.c.site_id)
            & (PlanRow.date == newest.c.date)
            & (PlanRow.created_at == newest.c.created_at),
        )
        .outerjoin(JobRow, JobRow.id == PlanRow.job_id)
    )


def _latest_jobs(session: Session, days: Days, sites: dict[str, Any]) -> dict[tuple[str, str], JobRow]:
    newest = _newest_per_day(JobRow, days, sites)
    rows = session.scalars(
        select(JobRow).join(
            newest,
            (JobRow.site_id == newest.c.site_id)
            & (JobRow.date == newest.c.date)
            & (JobRow.created_at == newest.c.created_at),
        )
    )
    return {(job.site_id, job.date): job for job in rows}


def _site_day(
    site: str,
    found: _Site,
    accept_language: str,
    *,
    date: str,
    counts: CountDayRow | None = None,
    plan: tuple[Any, ...] | None = None,
    job: JobRow | None = None,
    roster: tuple[bool, datetime] | None = None,
    back: TripsBack | None = None,
) -> SiteDay:
    """A change of the site's map or usual roster (`found.changed_at`), or of the day's own
    `roster` after it, outdates a plan whose inputs were taken before."""
    own_roster, roster_changed_at = roster or (False, None)
    inputs_changed_at = max(found.changed_at, roster_changed_at or found.changed_at)
    has_operations = found.has_operations or own_roster
    totals = None
    if counts:
        totals = CountTotals(**{field: getattr(counts, field) for field in CountTotals.model_fields})
    glance = None
    if plan is not None:
        (plan_id, created_at, parcels, delivered, undelivered, urgent, late, trips, crew_s, replanned_at) = (
            plan[:10]
        )
        counts_tag, inputs_taken_at = plan[10:]
        same_counts = counts is not None and counts_tag == counts.tag
        same_site = inputs_changed_at <= (inputs_taken_at or created_at)
        glance = PlanGlance(
            id=plan_id,
            created_at=created_at,
            parcels=parcels,
            delivered=delivered,
            undelivered=undelivered,
            urgent_undelivered=urgent,
            late_urgent=late,
            trips=trips,
            crew_hours=round(crew_s / 3600, 2),
            replanned_at=replanned_at,
            up_to_date=same_counts and same_site,
        )
    job_glance = None
    if job is not None:
        job_glance = JobGlance(
            id=job.id,
            status=job.status,  # type: ignore[arg-type]  # the column holds only these five
            error=job.error and message_for(job.error, job.error_zh, accept_language),
            created_at=job.created_at,
        )
    return SiteDay(
        site=site,
        name=found.name,
        date=date,
        counts=totals,
        plan=glance,
        job=job_glance,
        back=back,
        own_roster=own_roster,
        sealed_buildings=found.sealed_buildings,
        closed_lanes=found.closed_lanes,
        status=_status(totals, glance, job_glance, has_operations=has_operations),
    )


def _status(
    counts: CountTotals | None,
    plan: PlanGlance | None,
    job: JobGlance | None,
    *,
    has_operations: bool = True,
) -> SiteDayStatus:
    """The first that applies, most pressing first. A compound with no roster can take no counts,
    so a district office sees what it lacks rather than "no counts"."""
    newer_job = job is not None and (plan is None or job.created_at > plan.created_at)
    if newer_job and job is not None and job.status in ("waiting", "queued", "running"):
        return "planning"
    if counts is None:
        return "no_counts" if has_operations else "no_operations"
    if newer_job and job is not None and job.status == "failed":
        return "failed"
    if plan is None:
        return "not_planned"
    if not plan.up_to_date:
        return "outdated"
    if plan.undelivered:
        return "undelivered"
    return "ok"
