"""Loading and saving the domain objects the routes work on, with the API's 404/409 rules."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from api.db.models import (
    CountDayRow,
    CountRowRecord,
    DayOperationsRow,
    MapRow,
    PlanRow,
    SiteRow,
    TripReportRow,
)
from api.errors import ApiError, not_found
from api.schemas import CountOut, CountsOut, CountTotals
from optimizer import problem
from optimizer.clock import format_clock
from optimizer.day import COLUMNS, Day, check_day, parse_day_json, with_building_ids
from optimizer.graph import SiteGraph, build_graph, cut_off_by_lane, reachable_by_mode
from optimizer.operations import Operations, parse_operations
from optimizer.returns import TripReport
from optimizer.site import Site, parse_site, sealed_buildings


def site_row(session: Session, site_id: str, *, lock: bool = False) -> SiteRow:
    """The site's row. With `lock`, two writers of the site's counts take turns until the
    transaction ends, the second seeing what the first wrote: a write that changes nothing takes
    the row's lock on PostgreSQL and the database's write lock on SQLite, before the reads that
    the write depends on (SQLite has no row locks to ask for)."""
    if lock:
        lock_site(session, site_id)
    row = session.get(SiteRow, site_id)
    if row is None:
        raise not_found(f"site {site_id!r}", f"小区 {site_id}")
    return row


def lock_site(session: Session, site_id: str) -> None:
    """Take the site's row lock (a write lock on SQLite) until the transaction ends, by an update
    that changes nothing; a site not stored yet locks nothing on PostgreSQL."""
    session.execute(update(SiteRow).where(SiteRow.id == site_id).values(name=SiteRow.name))


_SiteKey = tuple[str, str]
_PARSED_SITES: OrderedDict[_SiteKey, Site] = OrderedDict()
_PARSED_SITES_KEPT = 512
"""Parsed maps kept (about 45 KB each for a 125-building compound): as many as a district office's
compounds, which one press checks one after another — fewer, and a press over more compounds than
are kept would parse every one again."""
_REACHABLE: OrderedDict[_SiteKey, dict[str, frozenset[str]]] = OrderedDict()
_REACHABLE_KEPT = 4096
"""Per site version, the buildings each mode reaches from the gate (a few KB): all a plan's input
check needs of the site's graph, which takes 10–20 ms to build."""

_CUT_OFF: OrderedDict[_SiteKey, dict[str, frozenset[str]]] = OrderedDict()
"""Per site version, what each lane cuts off while closed (`lanes_cut_off`), as many as reaches."""

_T = TypeVar("_T")


def _site_key(row: SiteRow) -> _SiteKey:
    """The site and its map's content (a hash, under a millisecond): not the row's `updated_at`,
    which the operations move too — a roster saved must not cost the next check a parse and a graph."""
    return (row.id, document_tag(row.geojson))


def _kept(cache: OrderedDict[_SiteKey, _T], limit: int, key: _SiteKey, make: Callable[[], _T]) -> _T:
    value = cache.get(key)
    if value is None:
        value = cache[key] = make()
        while len(cache) > limit:
            cache.popitem(last=False)
    return value


def domain_site(row: SiteRow) -> Site:
    """The row's site, parsed once per version: counts are validated against it on every upload."""
    return _kept(
        _PARSED_SITES, _PARSED_SITES_KEPT, _site_key(row), lambda: parse_site(row.geojson, accepted=True)
    )


def lanes_cut_off(row: SiteRow) -> dict[str, frozenset[str]]:
    """Per lane of the row's map, the buildings cut off while it is closed, once per map version:
    the page asks each time a compound opens, and the graph under it takes 20–140 ms to build
    (gelin-spring, world-garden)."""
    return _kept(
        _CUT_OFF, _REACHABLE_KEPT, _site_key(row), lambda: cut_off_by_lane(build_graph(domain_site(row)))
    )


def store_map(row: SiteRow, document: dict[str, Any], site: Site) -> None:
    """The site's map (`site` parsed from `document`), and what the day overview reads of it
    without reading the map, written together so they never disagree."""
    row.name, row.geojson, row.updated_at = site.name, document, datetime.now(UTC)
    row.sealed_buildings = len(sealed_buildings(site))
    row.closed_lanes = sum(lane.closed for lane in site.lanes)


