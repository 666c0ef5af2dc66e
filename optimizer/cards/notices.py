"""Advance notice for each building's contact household: when the crew will be at the door, with
how many parcels — text the coordinator posts in the building's group chat before the shift.

The whole point of notifying one household is that it alerts the rest; told the time ahead, the
household is downstairs when the tricycle arrives and the stop takes the planned minute. Times are
the plan's estimates, so the text says "about".
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.cards.labels import LABELS
from optimizer.cards.render import chosen_shifts, unknown_building
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


def notices_text(plan: Mapping[str, Any], site: Site, *, shift: str | None = None, lang: str = "zh") -> str:
    """The notices as plain text, a heading per shift and a line per stop."""
    notices = building_notices(plan, site, shift=shift, lang=lang)
    labels = LABELS[lang]
    blocks = []
    for shift_id, group in itertools.groupby(notices, key=lambda n: n.shift):
        lines = [labels["notice_head"].format(site=site.name, date=plan.get("date") or "", shift=shift_id)]
        for notice in group:
            what = labels["notice_parcel" if notice.parcels == 1 else "notice_parcels"].format(
                n=notice.parcels
            )
            if notice.urgent:
                what += labels["notice_urgent"].format(n=notice.urgent)
            lines.append(
                labels["notice_line"].format(
                    time=notice.arrive,
                    building=notice.name,
                    what=what,
                    who=notice.contact or labels["notice_nobody"],
                    ask=labels["notice_sealed"] if notice.sealed else labels["notice_collect"],
                )
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks or [labels["no_trips"]]) + "\n"


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
        parcels = sum(item.parcels for item in items)
        what = labels["notice_parcel" if parcels == 1 else "notice_parcels"].format(n=parcels)
        if not again:
            lines.append(labels["back_refused"].format(building=building.name, what=what))
            continue
        reasons = dict.fromkeys(REASONS[item.reason][lang == "zh"] for item in items)
        lines.append(
            labels["back_line"].format(
                building=building.name,
                what=what,
                why="，".join(reasons) if lang == "zh" else "; ".join(reasons),
                who=building.contact or labels["notice_nobody"],
            )
        )
    if len(lines) == 1:
        lines.append(labels["back_none"])
    return "\n".join(lines) + "\n"
