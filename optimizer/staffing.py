"""How many volunteers tomorrow? The fewest riders per shift that deliver every parcel in the
shift it arrives for, found by planning each shift with more and more crews.

Riders are added one at a time, as far as the fleet has places for them; each count that fields
other crews than one rider fewer (`problem.shift_crews`) is planned with them. (Adding a vehicle's
crew at a time in the order of parcels per rider skipped counts: with two tricycles and an e-bike it
tried 1, 3 and 5 riders, never the two tricycles of 4.) A shift the whole fleet cannot clear is
then planned with more of its busiest vehicle, one at a time (`MAX_ADDED_VEHICLES`), so the answer
is a number to borrow rather than "not with this fleet".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from optimizer.clock import format_clock
from optimizer.day import Day, check_day
from optimizer.graph import SiteGraph
from optimizer.names import shift_label
from optimizer.operations import SEALED_PAIR, Operations, Shift, Vehicle
from optimizer.plan import Plan
from optimizer.plan_summary import POLICY_NAMES, padded, shown_width
from optimizer.planner import plan_day
from optimizer.problem import shift_crews
from optimizer.site import sealed_buildings


@dataclass(frozen=True)
class StaffingRow:
    policy: str
    shift: str
    parcels: int
    riders: int
    vehicles: dict[str, int]
    delivered: int
    finish: str | None
    crew_hours: float
    clears: bool
    added: dict[str, int] = field(default_factory=dict)
    """Vehicles beyond the roster's fleet this row was planned with (see MAX_ADDED_VEHICLES)."""
    beyond_crews: dict[str, int] = field(default_factory=dict)
    """Parcels left for a cause more crews do not remove, by the plan's cause (`plan._cause`): a
    sealed building without a designated pair, a lane closed, a sorter too slow."""

    @property
    def crews_suffice(self) -> bool:
        """Every parcel more crews could take goes out: what is left needs something else."""
        return self.delivered + sum(self.beyond_crews.values()) >= self.parcels

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def staffing(
    site_graph: SiteGraph,
    day: Day,
    operations: Operations,
    *,
    policies: Sequence[str],
    time_limit_s: float = 3.0,
    on_row: Callable[[StaffingRow], None] = lambda row: None,
) -> list[StaffingRow]:
    """A row per policy and shift, each handed to `on_row` as soon as it is found: the whole
    table takes a minute or more of planning, and a coordinator watching a page reads the first
    shift's answer while the rest are planned."""
    check_day(day, site_graph.site, operations)  # a row of a shift it lacks would fall in none
    rows = []
    for policy in policies:
        ops = operations.with_policy(policy)
        for number, shift in enumerate(ops.shifts):
            arriving = Day(
                date=day.date,
                rows=tuple(r for r in day.rows if r.shift == shift.id or (r.shift is None and number == 0)),
            )
            rows.append(_fewest_riders(site_graph, arriving, ops, number, policy, time_limit_s))
            on_row(rows[-1])
    return rows


MAX_ADDED_VEHICLES = 4
"""A shift the whole fleet cannot clear is planned again with one more of its busiest vehicle at a
time (with that vehicle's crew), up to this many: "does not clear" alone leaves the coordinator
asking how many tricycles to borrow. Four more is past any compound day measured (gelin-spring's
2,300 parcels need two tricycles a shift)."""


def _fewest_riders(
    site_graph: SiteGraph, day: Day, operations: Operations, number: int, policy: str, time_limit_s: float
) -> StaffingRow:
    shift = operations.shifts[number]
    if day.parcels == 0:
        return StaffingRow(policy, shift.id, 0, 0, {}, 0, None, 0.0, True)
    row = _fewest_crews(site_graph, day, operations, shift, policy, time_limit_s)
    if not row.beyond_crews.keys() & NEED_A_PAIR or any(
        v.sealed_ok and v.count_in(shift.id) for v in operations.fleet
    ):
        return row  # no pair wanted, or the roster's own went out: what they leave is the plan's to say
    pair_id = PAIR_ID if all(v.id != PAIR_ID for v in operations.fleet) else f"{PAIR_ID}-added"
    for pairs in range(1, MAX_ADDED_VEHICLES + 1):
        # pairs go out first (`problem._fielded`): the fewest riders are searched again with them
        with_pairs = replace(
            operations, fleet=(*operations.fleet, Vehicle(id=pair_id, count=pairs, **SEALED_PAIR))
        )
        row = _fewest_crews(site_graph, day, with_pairs, shift, policy, time_limit_s, added={pair_id: pairs})
        if row.crews_suffice and not row.beyond_crews.keys() & NEED_A_PAIR:
            break
    return row


