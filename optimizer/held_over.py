"""Parcels a day's plan left undelivered, carried into a later day's counts.

Parcels that did not go out are still at the gate the next morning. In the 2022 lockdown the
backlog was what a compound's courier group fought: yesterday's leftovers had to go out first, and
a plan that forgets them loses them. A later day's counts hold them as rows with `held_from` (the
day they first reached the gate); the planner lets them go out from the first shift and, when not
everything fits, puts them before the day's own parcels, the oldest first (urgent ones before all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
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


def with_held_over(day: Day, plan: Mapping[str, Any], returned: Sequence[CountRow] = ()) -> Day:
    """The day's counts with the plan's undelivered parcels added, and the parcels its day's trips
    brought back to go out again (`optimizer.returns.returned_rows`). Rows held over from the same
    days as those of the plan are replaced, not added again: carrying the same plan over twice
    (the coordinator pressed the button twice) counts its parcels once."""
    held = (*held_over_rows(plan), *returned)
    if day.date is not None and plan.get("date") is not None and plan["date"] >= day.date:
        raise DayError(
            f"the plan is for {plan['date']}; parcels can be held over only into a later day, not {day.date}",
            field="date",
            zh=f"路线计划是 {plan['date']} 的；没送完的件只能留到以后的日子，不能留到 {day.date}",
        )
    carried_days = {row.held_from for row in held} | {plan.get("date")}
    kept = [row for row in day.rows if row.held_from is None or row.held_from not in carried_days]
    rows = [*kept, *held]
    return Day(date=day.date, rows=tuple(_numbered(rows)))


def _numbered(rows: list[CountRow]) -> list[CountRow]:
    """Lines as in the CSV the rows are written to (the header is line 1)."""
    return [replace(row, line=line, unit="line") for line, row in enumerate(rows, start=2)]
