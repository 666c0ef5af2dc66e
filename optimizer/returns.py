"""What a trip brought back to the gate, and which of it goes out again.

A plan says which parcels a trip carries; the stairwell decides which of them stay. Nobody came
down for them (the household notified was out, the bell broken), the building was sealed while the
trip was on its way, a resident refused one: the crew comes back with parcels, and in the 2022
lockdown those were the parcels a team lost track of. The sorter takes the crew back at the gate
and says so, trip by trip; what came back to be tried again joins the next day's counts as held
over from the day it first reached the gate (`optimizer.held_over`), so it goes out first. A
refused parcel goes back to the sender instead, and is only counted.

A report names its trip by crew and number on the crew's card; it is kept by the crew and the
trip's departure, which a re-plan that keeps the trips on the road does not change, so a report
made on the morning's plan still stands beside the re-plan made at noon.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.clock import format_clock, parse_clock
from optimizer.day import CountRow
from optimizer.errors import OneBellError
from optimizer.names import crew_meant, crew_said_zh
from optimizer.site import house_number

RETRY = ("no_answer", "sealed", "other")
"""Reasons whose parcels go out again on a later day."""
REASONS: dict[str, tuple[str, str]] = {
    "no_answer": ("nobody came down for them", "没人下来取"),
    "sealed": ("the building was sealed", "楼被封控了"),
    "refused": ("refused, back to the sender", "拒收，退回寄件方"),
    "other": ("other", "其他原因"),
}
"""Why parcels came back, in English and Chinese, as the page and the history say it."""


RETURNED_COLUMNS = {
    "crew": ("crew", "组", "小组"),
    "trip": ("trip", "趟", "第几趟"),
    "building": ("building", "楼号", "楼栋"),
    "parcels": ("parcels", "件数", "带回件数"),
    "urgent": ("urgent", "急件"),
    "reason": ("reason", "原因"),
    "back_at": ("back_at", "回来时间", "回到大门"),
}
"""A sheet of what came back: its columns, by their English or Chinese headers."""


class ReportError(OneBellError):
    """A trip's report names a crew, trip, building or count its plan does not have."""


@dataclass(frozen=True)
class Returned:
    building: str
    parcels: int
    reason: str
    urgent: int = 0
    held_from: str | None = None
    """The day these parcels first reached the gate, when the stop carried them held over from an
    earlier day (the oldest such day, so they keep their place in the queue); None: the plan's day."""

    @property
    def goes_again(self) -> bool:
        return self.reason in RETRY