def remember_site(row: SiteRow, site: Site, site_graph: SiteGraph) -> None:
    """Keep what a map just stored was checked with (its parse and what each mode reaches), so the
    next plan's input check needs neither again."""
    key = _site_key(row)
    _kept(_PARSED_SITES, _PARSED_SITES_KEPT, key, lambda: site)
    _kept(_REACHABLE, _REACHABLE_KEPT, key, lambda: reachable_by_mode(site_graph))


def day_roster(session: Session, site_id: str, date: str) -> DayOperationsRow | None:
    """The day's own roster row, if one was ever set (its operations are None once the day went
    back to the compound's usual roster)."""
    return session.get(DayOperationsRow, (site_id, date))


def operations_document(session: Session, row: SiteRow, date: str) -> dict[str, Any]:
    """The roster a day is planned with: its own where the coordinator set one for that day (the
    volunteers who came, the vehicles out), else the compound's usual one."""
    own = day_roster(session, row.id, date)
    if own is not None and own.operations is not None:
        return own.operations
    if row.operations is None:
        raise ApiError(
            409,
            "no_operations",
            f"site {row.id!r} has no operations yet: PUT /sites/{row.id}/operations first",
            zh=f"小区 {row.id!r} 还没有设班次和车辆：请先设好",
        )
    return row.operations


def domain_operations(session: Session, row: SiteRow, date: str) -> Operations:
    return parse_operations(operations_document(session, row, date), accepted=True)


def count_rows(session: Session, site_id: str, date: str) -> Sequence[CountFields]:
    """The day's count rows as stored, in order, as plain columns: a day is hundreds of rows, read
    for every compound the district's one press adds leftovers to, and an ORM object a row took
    most of the time of storing a day (summing it up again) and of freezing it for a plan."""
    c = CountRowRecord
    return session.execute(
        select(c.building, c.parcels, c.shift, c.urgent, c.arrived_s, c.held_from, c.back_s)
        .where(c.site_id == site_id, c.date == date)
        .order_by(c.position)
    ).all()


def checked_counts(session: Session, row: SiteRow, date: str, day: Day) -> Day:
    """The rows as they would be stored for `date`: buildings named by their name get their id,
    and rows naming a building, shift or held-over day the site, roster or date cannot have are
    refused (the date is the path's: a CSV body has none of its own)."""
    site = domain_site(row)
    day = with_building_ids(dataclasses.replace(day, date=date), site)
    check_day(day, site, domain_operations(session, row, date))
    return day


def save_counts(session: Session, row: SiteRow, date: str, day: Day, *, replace: bool) -> Day:
    """Check the rows (`checked_counts`), then replace or append them; the caller commits, with
    the line of the compound's history that says so. The rows as stored."""
    day = checked_counts(session, row, date, day)
    if replace:
        session.execute(
            delete(CountRowRecord).where(CountRowRecord.site_id == row.id, CountRowRecord.date == date)
        )
        start = 0
    else:
        last = session.scalar(
            select(func.max(CountRowRecord.position)).where(
                CountRowRecord.site_id == row.id, CountRowRecord.date == date
            )
        )
        start = 0 if last is None else last + 1
    # One bulk insert, not an ORM object a row: a 2,300-parcel day is hundreds of rows, and an
    # object each cost ~0.1 ms (the district's one press adding leftovers at hundreds of gates).
    fields = [
        {
            "site_id": row.id,
            "date": date,
            "position": start + offset,
            "building": count.building,
            "parcels": count.parcels,
            "shift": count.shift,
            "urgent": count.urgent,
            "arrived_s": count.arrived_s,
            "held_from": count.held_from,
            "back_s": count.back_s,
        }
        for offset, count in enumerate(day.rows)
    ]
    session.flush()
    if fields:
        session.execute(insert(CountRowRecord), fields)
    _sum_up_day(session, row.id, date)
    return day


def _sum_up_day(session: Session, site_id: str, date: str) -> None:
    """The day's `CountDayRow` from its rows as stored now (none for a day without rows), in the
    same transaction as the rows."""
    rows = count_rows(session, site_id, date)
    summed = session.get(CountDayRow, (site_id, date))
    if not rows:
        if summed is not None:
            session.delete(summed)
        return
    if summed is None:
        summed = CountDayRow(site_id=site_id, date=date)
        session.add(summed)
    for field, value in count_totals(rows):
        setattr(summed, field, value)
    summed.tag = counts_fingerprint([count_document(r) for r in rows])


