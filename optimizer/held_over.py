"""Parcels a day's plan left undelivered, carried into a later day's counts.

Parcels that did not go out are still at the gate the next morning. In the 2022 lockdown the
backlog was what a compound's courier group fought: yesterday's leftovers had to go out first, and
a plan that forgets them loses them. A later day's counts hold them as rows with `held_from` (the
day they first reached the gate); the planner lets them go out from the first shift and, when not
everything fits, puts them before the day's own parcels, the oldest first (urgent ones before all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from optimizer.day import CountRow, Day
from optimizer.errors import DayError, PlanError


def held_over_rows(plan: Mapping[str, Any]) -> tuple[CountRow, ...]:
    """The plan's undelivered parcels as count rows, each held over from the day it first
    reached the gate (the plan's date, or an earlier `held_from` it was itself carrying)."""
    undelivered = plan.get("undelivered")
    if not isinstance(undelivered, list):
        raise PlanError(
            "the plan has no undelivered list; is it a OneBell plan?",
            field="undelivered",
            zh="路线计划里没有未送达清单（undelivered）；这是一铃做的路线计划吗？",
        )
    date = plan.get("date")
    rows = []
    for number, item in enumerate(undelivered):
        where = f"undelivered[{number}]"
        if not isinstance(item, Mapping):
            raise PlanError(
                f"the plan's {where} is not an object",
                field=where,
                zh=f"路线计划的 {where} 格式不对（要是一个对象）",
            )
        building, parcels, urgent = item.get("building"), item.get("parcels"), item.get("urgent", 0)
        if not isinstance(building, str) or not isinstance(parcels, int) or not isinstance(urgent, int):
            raise PlanError(
                f"the plan's {where} needs building, parcels and urgent",
                field=where,
                zh=f"路线计划的 {where} 要有 building、parcels 和 urgent",
            )
        held_from = item.get("held_from") or date
        if not isinstance(held_from, str):
            raise PlanError(
                "the plan has no date, so its undelivered parcels cannot say which day they are held "
                "over from; plan with --date YYYY-MM-DD",
                field="date",
                zh="路线计划没有日期，说不出未送达的件是哪天留下的；排路线时请加上 --date 年-月-日",
            )
        rows.append(CountRow(building, parcels, urgent=urgent, line=number + 1, held_from=held_from))
    return tuple(rows)


@dataclass(frozen=True)
class HeldOver:
    """What an earlier day's plan leaves to a later day, set beside what the later day's counts
    already hold of it — so a coordinator can be told parcels are waiting at the gate before
    anything is added, and adding them twice still counts each parcel once."""

    undelivered: tuple[CountRow, ...]
    """the parcels the plan left undelivered"""
    returned: tuple[CountRow, ...]
    """the parcels its day's trips brought back to go out again"""
    replaced: tuple[CountRow, ...]
    """the later day's rows held over from the same days, which `held` takes the place of"""
    kept: tuple[CountRow, ...]
    """the later day's other rows"""
    date: str | None
    """the later day"""
    forgotten: tuple[CountRow, ...] = ()
    """parcels a still earlier day left that the plan's own day was planned without (neither in
    its counts nor set aside): still at the gate, so carried on with the plan's own leftovers"""

    @cached_property
    def day(self) -> Day:
        """The later day's counts with `held` in place of `replaced` (built when asked: a day
        followed back only to learn what it lacked needs none)."""
        return Day(date=self.date, rows=tuple(_numbered([*self.kept, *self.held])))

    @property
    def held(self) -> tuple[CountRow, ...]:
        """Every parcel the earlier day leaves to the later one."""
        return (*self.undelivered, *self.returned, *self.forgotten)

    @property
    def not_in_counts(self) -> tuple[CountRow, ...]:
        """What the later day's counts lack of `held`, building by building and day held over from:
        the parcels that day would be planned without."""
        have = _by_building(self.replaced)
        lacking: list[CountRow] = []
        for (building, held_from), (parcels, urgent) in _by_building(self.held).items():
            had_parcels, had_urgent = have.get((building, held_from), (0, 0))
            if parcels > had_parcels:
                short = parcels - had_parcels
                urgent_short = min(max(urgent - had_urgent, 0), short)
                row = CountRow(
                    building, short, urgent=urgent_short, line=len(lacking) + 2, held_from=held_from
                )
                lacking.append(row)
        return tuple(lacking)

    @property
    def in_counts(self) -> bool:
        """The later day's counts hold these parcels already, building by building (added before,
        and the earlier day not planned again since)."""
        return _by_building(self.held) == _by_building(self.replaced)


def held_over(
    day: Day, plan: Mapping[str, Any], returned: Sequence[CountRow] = (), forgotten: Sequence[CountRow] = ()
) -> HeldOver:
    """The plan's undelivered parcels, and those its day's trips brought back to go out again
    (`optimizer.returns.returned_rows`), carried into `day`, with `forgotten` (what the plan's own
    day lacked of the day before's leftovers, `HeldOver.not_in_counts` there). Rows held over from
    the same days as those of the plan are replaced, not added again: carrying the same plan over
    twice (the coordinator pressed the button twice) counts its parcels once."""
    undelivered = held_over_rows(plan)
    held = (*undelivered, *returned, *forgotten)
    if day.date is not None and plan.get("date") is not None and plan["date"] >= day.date:
        raise DayError(
            f"the plan is for {plan['date']}; parcels can be held over only into a later day, not {day.date}",
            field="date",
            zh=f"路线计划是 {plan['date']} 的；没送完的件只能留到以后的日子，不能留到 {day.date}",
        )
    carried_days = {row.held_from for row in held} | {plan.get("date")}
    replaced = tuple(row for row in day.rows if row.held_from is not None and row.held_from in carried_days)
    kept = tuple(row for row in day.rows if row.held_from is None or row.held_from not in carried_days)
    return HeldOver(undelivered, tuple(returned), replaced, kept, day.date, tuple(forgotten))


def with_held_over(day: Day, plan: Mapping[str, Any], returned: Sequence[CountRow] = ()) -> Day:
    """The day's counts with the plan's undelivered parcels (and `returned`) held over into them."""
    return held_over(day, plan, returned).day


def _by_building(rows: Sequence[CountRow]) -> dict[tuple[str, str | None], tuple[int, int]]:
    """Parcels and urgent ones per building and day held over from: what the rows' order and
    lines leave unchanged."""
    sums: dict[tuple[str, str | None], tuple[int, int]] = {}
    for row in rows:
        parcels, urgent = sums.get((row.building, row.held_from), (0, 0))
        sums[row.building, row.held_from] = (parcels + row.parcels, urgent + row.urgent)
    return sums


def _numbered(rows: list[CountRow]) -> list[CountRow]:
    """Lines as in the CSV the rows are written to (the header is line 1)."""
    return [replace(row, line=line, unit="line") for line, row in enumerate(rows, start=2)]
