"""Advance notice for each building's contact household: when the crew will be at the door, with
how many parcels — text the coordinator posts in the building's group chat before the shift.

The whole point of notifying one household is that it alerts the rest; told the time ahead, the
household is downstairs when the tricycle arrives and the stop takes the planned minute. Times are
the plan's estimates, so the text says "about".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.cards.labels import LABELS
from optimizer.cards.render import chosen_shifts, unknown_building
from optimizer.names import shift_label
from optimizer.returns import REASONS, Returned, TripReport
from optimizer.site import Site, sealed_buildings


@dataclass(frozen=True)
class Notice:
    shift: str
    arrive: str  # HH:MM, the plan's estimate
    building: str
    name: str
    parcels: int
    urgent: int
    contact: str | None
    sealed: bool
    crew: str


def building_notices(
    plan: Mapping[str, Any], site: Site, *, shift: str | None = None, lang: str = "zh"
) -> list[Notice]:
    """One notice per stop (a building served by two trips gets two), shift by shift, in the order
    the crews reach the buildings."""
    buildings = {b.id: b for b in site.buildings}
    sealed = sealed_buildings(site)
    notices = []
    for shift_plan in chosen_shifts(plan, site, shift=shift, lang=lang):
        stops = []
        for crew in shift_plan.get("crews", []):
            for trip in crew["trips"]:
                if trip.get("kept"):
                    continue  # a re-plan's trip already on the road: its buildings were told
                for stop in trip["stops"]:
                    building = buildings.get(stop["building"])
                    if building is None:
                        raise unknown_building(stop["building"])
                    stops.append(
                        Notice(
                            shift_plan["id"],
                            stop["arrive"][:5],
                            building.id,
                            building.name,
                            stop["parcels"],
                            stop.get("urgent", 0),
                            building.contact,
                            building.id in sealed,
                            crew["id"],
                        )
                    )
        notices.extend(sorted(stops, key=lambda n: (n.arrive, n.name)))
    return notices


_WHY: dict[str, str] = {
    "lane_closed": "why_lane_closed",
    "no_sealed_team": "why_sealed",
    "behind_sealed_zone": "why_sealed",
}
"""A cause of parcels left undelivered (`plan.py`) as a resident hears it; any other cause is
parcels more than the day's crews could take (`why_busy`)."""


@dataclass(frozen=True)
class NotToday:
    """A building's parcels that arrived for a shift and go out in none of the day's: its
    households should not wait downstairs for them."""

    shift: str
    building: str
    name: str
    parcels: int
    urgent: int
    contact: str | None
    why: tuple[str, ...]  # label keys, in the plan's order


def not_today(plan: Mapping[str, Any], site: Site) -> list[NotToday]:
    """The plan's undelivered parcels by arrival shift and building (the plan lists them by cause
    too: one line a building is what its group chat needs)."""
    buildings = {b.id: b for b in site.buildings}
    grouped: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for item in plan.get("undelivered", []):
        grouped.setdefault((item["shift"], item["building"]), []).append(item)
    found = []
    for (shift_id, building_id), items in grouped.items():
        building = buildings.get(building_id)
        if building is None:
            raise unknown_building(building_id)
        found.append(
            NotToday(
                shift_id,
                building.id,
                building.name,
                sum(item["parcels"] for item in items),
                sum(item.get("urgent", 0) for item in items),
                building.contact,
                tuple(dict.fromkeys(_WHY.get(item["cause"], "why_busy") for item in items)),
            )
        )
    return found


def notices_text(plan: Mapping[str, Any], site: Site, *, shift: str | None = None, lang: str = "zh") -> str:
    """The notices as plain text, a heading per shift and a line per stop, then a line per building
    whose parcels of that shift go out in no shift of the day: told before the shift, its
    households need not wait downstairs for a tricycle that is not coming."""
    notices = building_notices(plan, site, shift=shift, lang=lang)
    left = not_today(plan, site)
    labels = LABELS[lang]
    blocks = []
    for shift_plan in chosen_shifts(plan, site, shift=shift, lang=lang):
        shift_id = shift_plan["id"]
        lines = [
            labels["notice_line"].format(
                time=notice.arrive,
                building=notice.name,
                what=_what(labels, notice.parcels, notice.urgent),
                who=notice.contact or labels["notice_nobody"],
                ask=labels["notice_sealed"] if notice.sealed else labels["notice_collect"],
            )
            for notice in notices
            if notice.shift == shift_id
        ]
        lines += [
            labels["notice_not_today"].format(
                building=item.name,
                what=_what(labels, item.parcels, item.urgent),
                why=labels["why_separator"].join(labels[why] for why in item.why),
                who=item.contact or labels["notice_nobody"],
            )
            for item in left
            if item.shift == shift_id
        ]
        if lines:
            shown = shift_label(shift_id, lang)  # 上午班; a roster's own 早班 as it is
            date = plan.get("date") or ""
            head = (
                labels["notice_head"] if date else labels["notice_head"].replace(" {date}", "")
            )  # a day file with no date
            head = head.format(site=site.name, date=date, shift=shown)
            blocks.append("\n".join([head, *lines]))
    return "\n\n".join(blocks or [labels["no_trips"]]) + "\n"


def _what(labels: Mapping[str, str], parcels: int, urgent: int) -> str:
    what = labels["notice_parcel" if parcels == 1 else "notice_parcels"].format(n=parcels)
    return what + labels["notice_urgent"].format(n=urgent) if urgent else what


def returned_notices_text(reports: Sequence[TripReport], site: Site, *, date: str, lang: str = "zh") -> str:
    """A line per building whose parcels came back, for its group chat: the household that missed
    the tricycle learns its parcels are safe and go first next time (so it is downstairs then); a
    refused parcel's line says it goes back to the sender. Buildings in the site's order."""
    labels = LABELS[lang]
    names = {b.id: b for b in site.buildings}
    back: dict[tuple[str, bool], list[Returned]] = {}
    for report in reports:
        for item in report.returned:
            back.setdefault((item.building, item.goes_again), []).append(item)
    order = {b.id: number for number, b in enumerate(site.buildings)}
    lines = [labels["back_head"].format(site=site.name, date=date)]
    for (building_id, again), items in sorted(
        back.items(), key=lambda kv: (order.get(kv[0][0], len(order)), not kv[0][1])
    ):
        building = names.get(building_id)
        if building is None:
            raise unknown_building(building_id)
        what = _what(labels, sum(item.parcels for item in items), 0)
        if not again:
            lines.append(labels["back_refused"].format(building=building.name, what=what))
            continue
        reasons = dict.fromkeys(REASONS[item.reason][lang == "zh"] for item in items)
        lines.append(
            labels["back_line"].format(
                building=building.name,
                what=what,
                why=labels["why_separator"].join(reasons),
                who=building.contact or labels["notice_nobody"],
            )
        )
    if len(lines) == 1:
        lines.append(labels["back_none"])
    return "\n".join(lines) + "\n"
