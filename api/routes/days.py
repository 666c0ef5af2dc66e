"""One day across every site a token sees: which compounds have counts, a plan, a plan that is
out of date, or parcels that will not go out — what a district office running hundreds of
compounds checks each morning before it opens any one of them.

Five queries for all sites together, whatever their number; no site's map and no whole plan is
read (the plans' summaries, undelivered lists and counts are picked out of their JSON in SQL).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import CountRowRecord, DayOperationsRow, JobRow, PlanRow, SiteRow
from api.deps import PrincipalDep, SessionDep, require, seen_sites
from api.errors import ERROR_RESPONSES, message_for, not_found
from api.routes.params import AcceptLanguage, DateText, Lang, SiteId, checked_date
from api.routes.sheets import SHEET_ROUTE, sheet_response
from api.schemas import CountTotals, DayOverview, DayTotals, JobGlance, PlanGlance, SiteDay, SiteDayStatus
from api.store import count_document
from api.web.labels import WEB_LABELS
from optimizer.day import COLUMNS

router = APIRouter(tags=["days"], responses=ERROR_RESPONSES)


@router.get("/days/{date}", response_model=DayOverview)
def day_overview(
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    needs_attention: bool = Query(
        default=False, description="only the sites whose status is not 'ok' (no plan, outdated, …)"
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
        statuses=dict(Counter(day.status for day in days)),
    )
    if needs_attention:
        days = [day for day in days if day.status != "ok"]
    return DayOverview(date=date, sites=days, totals=totals)


_OVERVIEW_COLUMNS = {
    "en": (
        "site", "name", "status", "parcels", "held_over", "delivered", "undelivered",
        "urgent_undelivered", "trips", "crew_hours", "plan_id", "planned_at", "plan_up_to_date",
        "own_roster",
    ),
    "zh": (
        "小区编号", "小区", "状态", "件数", "之前留下", "已送达", "未送达",
        "加急未送达", "趟数", "人时", "计划编号", "计划时间", "计划是否最新",
        "当日单独班表",
    ),
}  # fmt: skip


@router.get("/days/{date}/overview.csv", **SHEET_ROUTE)
def day_overview_csv(
    date: DateText, session: SessionDep, principal: PrincipalDep, lang: Lang = "zh"
) -> Response:
    """The day overview as a sheet, a compound a row, for the district office's report upward;
    statuses in the language asked for."""
    overview = day_overview(date, session, principal, needs_attention=False, accept_language=lang)
    statuses = dict(pair.split("=") for pair in WEB_LABELS[lang]["status_names"].split(","))
    yes_no = ("是", "否") if lang == "zh" else ("yes", "no")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_OVERVIEW_COLUMNS[lang])
    for day in overview.sites:
        counts, plan = day.counts, day.plan
        writer.writerow(
            [
                day.site,
                day.name,
                statuses.get(day.status, day.status),
                counts.parcels if counts else "",
                counts.held_over if counts else "",
                *(
                    (
                        plan.delivered,
                        plan.undelivered,
                        plan.urgent_undelivered,
                        plan.trips,
                        f"{plan.crew_hours:.2f}",
                        plan.id,
                        plan.created_at.isoformat(timespec="seconds"),
                        yes_no[0] if plan.up_to_date else yes_no[1],
                    )
                    if plan
                    else [""] * 8
                ),
                yes_no[0] if day.own_roster else yes_no[1],
            ]
        )
    return sheet_response(out.getvalue(), f"onebell-{date}.csv")


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
    SiteRow.id, SiteRow.name, SiteRow.updated_at, SiteRow.operations.is_(None).label("no_operations")
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
    found = {row.id: (row.name, row.updated_at, not row.no_operations) for row in session.execute(sites)}
    names = {site: name for site, (name, _, _) in found.items()}
    counts = _current_counts(session, date, names)
    plans = _latest_plans(session, date, names)
    jobs = _latest_jobs(session, date, names)
    rosters = _day_rosters(session, date, names)
    days = []
    for site, (name, changed_at, has_operations) in found.items():
        own_roster, roster_changed_at = rosters.get(site, (False, None))
        days.append(
            _site_day(
                site,
                name,
                max(changed_at, roster_changed_at or changed_at),
                counts.get(site),
                plans.get(site),
                jobs.get(site),
                accept_language,
                has_operations=has_operations or own_roster,
                own_roster=own_roster,
            )
        )
    return days


def _day_rosters(session: Session, date: str, sites: dict[str, str]) -> dict[str, tuple[bool, datetime]]:
    """Each site's roster for `date` alone: whether it has one now, and when it last changed (set,
    changed or dropped, which outdates a plan made before)."""
    d = DayOperationsRow
    rows = session.execute(
        select(d.site_id, d.operations.is_not(None).label("own"), d.updated_at).where(
            d.date == date, d.site_id.in_(sites)
        )
    )
    return {row.site_id: (bool(row.own), row.updated_at) for row in rows}


def _current_counts(session: Session, date: str, sites: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Each site's rows as `count_document` spells them, read as plain columns: hundreds of sites
    hold a hundred thousand rows, and ORM objects for them took most of the request's time."""
    c = CountRowRecord
    rows = session.execute(
        select(c.site_id, c.building, c.parcels, c.shift, c.urgent, c.arrived_s, c.held_from)
        .where(c.date == date, c.site_id.in_(sites))
        .order_by(c.site_id, c.position)
    )
    counts: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        counts.setdefault(row.site_id, []).append(count_document(row))
    return counts


