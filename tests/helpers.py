"""Helpers for the tests: tiny sites drawn in metres, operations, days, and the plan checker."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from fixtures.generate import STOP, three_on_a_lane
from optimizer.check import check_plan
from optimizer.clock import format_clock, parse_clock
from optimizer.day import CountRow, Day
from optimizer.drawing import Drawing
from optimizer.graph import SiteGraph, build_graph
from optimizer.operations import SEALED_PAIR, VEHICLE_DEFAULTS, Operations, parse_operations
from optimizer.plan import Plan
from optimizer.site import parse_site

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def slower_stops(plan: dict[str, Any], extra_s: int, reload_s: int) -> list[tuple[str, int, str]]:
    """When each trip of `plan` is back at the gate if each of its stops takes `extra_s` more than
    planned and a trip leaves once the crew's trip before it is back and reloaded: (crew, trip
    number as on the card, HH:MM:SS), in the plan's order."""
    backs = []
    for shift in plan["shifts"]:
        for crew in shift["crews"]:
            back: int | None = None
            for number, trip in enumerate(crew["trips"], start=1):
                depart, planned = parse_clock(trip["depart"]) or 0, parse_clock(trip["return"]) or 0
                left = depart if back is None else max(depart, back + reload_s)
                back = left + planned - depart + extra_s * len(trip["stops"])
                backs.append((crew["id"], number, format_clock(back)))
    return backs


def fleet_entry(kind: str, *, count: int = 1, **overrides: Any) -> dict[str, Any]:
    """A fleet entry with id `kind` and the figures the page starts such a vehicle with: a mode's
    (`VEHICLE_DEFAULTS`) or, for "pair", the designated pair's (`SEALED_PAIR`)."""
    figures = SEALED_PAIR if kind == "pair" else {"mode": kind, **VEHICLE_DEFAULTS[kind]}
    return {"id": kind, "count": count, **figures, **overrides}


def operations(**overrides: Any) -> Operations:
    """One tricycle crew (2 riders, 80 parcels, 7.2 km/h = 2 m/s) in a morning and an afternoon."""
    document: dict[str, Any] = {
        "shifts": [
            {"id": "morning", "start": "08:00", "end": "10:00", "riders": 2},
            {"id": "afternoon", "start": "14:00", "end": "16:00", "riders": 2},
        ],
        "fleet": [
            {"id": "tricycle", "mode": "tricycle", "count": 1, "capacity": 80, "crew": 2, "speed_kmh": 7.2}
        ],
        "stop": STOP,
        "gate": {"reload_s": 240},
    }
    document.update(overrides)
    return parse_operations(document)


def day(*rows: tuple[Any, ...], date: str = "2022-04-28") -> Day:
    """Rows as (building, parcels[, shift[, urgent[, arrived HH:MM]]])."""
    made = []
    for line, row in enumerate(rows, start=2):
        building, parcels, *rest = row
        shift = rest[0] if rest else None
        urgent = rest[1] if len(rest) > 1 else 0
        arrived = parse_clock(rest[2]) if len(rest) > 2 else None
        made.append(
            CountRow(
                building=building, parcels=parcels, shift=shift, urgent=urgent, line=line, arrived_s=arrived
            )
        )
    return Day(date=date, rows=tuple(made))


def feature_properties(document: dict[str, Any], kind: str, feature_id: str) -> dict[str, Any]:
    """The properties of a site map's feature, to change in place."""
    return next(
        f["properties"]
        for f in document["features"]
        if f["properties"]["kind"] == kind and f["properties"]["id"] == feature_id
    )


def graph_of(drawing: Drawing) -> SiteGraph:
    return build_graph(parse_site(drawing.document()))


def assert_valid(site_graph: SiteGraph, the_day: Day, ops: Operations, plan: Plan) -> dict[str, Any]:
    """Round-trip the plan through JSON and run the independent checker on it."""
    document = json.loads(json.dumps(plan.to_dict()))
    violations = check_plan(site_graph, the_day, ops, document)
    assert violations == [], "\n".join(violations)
    return document


__all__ = ["assert_valid", "day", "fleet_entry", "graph_of", "operations", "three_on_a_lane"]


def workbook(*rows: tuple[Any, ...]) -> bytes:
    """An Excel workbook (.xlsx) whose first sheet holds these rows, cells typed as given (ints,
    floats, times, dates), as Excel would save the coordinator's sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