def counts_fingerprint(documents: Sequence[dict[str, Any]]) -> str:
    """A day's counts' content as one short text, the same for the same rows in the same order
    whichever fields a document leaves out (a plan stored before a column was added): what
    tells the overview a plan was made from the counts as they are now."""
    return document_tag([{field: document.get(field) for field in COLUMNS} for document in documents])


FORGOTTEN_DAYS = 14
"""How many planned days back the leftovers a day was planned without are followed (a fortnight,
as the page's table of days): for one compound each day back reads one more day's plan, 4–6 ms;
the district's overview reads the plans' `held_in` and `undelivered` columns instead."""


def held_in(documents: Sequence[dict[str, Any]]) -> int:
    """The parcels a day's counts (as documents, a plan's snapshot's) hold over from earlier days:
    what a plan made from them took in of the leftovers before it."""
    return sum(int(document["parcels"]) for document in documents if document.get("held_from"))


def plan_glance(document: dict[str, Any]) -> dict[str, Any]:
    """A plan's columns beside its document (`PlanRow`): what the day overview and the days one
    after another show of it, and what it left at the gate."""
    summary = document["summary"]
    return {
        "parcels": int(summary["parcels"]),
        "delivered": int(summary["delivered"]),
        "undelivered": int(summary["undelivered"]),
        "urgent_undelivered": sum(int(item.get("urgent") or 0) for item in document.get("undelivered") or []),
        "late_urgent": int(summary.get("late_urgent") or 0),
        "trips": int(summary["trips"]),
        "crew_s": int(summary["crew_s"]),
        "replanned_at": document.get("replanned_at"),
    }


class _Headers(Protocol):
    """A response's headers (Starlette's are not a typed mapping)."""

    def __setitem__(self, key: str, value: str) -> None: ...


def tagged_counts(session: Session, site_id: str, date: str, headers: _Headers) -> CountsOut:
    """The day's counts as stored now, their tag set as the response's ETag: what a client sends
    back as If-Match with its next change."""
    rows = count_rows(session, site_id, date)
    headers["ETag"] = counts_tag(rows)
    return counts_out(site_id, date, rows)


def counts_out(site_id: str, date: str, rows: Sequence[CountFields]) -> CountsOut:
    return CountsOut(
        site=site_id,
        date=date,
        rows=[CountOut(**count_document(r)) for r in rows],
        totals=count_totals(rows),
    )


def count_totals(rows: Sequence[CountFields]) -> CountTotals:
    return CountTotals(
        rows=len(rows),
        parcels=sum(r.parcels for r in rows),
        urgent=sum(r.urgent for r in rows),
        buildings=len({r.building for r in rows}),
        held_over=sum(r.parcels for r in rows if r.held_from is not None),
    )


def snapshot(
    session: Session, row: SiteRow, date: str, rows: Sequence[CountFields], policy: str | None
) -> dict[str, Any]:
    """Everything a solve needs, frozen: later edits to the site or counts never change a plan."""
    return {
        "site_id": row.id,
        "date": date,
        "site": row.geojson,
        "operations": operations_document(session, row, date),
        "policy": policy,
        "counts": [count_document(r) for r in rows],
    }


class CountFields(Protocol):
    """A stored count row, just its columns (a query that reads thousands of rows as columns), or
    a row read but not stored (`optimizer.day.CountRow`)."""

    @property
    def building(self) -> str: ...
    @property
    def parcels(self) -> int: ...
    @property
    def shift(self) -> str | None: ...
    @property
    def urgent(self) -> int: ...
    @property
    def arrived_s(self) -> int | None: ...
    @property
    def held_from(self) -> str | None: ...
    @property
    def back_s(self) -> int | None: ...


def document_tag(document: Any) -> str:
    """The entity tag (HTTP ETag) of a stored JSON document: the same content, the same tag."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return f'"{hashlib.sha256(text.encode()).hexdigest()[:24]}"'


def map_tag(geojson: Any) -> str:
    """The key a map is kept under (`MapRow.tag`): its content's hash, without the quotes of an ETag."""
    return document_tag(geojson).strip('"')