def _newest_per_site(table: type[PlanRow] | type[JobRow], date: str, sites: dict[str, str]) -> Any:
    """Each site's newest creation time in `table` on `date`, to join the newest rows by."""
    return (
        select(table.site_id, func.max(table.created_at).label("created_at"))
        .where(table.date == date, table.site_id.in_(sites))
        .group_by(table.site_id)
        .subquery()
    )


def _latest_plans(session: Session, date: str, sites: dict[str, str]) -> dict[str, tuple[Any, ...]]:
    newest = _newest_per_site(PlanRow, date, sites)
    rows = session.execute(
        select(
            PlanRow.site_id,
            PlanRow.id,
            PlanRow.created_at,
            PlanRow.document["summary"],
            PlanRow.document["undelivered"],
            PlanRow.document["replanned_at"],
            PlanRow.snapshot["counts"],
            JobRow.created_at,  # when the plan's inputs were taken
        )
        .join(
            newest,
            (PlanRow.site_id == newest.c.site_id) & (PlanRow.created_at == newest.c.created_at),
        )
        .outerjoin(JobRow, JobRow.id == PlanRow.job_id)
    )
    return {row[0]: tuple(row[1:]) for row in rows if row[0]}


def _latest_jobs(session: Session, date: str, sites: dict[str, str]) -> dict[str, JobRow]:
    newest = _newest_per_site(JobRow, date, sites)
    rows = session.scalars(
        select(JobRow).join(
            newest, (JobRow.site_id == newest.c.site_id) & (JobRow.created_at == newest.c.created_at)
        )
    )
    return {job.site_id: job for job in rows}


def _site_day(
    site: str,
    name: str,
    inputs_changed_at: datetime,
    counts: list[dict[str, Any]] | None,
    plan: tuple[Any, ...] | None,
    job: JobRow | None,
    accept_language: str,
    *,
    has_operations: bool = True,
    own_roster: bool = False,
) -> SiteDay:
    """`inputs_changed_at`: when the site's map or usual roster, or the day's own roster, last
    changed; a plan whose inputs were taken before is out of date."""
    totals = None
    if counts:
        totals = CountTotals(
            rows=len(counts),
            parcels=sum(row["parcels"] for row in counts),
            urgent=sum(row["urgent"] for row in counts),
            buildings=len({row["building"] for row in counts}),
            held_over=sum(row["parcels"] for row in counts if row.get("held_from")),
        )
    glance = None
    if plan is not None:
        plan_id, created_at, summary, undelivered, replanned_at, planned_counts, inputs_taken_at = plan
        same_counts = [{field: row.get(field) for field in COLUMNS} for row in planned_counts or []] == (
            counts or []
        )
        same_site = inputs_changed_at <= (inputs_taken_at or created_at)
        glance = PlanGlance(
            id=plan_id,
            created_at=created_at,
            parcels=summary["parcels"],
            delivered=summary["delivered"],
            undelivered=summary["undelivered"],
            urgent_undelivered=sum(item.get("urgent", 0) for item in undelivered or []),
            trips=summary["trips"],
            crew_hours=round(summary["crew_s"] / 3600, 2),
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
        name=name,
        counts=totals,
        plan=glance,
        job=job_glance,
        own_roster=own_roster,
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