def _fewest_crews(
    site_graph: SiteGraph,
    day: Day,
    operations: Operations,
    shift: Shift,
    policy: str,
    time_limit_s: float,
    *,
    added: dict[str, int] | None = None,
) -> StaffingRow:
    """The fewest riders, then more of the busiest vehicle, that take every parcel crews can;
    `added`: vehicles `operations` has beyond the roster's fleet."""
    added = added or {}
    # the row where no vehicle runs, until one does
    row = StaffingRow(policy, shift.id, day.parcels, 0, {}, 0, None, 0.0, False, dict(added))
    fielded_before: dict[str, int] = {}
    busiest: str | None = None  # the fleet entry whose crew moved the most parcels
    for riders in range(1, _seats(operations.fleet, shift.id) + 1):
        alone = replace(operations, shifts=(replace(shift, riders=riders),))
        [fielded] = shift_crews(alone)
        if fielded.crews == fielded_before:  # the same crews as one rider fewer: nothing to try
            continue
        fielded_before = fielded.crews
        row, busiest = _planned(site_graph, day, alone, policy, time_limit_s, added=added)
        if row.crews_suffice:
            return row if row.delivered else replace(row, riders=0)  # none a crew could take
    if busiest is None:
        return row
    for more_of in range(1, MAX_ADDED_VEHICLES + 1):
        fleet = tuple(replace(v, count=v.count + more_of) if v.id == busiest else v for v in operations.fleet)
        more = replace(operations, fleet=fleet, shifts=(replace(shift, riders=_seats(fleet, shift.id)),))
        beyond = {**added, busiest: added.get(busiest, 0) + more_of}
        row, _ = _planned(site_graph, day, more, policy, time_limit_s, added=beyond)
        if row.crews_suffice:
            break
    return row


NEED_A_PAIR = frozenset({"no_sealed_team", "behind_sealed_zone"})
PAIR_ID = "sealed-pair"
"""Where parcels are left for want of a designated pair and the roster has none in the shift, the
shift is planned again with one pair more at a time (`operations.SEALED_PAIR`, two riders each,
up to MAX_ADDED_VEHICLES), named so in `added`: "a designated pair" is the answer, not "no more
crews take them"."""


CREWS_TAKE = frozenset({"shift_capacity", "no_crew"})
"""Causes of parcels left (`plan._cause`) that more crews remove: too little crew time, and no crew
on a vehicle that reaches the building. Planning with more riders or vehicles for the others (a
sealed building without a designated pair, ...) said "does not clear even with tricycle +4"
where a designated pair was wanting."""


def _seats(fleet: Sequence[Vehicle], shift_id: str) -> int:
    """Riders the fleet has places for in the shift."""
    return sum(v.count_in(shift_id) * v.crew for v in fleet)


def _planned(
    site_graph: SiteGraph,
    day: Day,
    alone: Operations,
    policy: str,
    time_limit_s: float,
    *,
    added: dict[str, int] | None = None,
) -> tuple[StaffingRow, str | None]:
    """The row of one shift planned alone (`alone` holds only it), and its busiest vehicle."""
    [shift] = alone.shifts
    plan = plan_day(site_graph, day, alone, time_limit_s=time_limit_s)
    crews = [crew for s in plan.shifts for crew in s.crews]
    # the vehicle more of which would take what crews left: a designated pair's where only sealed
    # doors are left (more tricycles, which may not serve them, were planned in vain)
    # (and not a pair kept to sealed buildings where open ones are left)
    candidates = [crew for crew in crews if not alone.vehicle(crew.vehicle).sealed_only] or crews
    left = {item.building for item in plan.undelivered if item.cause in CREWS_TAKE}
    if left and left <= sealed_buildings(site_graph.site):
        candidates = [crew for crew in crews if alone.vehicle(crew.vehicle).sealed_ok] or crews
    busiest = max(candidates, key=lambda crew: sum(t.parcels for t in crew.trips), default=None)
    row = StaffingRow(
        policy=policy,
        shift=shift.id,
        parcels=day.parcels,
        riders=shift.riders,
        vehicles=dict(Counter(crew.vehicle for crew in crews)),
        delivered=plan.delivered,
        finish=max((format_clock(crew.finish_s) for crew in crews), default=None),
        crew_hours=round(plan.crew_s / 3600, 2),
        clears=plan.delivered == day.parcels,
        added=added or {},
        beyond_crews=dict(Counter(_left_by_cause(plan))),
    )
    return row, None if busiest is None else busiest.vehicle


