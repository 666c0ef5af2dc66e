"""What was changed at a compound, by whom and when: a line per change, written in the same
transaction as the change, so there is never one without the other.

A courier team works from several devices at once — the sorter at the gate posts counts, the
coordinator seals a building from a phone, the district office presses Plan for every compound —
and "who changed the counts?" or "who sealed building 12?" must have an answer that names a
person (the token's label), not a guess."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from api.auth import Principal
from api.db.models import EventRow
from api.errors import ROLES_ZH
from optimizer.names import crew_said_zh


def record(
    session: Session,
    principal: Principal,
    site_id: str,
    action: str,
    *,
    date: str | None = None,
    **detail: Any,
) -> None:
    """Adds the line to the session; the route's own commit writes it with the change."""
    assert action in _TEXTS, action
    session.add(
        EventRow(
            site_id=site_id,
            date=date,
            token_id=principal.token_id,
            who=principal.label or "",
            role=principal.role,
            action=action,
            detail=detail,
        )
    )


def who_said(row: EventRow, chinese: bool) -> str:
    """The token's label, or its role when it has none (and the admin token as the admin)."""
    if row.who:
        return row.who
    role = _role(row.role, chinese)
    return role if row.token_id is None else f"{role} #{row.token_id}"


def _change_en(name: str, value: Any) -> str:
    if name == "sealed":
        return "sealed (door delivery)" if value else "unsealed"
    if name == "doorbell":
        return f"doorbell {value}"
    if name == "households":
        return f"households {value}"
    return f"household to notify {value}" if value else "no household to notify"


def _change_zh(name: str, value: Any) -> str:
    if name == "sealed":
        return "封控（送到门口）" if value else "解封"
    if name == "doorbell":
        return "门铃坏了" if value == "broken" else "门铃好了"
    if name == "households":
        return f"户数改为 {value}"
    return f"通知住户改为 {value}" if value else "不再指定通知住户"


def _kept(kept: Mapping[str, Any], chinese: bool) -> str:
    """A day's property a map sent again left out and so kept, or lost with a feature the map lacks
    (`optimizer/day_state.py`)."""
    name = kept["name"]
    if kept["kind"] == "lane":
        return f"道路 {name} 封闭" if chinese else f"lane {name} closed"
    if kept["kind"] == "zone":
        return f"{name} 封控" if chinese else f"zone {name} sealed"
    if chinese:
        return f"{name}{_change_zh(kept['field'], kept['value'])}"
    return f"{name} {_change_en(kept['field'], kept['value'])}"


def _role(role: str, chinese: bool) -> str:
    return ROLES_ZH.get(role, role) if chinese else role


