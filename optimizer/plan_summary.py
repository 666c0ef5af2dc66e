"""A plan said in a few lines, in English or Chinese: what `onebell plan` prints.

A coordinator whose machine is set up in Chinese reads the command's errors in Chinese; the plan
it has just made should not then come in English, shift ids and all ("morning 1 4 255").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from optimizer.clock import format_clock
from optimizer.names import shift_label
from optimizer.plan import Plan
from optimizer.site import building_order

_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "head": "{what} ({policy}): {parcels} parcels, {delivered} delivered, {undelivered} undelivered",
        "columns": "shift|window|crews|trips|parcels|crew-h|finish",
        "total": "total: {trips} trips, {hours:.2f} crew-hours ({crew_s} crew-s); search {solve_s} s",
        "replanned": "re-planned at {at}: {kept} trip(s) on the road kept as they were (cards, load list "
        "and notices leave them out)",
        "late": "late: {parcels} past their window at {buildings} (no crew could bring them sooner):",
        "left": "undelivered: {parcels} at {buildings}:",
        "parcels": "{n} parcels",
        "parcel": "1 parcel",
        "urgent_parcels": "{n} urgent parcels",
        "urgent_parcel": "1 urgent parcel",
        "buildings": "{n} buildings",
        "building": "1 building",
    },
    "zh": {
        "head": "{what}（{policy}）：共 {parcels} 件，送达 {delivered} 件，未送达 {undelivered} 件",
        "columns": "班次|时间|组数|趟数|件数|人时|结束",
        "total": "合计：{trips} 趟，{hours:.2f} 人时（{crew_s} 人秒）；搜索 {solve_s} 秒",
        "replanned": "{at} 重排：已出发的 {kept} 趟保持原样（路线卡、装车单和楼栋通知不含它们）",
        "late": "过了时限的急件：{buildings}的 {parcels}（各组来不及更早送到）：",
        "left": "未送达：{buildings}的 {parcels}：",
        "parcels": "{n} 件",
        "parcel": "1 件",
        "urgent_parcels": "{n} 件",
        "urgent_parcel": "1 件",
        "buildings": "{n} 栋楼",
        "building": "1 栋楼",
    },
}

POLICY_NAMES = {"zh": {"notify_one": "每栋通知一户", "ring_each": "每户按铃"}}


def summary_lines(plan: Plan, lang: str = "en") -> list[str]:
    """The plan's head line, a row per shift, the total, and what goes late or stays, each reason
    once with its buildings under it (`Plan.undelivered_groups`)."""
    words = _WORDS[lang]
    delivered = plan.delivered
    lines = [
        words["head"].format(
            what=" ".join(filter(None, (plan.site, plan.date))),
            policy=POLICY_NAMES.get(lang, {}).get(plan.policy, plan.policy),
            parcels=plan.parcels,
            delivered=delivered,
            undelivered=plan.parcels - delivered,
        )
    ]
    widths = (12, 14, -6, -7, -9, -8, 0)  # negative: aligned right
    rows = [words["columns"].split("|")]
    for shift in plan.shifts:
        trips = sum(len(c.trips) for c in shift.crews)
        parcels = sum(t.parcels for c in shift.crews for t in c.trips)
        hours = sum(c.crew_s for c in shift.crews) / 3600
        finish = " ".join(format_clock(c.finish_s) for c in shift.crews) or "-"
        window = f"{format_clock(shift.start_s)[:5]}-{format_clock(shift.end_s)[:5]}"
        name = shift_label(shift.id, lang) if lang == "zh" else shift.id
        rows.append([name, window, str(len(shift.crews)), str(trips), str(parcels), f"{hours:.2f}", finish])
    for row in rows:
        cells = [padded(text, width) for text, width in zip(row, widths, strict=True)]
        lines.append("".join(cells[:-1]) + "  " + cells[-1])
    crew_s = plan.crew_s
    lines.append(
        words["total"].format(
            trips=plan.trip_count, hours=crew_s / 3600, crew_s=crew_s, solve_s=plan.solver.get("solve_s", 0)
        )
    )
    if plan.replanned_at_s is not None:
        kept = sum(trip.kept for _, trip in plan.trips())
        lines.append(words["replanned"].format(at=format_clock(plan.replanned_at_s)[:5], kept=kept))
    if plan.late_urgent:
        late = sorted(
            (
                (stop.building, stop.late_urgent, stop.arrive_s)
                for _, stop in plan.stops()
                if stop.late_urgent
            ),
            key=lambda item: (building_order(item[0]), item[2]),
        )
        lines.append(
            words["late"].format(
                parcels=_counted(words, plan.late_urgent, "urgent_parcel"),
                buildings=_counted(words, len({building for building, _, _ in late}), "building"),
            )
        )
        lines.append("    " + ", ".join(f"{b} ({n}, {format_clock(at)[:5]})" for b, n, at in late))
    if plan.undelivered:
        left = sum(item.parcels for item in plan.undelivered)
        buildings = len({item.building for item in plan.undelivered})
        lines.append(
            words["left"].format(
                parcels=_counted(words, left, "parcel"), buildings=_counted(words, buildings, "building")
            )
        )
        left_at = {
            (item.shift, item.cause, item.held_from, item.building): item.parcels for item in plan.undelivered
        }
        for group in plan.undelivered_groups:
            lines.append(f"  - {group.reason_zh if lang == 'zh' and group.reason_zh else group.reason}")
            if len(group.buildings) > 1:
                each = ", ".join(
                    f"{b} ({left_at[group.shift, group.cause, group.held_from, b]})" for b in group.buildings
                )
                lines.append(f"    {each}")
    return lines


def _counted(words: Mapping[str, str], n: int, noun: str) -> str:
    return words[noun] if n == 1 else words[f"{noun}s"].format(n=n)


def shown_width(text: str) -> int:
    """Terminal columns `text` takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def padded(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (right-aligned where negative): a Chinese
    character takes two columns, so padding by characters would push the table out of line."""
    space = " " * max(abs(width) - shown_width(text), 0)
    return space + text if width < 0 else text + space