def _left_by_cause(plan: Plan) -> Counter[str]:
    left: Counter[str] = Counter()
    for item in plan.undelivered:
        if item.cause not in CREWS_TAKE:
            left[item.cause] += item.parcels
    return left


CAUSE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "no_sealed_team": "sealed buildings need a designated pair",
        "behind_sealed_zone": "behind a sealed zone's fence, for a designated pair",
        "lane_closed": "the lanes to them are closed",
        "sorter_pace": "the sorter cannot keep up, add one",
        "standing": "they may be loaded too late",
    },
    "zh": {
        "no_sealed_team": "封控楼要指定的两人组",
        "behind_sealed_zone": "在封控区围挡里，要指定的两人组",
        "lane_closed": "去那里的路封了",
        "sorter_pace": "分拣跟不上，要加分拣员",
        "standing": "能装车时已太晚",
    },
}
"""What keeps parcels back that more crews do not take, in a few words: the table's note and the
page's (`api/web/labels.py`, staffing_cause_*)."""

_TABLE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "columns": "policy|shift|parcels|riders|vehicles|delivered|finish|crew-h",
        "vehicle": "{n} {vehicle}",
        "cleared_with": "clears with {more} beyond the fleet",
        "not_even_with": "does not clear even with {more} beyond the fleet",
        "not_with_fleet": "does not clear with the whole fleet",
        "beyond_crews": "{parcels} parcels no more crews take: {causes}",
    },
    "zh": {
        "columns": "停靠方式|班次|件数|骑手|车辆|送达|最后回来|人时",
        "vehicle": "{vehicle} ×{n}",
        "cleared_with": "车队再加 {more} 能送完",
        "not_even_with": "车队再加 {more} 也送不完",
        "not_with_fleet": "整个车队也送不完",
        "beyond_crews": "{parcels} 件加组也送不了：{causes}",
    },
}


def table_lines(rows: Sequence[StaffingRow], lang: str = "en") -> list[str]:
    """What `onebell staffing` prints: a row per policy and shift, and how each shift clears (or
    what more it would take); Chinese for a coordinator whose machine is set up in Chinese."""
    words = {**_TABLE_WORDS[lang], **CAUSE_WORDS[lang]}
    least = (12, 10, -7, -6, 22, -9, 8, -6)  # terminal columns; negative: aligned right
    table = [words["columns"].split("|")]
    notes = [""]
    for row in rows:
        vehicles = ", ".join(words["vehicle"].format(n=n, vehicle=v) for v, n in row.vehicles.items())
        table.append(
            [
                POLICY_NAMES.get(lang, {}).get(row.policy, row.policy),
                shift_label(row.shift, lang) if lang == "zh" else row.shift,
                str(row.parcels),
                str(row.riders),
                vehicles or "-",
                str(row.delivered),
                row.finish or "-",
                f"{row.crew_hours:.2f}",
            ]
        )
        notes.append(_note(row, words))
    # a column as wide as its widest cell (three kinds of vehicle in a crew list run past 22)
    widths = [
        (1 if width > 0 else -1) * max(abs(width), *(shown_width(cells[n]) for cells in table))
        for n, width in enumerate(least)
    ]
    return [
        ("  ".join(padded(text, width) for text, width in zip(cells, widths, strict=True)) + note).rstrip()
        for cells, note in zip(table, notes, strict=True)
    ]


def _note(row: StaffingRow, words: Mapping[str, str]) -> str:
    more = ", ".join(f"{vehicle} +{n}" for vehicle, n in row.added.items())  # ids do not pluralise
    beyond = ""
    if row.beyond_crews:
        causes = "; ".join(words.get(cause, cause) for cause in sorted(row.beyond_crews))
        beyond = "  " + words["beyond_crews"].format(parcels=sum(row.beyond_crews.values()), causes=causes)
    if row.crews_suffice:
        return ("  " + words["cleared_with"].format(more=more) if more else "") + beyond
    if more:
        return "  " + words["not_even_with"].format(more=more) + beyond
    return "  " + words["not_with_fleet"] + beyond