@dataclass(frozen=True)
class TripReport:
    shift: str
    crew: str
    trip: int
    """1-based, as the crew's route card numbers its trips."""
    depart: str
    parcels: int
    """The trip's load, so a report says "3 of 80 came back" without its plan."""
    returned: tuple[Returned, ...] = ()
    planned_return: str | None = None
    back_at: str | None = None
    """When the trip was back at the gate (HH:MM:SS, the compound's clock), where the sorter said:
    beside `planned_return` it says whether the plan's stop and ride times hold in the stairwells."""
    stops: int | None = None
    """The buildings the trip stopped at, to spread its lateness over (reports made before it
    was kept have none)."""

    @property
    def late_s(self) -> int | None:
        """Seconds back after the plan said (negative: early); None without both times."""
        back, planned = parse_clock(self.back_at), parse_clock(self.planned_return)
        return None if back is None or planned is None else back - planned

    @property
    def back_s(self) -> int | None:
        """When the trip was back at the gate: as the sorter said, else as the plan had it."""
        return parse_clock(self.back_at) if self.back_at else parse_clock(self.planned_return)

    @property
    def returned_parcels(self) -> int:
        return sum(item.parcels for item in self.returned)

    @property
    def again_parcels(self) -> int:
        """Of them, those to go out again (all but the refused)."""
        return sum(item.parcels for item in self.returned if item.goes_again)

    def to_dict(self) -> dict[str, Any]:
        return {
            "shift": self.shift,
            "crew": self.crew,
            "trip": self.trip,
            "depart": self.depart,
            "parcels": self.parcels,
            **({"planned_return": self.planned_return} if self.planned_return else {}),
            **({"back_at": self.back_at} if self.back_at else {}),
            **({"stops": self.stops} if self.stops is not None else {}),
            "returned": [
                {
                    "building": item.building,
                    "parcels": item.parcels,
                    "urgent": item.urgent,
                    "reason": item.reason,
                    **({"held_from": item.held_from} if item.held_from else {}),
                }
                for item in self.returned
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TripReport:
        """A report as `to_dict` stored it (checked when it was made)."""
        return cls(
            shift=data["shift"],
            crew=data["crew"],
            trip=data["trip"],
            depart=data["depart"],
            parcels=data["parcels"],
            planned_return=data.get("planned_return"),
            back_at=data.get("back_at"),
            stops=data.get("stops"),
            returned=tuple(
                Returned(
                    building=item["building"],
                    parcels=item["parcels"],
                    reason=item["reason"],
                    urgent=item.get("urgent", 0),
                    held_from=item.get("held_from"),
                )
                for item in data["returned"]
            ),
        )


def trip_report(
    plan: Mapping[str, Any],
    crew: str,
    trip: int,
    returned: Sequence[Mapping[str, Any]],
    back_at: str | None = None,
) -> TripReport:
    """The report of the plan's `trip` of `crew`, checked against what the trip carried: every
    building it names is a stop of the trip, and no more parcels (or urgent ones) came back from a
    building than the trip took there. `returned` items: building, parcels, reason, urgent.
    `back_at` (HH:MM): when it was back at the gate, after it left."""
    crew = crew_meant(crew, _crew_ids(plan))  # as the plan has it, or as the Chinese paper prints it
    shift, found = _trip(plan, crew, trip)
    back_s = None
    if back_at is not None:
        back_s = parse_clock(back_at)
        depart_s = parse_clock(found["depart"]) or 0
        if back_s is None or back_s <= depart_s:
            raise ReportError(
                f"back_at: trip {trip} of crew {crew} left at {found['depart'][:5]}, so it cannot be back at "
                f"{back_at!r}; give the time it was back (HH:MM), after it left",
                field="back_at",
                zh=f"back_at：{crew_said_zh(crew)}第 {trip} 趟 {found['depart'][:5]} 出发，不可能在「{back_at}」回来；"
                "请写回到大门的时间（时:分），要在出发之后",
            )
    stops = {stop["building"]: stop for stop in found.get("stops", [])}
    back: dict[str, list[int]] = {}
    items = []
    for number, item in enumerate(returned):
        where = f"returned[{number}]"
        building, parcels = item.get("building"), item.get("parcels")
        urgent, reason = item.get("urgent", 0) or 0, item.get("reason")
        if isinstance(building, str) and building not in stops and house_number(building) in stops:
            building = house_number(building)  # "64号楼" as the sorter writes it, for stop 64
        stop = stops.get(building) if isinstance(building, str) else None
        if stop is None or not isinstance(building, str):
            raise ReportError(
                f"{where}.building: trip {trip} of crew {crew} did not go to building {building!r}; "
                f"its stops are {', '.join(stops) or 'none'}",
                field=f"{where}.building",
                zh=f"{where}.building：{crew_said_zh(crew)}第 {trip} 趟没有去「{building}」；"
                f"这一趟去的是 {'、'.join(stops) or '（没有）'}",
            )
        if reason not in REASONS:
            raise ReportError(
                f"{where}.reason: {reason!r} is not a reason parcels come back; use one of {', '.join(REASONS)}",
                field=f"{where}.reason",
                zh=f"{where}.reason：「{reason}」不是件被带回的原因；请用 {'、'.join(REASONS)} 之一",
            )
        total, urgent_total = back.setdefault(building, [0, 0])
        if not isinstance(parcels, int) or parcels < 1 or total + parcels > stop["parcels"]:
            raise ReportError(
                f"{where}.parcels: trip {trip} of crew {crew} took {stop['parcels']} parcels to building "
                f"{building}, so {total + (parcels if isinstance(parcels, int) else 0)} cannot have come "
                "back; give from 1 up to what it took",
                field=f"{where}.parcels",
                zh=f"{where}.parcels：{crew_said_zh(crew)}第 {trip} 趟给 {building} 号楼送了 {stop['parcels']} 件，"
                f"带回的件数要在 1 到 {stop['parcels']} 之间（同一栋楼加起来）",
            )
        if not isinstance(urgent, int) or urgent < 0 or urgent > parcels:
            raise ReportError(
                f"{where}.urgent: {urgent!r} urgent of {parcels} parcels brought back; give from 0 to {parcels}",
                field=f"{where}.urgent",
                zh=f"{where}.urgent：带回 {parcels} 件，其中急件要在 0 到 {parcels} 之间",
            )
        if urgent_total + urgent > stop.get("urgent", 0):
            raise ReportError(
                f"{where}.urgent: trip {trip} of crew {crew} took {stop.get('urgent', 0)} urgent parcels "
                f"to building {building}, so {urgent_total + urgent} cannot have come back",
                field=f"{where}.urgent",
                zh=f"{where}.urgent：{crew_said_zh(crew)}第 {trip} 趟给 {building} 号楼送了 {stop.get('urgent', 0)} 件急件，"
                f"带不回 {urgent_total + urgent} 件",
            )
        back[building] = [total + parcels, urgent_total + urgent]
        held = sorted(b["held_from"] for b in stop.get("batches", []) if b.get("held_from"))
        items.append(Returned(building, parcels, reason, urgent, held[0] if held else None))
    return TripReport(
        shift=shift,
        crew=crew,
        trip=trip,
        depart=found["depart"],
        parcels=found["parcels"],
        returned=tuple(items),
        planned_return=found.get("return"),
        back_at=None if back_s is None else format_clock(back_s),
        stops=len(found.get("stops", [])),
    )


def _crew_ids(plan: Mapping[str, Any]) -> list[str]:
    return [c["id"] for shift in plan.get("shifts", []) for c in shift["crews"]]


def _trip(plan: Mapping[str, Any], crew: str, trip: int) -> tuple[str, Mapping[str, Any]]:
    crews = {c["id"]: (shift["id"], c) for shift in plan.get("shifts", []) for c in shift["crews"]}
    if crew not in crews:
        raise ReportError(
            f"crew: the plan has no crew {crew!r}; its crews are {', '.join(crews) or 'none'}",
            field="crew",
            zh=f"crew：路线计划里没有「{crew}」这个组；有的是 {'、'.join(map(crew_said_zh, crews)) or '（没有）'}",
        )
    shift, found = crews[crew]
    trips = found["trips"]
    if not 1 <= trip <= len(trips):
        raise ReportError(
            f"trip: crew {crew} has trips 1 to {len(trips)} in this plan, not {trip}",
            field="trip",
            zh=f"trip：{crew_said_zh(crew)}在这份路线里是第 1 到第 {len(trips)} 趟，没有第 {trip} 趟",
        )
    return shift, trips[trip - 1]


def returned_rows(reports: Iterable[TripReport], held_from: str | None) -> tuple[CountRow, ...]:
    """What the trips brought back to be tried again, as count rows: into a later day held over
    from `held_from` (the reports' day), or into the same day (None) in the trip's shift, back at
    the gate when the sorter said (else when the plan had the trip back) — they need not stand
    again, and an urgent one's window starts anew then. Parcels that were held over from an
    earlier day keep that day either way, so they stay ahead of later ones."""
    today = held_from is None
    return tuple(
        CountRow(
            item.building,
            item.parcels,
            shift=report.shift if today else None,
            urgent=item.urgent,
            held_from=item.held_from or held_from,
            back_s=report.back_s if today else None,
        )
        for report in reports
        for item in report.returned
        if item.goes_again
    )


def read_returned_csv(
    text: str, plan: Mapping[str, Any], *, source: str = "returned"
) -> tuple[TripReport, ...]:
    """A sheet of what trips brought back (`crew,trip,building,parcels[,urgent,reason,back_at]`, a
    row per building and reason; the reason as its key or in words, default no_answer), checked
    trip by trip against `plan` as a report over the API is; an error names the sheet's line. A
    trip's time back (`back_at`, as the load list has it written) may stand on any of its rows,
    or on a row of its own with building and parcels blank: a trip back with everything delivered."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [cell.strip().lower() for cell in next(reader, [])]
    where = {
        name: next((i for i, cell in enumerate(header) if cell in heads), None)
        for name, heads in RETURNED_COLUMNS.items()
    }
    missing = [name for name in ("crew", "trip", "building", "parcels") if where[name] is None]
    if missing:
        raise ReportError(
            f"{source}: line 1 needs the columns crew,trip,building,parcels; {', '.join(missing)} missing",
            field=missing[0],
            zh=f"{source}：第 1 行要有 组,趟,楼号,件数 这几列；缺 {'、'.join(missing)}",
        )
    words = {text: key for key, pair in REASONS.items() for text in (key, *pair)}
    crews = _crew_ids(plan)
    trips: dict[tuple[str, int], list[tuple[int, dict[str, Any]]]] = {}
    back: dict[tuple[str, int], tuple[int, str]] = {}  # a trip's time back, and the line giving it
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = {name: (row[i].strip() if i is not None and i < len(row) else "") for name, i in where.items()}
        time_only = bool(cell["back_at"]) and not cell["building"] and not cell["parcels"]
        try:
            trip = int(cell["trip"])
            parcels, urgent = (0, 0) if time_only else (int(cell["parcels"]), int(cell["urgent"] or 0))
        except ValueError:
            raise ReportError(
                f"{source}: line {line}: trip, parcels and urgent must be whole numbers, got "
                f"{cell['trip']!r}, {cell['parcels']!r}, {cell['urgent']!r}",
                field=f"line {line}",
                zh=f"{source}：第 {line} 行：趟、件数和急件要写整数",
            ) from None
        key = (crew_meant(cell["crew"], crews), trip)
        rows_of_trip = trips.setdefault(key, [])
        if cell["back_at"]:
            earlier = back.setdefault(key, (line, cell["back_at"]))
            if parse_clock(earlier[1]) != parse_clock(cell["back_at"]):
                raise ReportError(
                    f"{source}: line {line}: trip {trip} of crew {cell['crew']} was back at {earlier[1]} "
                    f"(line {earlier[0]}), not {cell['back_at']}; give one time a trip",
                    field=f"line {line}",
                    zh=f"{source}：第 {line} 行：{crew_said_zh(key[0])}第 {trip} 趟第 {earlier[0]} 行写的是 "
                    f"{earlier[1]} 回来，这里是 {cell['back_at']}；一趟只写一个时间",
                )
        if time_only:
            continue
        item = {"building": cell["building"], "parcels": parcels, "urgent": urgent}
        item["reason"] = words.get(cell["reason"], cell["reason"]) if cell["reason"] else "no_answer"
        rows_of_trip.append((line, item))
    reports = []
    for (crew, trip), rows in trips.items():
        line_back, back_at = back.get((crew, trip), (0, None))
        try:
            reports.append(trip_report(plan, crew, trip, [item for _, item in rows], back_at=back_at))
        except ReportError as error:
            number = int(error.field.split("[")[1].split("]")[0]) if error.field and "[" in error.field else 0
            line = line_back if error.field == "back_at" else rows[number][0] if rows else line_back
            raise ReportError(
                f"{source}: line {line}: {error.message}",
                field=f"line {line}",
                zh=f"{source}：第 {line} 行：{error.zh}",
            ) from None
    return tuple(reports)