_TEXTS: dict[str, tuple[Callable[[Mapping[str, Any]], str], Callable[[Mapping[str, Any]], str]]] = {
    "site_created": (lambda d: "created the compound", lambda d: "建立了这个小区"),
    "map_replaced": (
        lambda d: (
            "sent a new compound map"
            + (
                f"; kept from before: {', '.join(_kept(k, False) for k in d['kept'])}"
                if d.get("kept")
                else ""
            )
            + (
                f"; gone with what the new map lacks: {', '.join(_kept(k, False) for k in d['dropped'])}"
                if d.get("dropped")
                else ""
            )
        ),
        lambda d: (
            "更新了小区地图"
            + (f"；保留了原来的：{'、'.join(_kept(k, True) for k in d['kept'])}" if d.get("kept") else "")
            + (
                f"；新地图里没有、随之取消的：{'、'.join(_kept(k, True) for k in d['dropped'])}"
                if d.get("dropped")
                else ""
            )
        ),
    ),
    "district_set": (
        lambda d: (
            f"put the compound in district {d['district']}"
            if d["district"]
            else "took the compound out of its district"
        ),
        lambda d: f"把小区划入街道 {d['district']}" if d["district"] else "把小区移出了街道",
    ),
    "site_archived": (lambda d: "archived the compound", lambda d: "把小区归档（不再排路线）"),
    "site_restored": (lambda d: "brought the compound back from the archive", lambda d: "把小区从归档里恢复"),
    "counts_replaced": (
        lambda d: f"sent the day's counts: {d['parcels']} parcels in {d['rows']} rows",
        lambda d: f"提交了当天的件数：{d['rows']} 行，共 {d['parcels']} 件",
    ),
    "counts_added": (
        lambda d: f"added a later wave: {d['parcels']} parcels in {d['rows']} rows",
        lambda d: f"追加了一批：{d['rows']} 行，共 {d['parcels']} 件",
    ),
    "held_over_added": (
        lambda d: (
            f"added the parcels an earlier day left (plan of {d['from']}): {d['parcels']} held over"
            + (f", {d['returned']} of them brought back by its trips" if d.get("returned") else "")
        ),
        lambda d: (
            f"加上了之前没送完的件（{d['from']} 的路线）：共 {d['parcels']} 件"
            + (f"，其中 {d['returned']} 件是送回来的" if d.get("returned") else "")
        ),
    ),
    "held_over_removed": (
        lambda d: (
            f"took the held-over parcels off the day: {d['parcels']}"
            + (
                f"; those the plan of {d['from']} left set aside (fetched, sent back)"
                if d.get("from")
                else ""
            )
        ),
        lambda d: (
            f"把留下的件从当天拿掉：{d['parcels']} 件"
            + (f"；{d['from']} 的路线留下的件不再送（已取走、退回）" if d.get("from") else "")
        ),
    ),
    "trip_reported": (
        lambda d: (
            f"reported trip {d['trip']} of crew {d['crew']} (out at {d['depart'][:5]}) back at the gate: "
            + (
                f"{d['returned']} parcels brought back, {d['again']} to go out again"
                if d["returned"]
                else "everything delivered"
            )
        ),
        lambda d: (
            f"报告{crew_said_zh(d['crew'])}第 {d['trip']} 趟（{d['depart'][:5]} 出发）回到大门："
            + (f"带回 {d['returned']} 件，其中 {d['again']} 件要再送" if d["returned"] else "全部送到")
        ),
    ),
    "brought_back_added": (
        lambda d: (
            f"added what the trips brought back to the day's counts, to go again today: {d['parcels']} parcels"
        ),
        lambda d: f"把车次带回的件加进当天的件数，今天再送：共 {d['parcels']} 件",
    ),
    "trip_report_withdrawn": (
        lambda d: f"took back the report of trip {d['trip']} of crew {d['crew']}",
        lambda d: f"撤回了{crew_said_zh(d['crew'])}第 {d['trip']} 趟的回程报告",
    ),
    "plan_asked": (
        lambda d: (
            f"asked for a re-plan at {d['replan_at']}, keeping the trips on the road"
            if d.get("replan_at")
            else "asked for a plan"
        ),
        lambda d: (
            f"要求在 {d['replan_at']} 重排路线（已出发的车次不变）" if d.get("replan_at") else "要求生成路线"
        ),
    ),
    "district_plans_asked": (
        lambda d: (
            "asked for plans for every compound that needed one"
            + (
                f", this one's without the {d['without_held_over']} parcels left at the gate"
                if d.get("without_held_over")
                else ""
            )
        ),
        lambda d: (
            "为所有需要的小区要求生成路线"
            + (
                f"，这个小区不加大门口留下的 {d['without_held_over']} 件"
                if d.get("without_held_over")
                else ""
            )
        ),
    ),
    "plan_taken_back": (lambda d: "took back a plan still waiting", lambda d: "撤回了一次还在排队的排路线"),
    "district_plans_taken_back": (
        lambda d: "took back the district's plans still waiting",
        lambda d: "撤回了街道还在排队的排路线",
    ),
    "building_changed": (
        lambda d: f"changed {d['name']}: " + ", ".join(_change_en(k, v) for k, v in d["changes"].items()),
        lambda d: f"改了{d['name']}：" + "，".join(_change_zh(k, v) for k, v in d["changes"].items()),
    ),
    "zone_changed": (
        lambda d: f"{'sealed' if d['sealed'] else 'unsealed'} zone {d['name']}",
        lambda d: f"{'封控了' if d['sealed'] else '解封了'}{d['name']}",
    ),
    "lane_changed": (
        lambda d: f"{'closed' if d['closed'] else 'opened'} lane {d['name']}",
        lambda d: f"{'封闭了' if d['closed'] else '重新打开了'}道路 {d['name']}",
    ),
    "roster_changed": (
        lambda d: (
            "changed this day's crews and vehicles" if d["day"] else "changed the usual crews and vehicles"
        ),
        lambda d: "改了这一天的人手和车辆" if d["day"] else "改了常用的人手和车辆",
    ),
    "day_roster_removed": (
        lambda d: "put the day back on the usual crews and vehicles",
        lambda d: "这一天改回常用的人手和车辆",
    ),
    "token_made": (
        lambda d: f"made a {d['role']} token for {d['label'] or '#' + str(d['id'])}",
        lambda d: f"给「{d['label'] or '#' + str(d['id'])}」发了{_role(d['role'], True)}令牌",
    ),
    "token_revoked": (
        lambda d: f"took back the {d['role']} token of {d['label'] or '#' + str(d['id'])}",
        lambda d: f"收回了「{d['label'] or '#' + str(d['id'])}」的{_role(d['role'], True)}令牌",
    ),
}
ACTIONS = frozenset(_TEXTS)
"""What a line of the history can say was done."""


def event_text(row: EventRow, chinese: bool) -> str:
    """The line as the page shows it: what was done, in the page's language."""
    english, zh = _TEXTS[row.action]
    return (zh if chinese else english)(row.detail)