def plan_site(session: Session, plan: PlanRow) -> dict[str, Any]:
    """The map a plan was made from: kept once per content (`site_tag`), or inline (`site`) in a
    plan stored before maps were."""
    if "site" in plan.snapshot:
        return plan.snapshot["site"]
    kept = session.get(MapRow, (plan.site_id, plan.snapshot["site_tag"]))
    if kept is None:  # the map and its plans go together (foreign keys), so this is a broken database
        raise RuntimeError(f"plan {plan.id}: its map {plan.snapshot['site_tag']} is missing")
    return kept.geojson


def counts_tag(rows: Sequence[CountFields]) -> str:
    """The tag of a day's stored counts. A client that sends it back with its changes (If-Match)
    cannot overwrite counts another saved since it loaded them: the sorter at the gate and the
    coordinator on a phone may both be typing."""
    return document_tag([count_document(r) for r in rows])


def check_tag(if_match: str | None, stored: str, *, code: str, message: str, zh: str) -> None:
    """Refuse a write whose If-Match names a version other than the one stored (412); none or
    "*" writes over whatever is stored."""
    if if_match is None:
        return
    wanted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in wanted or stored in wanted:
        return
    raise ApiError(412, code, message, zh=zh)


def check_counts_tag(if_match: str | None, rows: Sequence[CountFields]) -> None:
    check_tag(
        if_match,
        counts_tag(rows),
        code="counts_changed",
        message="the day's counts changed after you loaded them (someone else saved); open the day "
        "again, then make your change",
        zh="你打开这一天之后，件数被别人改过（有人保存了）；请重新打开这一天，再改",
    )


_OPERATIONS_CHANGED = {
    "code": "operations_changed",
    "message": "the shifts and vehicles changed after you loaded them (someone else saved); "
    "load them again, then make your change",
    "zh": "你打开之后，班次和车辆被别人改过（有人保存了）；请重新打开，再改",
}


def check_operations_tag(if_match: str | None, stored: dict[str, Any] | None, *, first: bool = False) -> None:
    """As `check_tag`; with `first` (If-None-Match: *), refuse whenever there are operations: the
    page's first roster must not replace one someone else set meanwhile."""
    if first and stored is not None:
        raise ApiError(412, **_OPERATIONS_CHANGED)
    check_tag(if_match, document_tag(stored), **_OPERATIONS_CHANGED)


def count_document(row: CountFields) -> dict[str, Any]:
    """A stored count row as the day's JSON format spells it (what a snapshot keeps)."""
    return {
        "building": row.building,
        "parcels": row.parcels,
        "shift": row.shift,
        "urgent": row.urgent,
        "arrived": None if row.arrived_s is None else format_clock(row.arrived_s),
        "held_from": row.held_from,
        **({"back_at": format_clock(row.back_s)} if row.back_s is not None else {}),
    }


def snapshot_day(snapshot: dict[str, Any]) -> Day:
    """The day's counts of a snapshot, read by the same parser as an uploaded JSON day."""
    return parse_day_json({"date": snapshot["date"], "counts": snapshot["counts"]}, source="counts")


def check_plannable(row: SiteRow, snapshot: dict[str, Any]) -> None:
    """Refuse at once what the solver would refuse later, with the same message."""
    operations = parse_operations(snapshot["operations"], accepted=True)  # checked in full below
    site = domain_site(row)
    reachable = _kept(
        _REACHABLE, _REACHABLE_KEPT, _site_key(row), lambda: reachable_by_mode(build_graph(site))
    )
    problem.check_reachable(site, snapshot_day(snapshot), operations, reachable)


def day_report_rows(session: Session, site_id: str, date: str) -> list[TripReportRow]:
    """The day's reports by departure."""
    return list(
        session.scalars(
            select(TripReportRow)
            .where(TripReportRow.site_id == site_id, TripReportRow.date == date)
            .order_by(TripReportRow.depart, TripReportRow.crew)
        )
    )


def day_trip_reports(session: Session, site_id: str, date: str) -> list[TripReport]:
    """The day's reports whose parcels to go again are not in that day's counts, as the optimizer
    reads them: what they brought back is held over into a later day."""
    rows = day_report_rows(session, site_id, date)
    return [TripReport.from_dict(row.report) for row in rows if row.sent_again_at is None]
