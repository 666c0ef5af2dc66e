"""A plan file handed back to OneBell (cards, notices, held-over, re-planning): checked for the
shape OneBell writes before anything reads it.

Plans come back as files a person kept, copied or edited — a stop deleted by hand, a count typed
as a word, a download cut short. The commands that read them walk every shift, crew, trip and
stop, and a missing or mistyped field would otherwise surface as a traceback deep inside the
card renderer. This says which item is wrong, the way `onebell check` names it. It checks shape
only (fields present, of the right kind); whether the plan is right for the day is `check.py`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from optimizer.clock import parse_clock
from optimizer.errors import PlanError
from optimizer.files import WHAT_ZH, read_json

_KINDS: dict[str, tuple[str, str]] = {
    "text": ("text", "文字"),
    "clock": ("a time HH:MM:SS", "时:分:秒 时间"),
    "count": ("a whole number, 0 or more", "不小于 0 的整数"),
    "positive": ("a whole number, 1 or more", "不小于 1 的整数"),
    "list": ("a list", "列表"),
    "object": ("an object", "对象"),
    "flag": ("true or false", "true 或 false"),
}

# Each item's fields: name -> (kind, required). Fields a plan of an earlier version lacks
# (late_urgent, batches, undelivered_groups, …) are optional and checked only when present.
_PLAN = {
    "site": ("text", True),
    "shifts": ("list", True),
    "undelivered": ("list", True),
    "replanned_at": ("clock", False),
    "undelivered_groups": ("list", False),
    "summary": ("object", False),
}
_SHIFT = {"id": ("text", True), "crews": ("list", True), "start": ("clock", False), "end": ("clock", False)}
_CREW = {
    "id": ("text", True),
    "vehicle": ("text", True),
    "riders": ("positive", True),
    "trips": ("list", True),
    "mode": ("text", False),
    "start": ("clock", False),
    "finish": ("clock", False),
    "crew_s": ("count", False),
    "sealed_ok": ("flag", False),
}
_TRIP = {
    "load": ("clock", True),
    "depart": ("clock", True),
    "return": ("clock", True),
    "stops": ("list", True),
    "parcels": ("count", False),
    "sorted_by": ("clock", False),
    "kept": ("flag", False),
}
_STOP = {
    "building": ("text", True),
    "parcels": ("positive", True),
    "arrive": ("clock", True),
    "depart": ("clock", True),
    "urgent": ("count", False),
    "late_urgent": ("count", False),
    "batches": ("list", False),
}
_BATCH = {"parcels": ("positive", True), "arrived": ("clock", False), "back_at": ("clock", False)}
_UNDELIVERED = {
    "building": ("text", True),
    "parcels": ("count", True),
    "urgent": ("count", False),
    "shift": ("text", False),
    "cause": ("text", False),
}


class _File(NamedTuple):
    en: str
    zh: str
    field: str  # the error's field: the command's argument that named the file


def load_plan_file(path: str | Path, *, what: str = "plan") -> dict[str, Any]:
    """The plan in the file, once its shape is known to be OneBell's."""
    document = read_json(path, what=what, error=PlanError)
    check_plan_shape(document, what=what, source=str(path))
    return document


def check_plan_shape(document: Any, *, what: str = "plan", source: str | None = None) -> None:
    """Raise PlanError naming the first item that is missing a field or holds the wrong kind."""
    file = _File(
        f"{what} file {source}" if source else f"{what} file",
        f"{WHAT_ZH.get(what, what)}文件 {source or ''}".rstrip(),
        "frozen" if what == "frozen plan" else "plan",
    )
    if not isinstance(document, Mapping):
        raise PlanError(
            f"{file.en} holds no plan (a JSON object with its shifts); is it a plan OneBell wrote?",
            field=file.field,
            zh=f"{file.zh} 里没有路线计划（应是含各班次的 JSON 对象）；这是一铃写出的路线计划吗？",
        )
    _fields(document, _PLAN, file, ("", ""))
    for s, shift in enumerate(document["shifts"]):
        name = shift.get("id") if isinstance(shift, Mapping) else None
        number = name if isinstance(name, str) else str(s + 1)
        at_shift = (f"shift {number}", f"班次 {number}")
        _fields(shift, _SHIFT, file, at_shift)
        for c, crew in enumerate(shift["crews"]):
            at_crew = _below(at_shift, crew, "crew", c)
            _fields(crew, _CREW, file, at_crew)
            for t, trip in enumerate(crew["trips"]):
                at_trip = _below(at_crew, trip, "trip", t, named=False)
                _fields(trip, _TRIP, file, at_trip)
                for n, stop in enumerate(trip["stops"]):
                    at_stop = _below(at_trip, stop, "stop", n, named=False)
                    _fields(stop, _STOP, file, at_stop)
                    for b, batch in enumerate(stop.get("batches", ())):
                        _fields(batch, _BATCH, file, _below(at_stop, batch, "batch", b, named=False))
    for u, entry in enumerate(document["undelivered"]):
        _fields(entry, _UNDELIVERED, file, (f"undelivered entry {u + 1}", f"未送清单第 {u + 1} 条"))


def _below(
    parent: tuple[str, str], item: Any, kind: str, index: int, *, named: bool = True
) -> tuple[str, str]:
    """A crew by its id, a trip, stop or batch by its number (and a stop's building)."""
    name = item.get("id") if named and isinstance(item, Mapping) else None
    number = name if isinstance(name, str) else str(index + 1)
    building = item.get("building") if kind == "stop" and isinstance(item, Mapping) else None
    suffix = f" (building {building})" if isinstance(building, str) else ""
    suffix_zh = f"（楼 {building}）" if isinstance(building, str) else ""
    zh_kind = {"crew": "组", "trip": "趟", "stop": "站", "batch": "批"}[kind]
    zh = f"组 {number}" if kind == "crew" else f"第 {number} {zh_kind}"
    return f"{parent[0]} {kind} {number}{suffix}", f"{parent[1]} {zh}{suffix_zh}"


def _fields(item: Any, spec: Mapping[str, tuple[str, bool]], file: _File, at: tuple[str, str]) -> None:
    """`at` names the item in the file, in English and Chinese."""
    where, where_zh = (
        f"{file.en}: {at[0] + ': ' if at[0] else ''}",
        f"{file.zh}：{at[1] + '：' if at[1] else ''}",
    )
    if not isinstance(item, Mapping):
        raise PlanError(
            f"{where}not an object; is it a plan OneBell wrote?",
            field=file.field,
            zh=f"{where_zh}不是对象；这是一铃写出的路线计划吗？",
        )
    for key, (kind, required) in spec.items():
        if key not in item:
            if not required:
                continue
            raise PlanError(
                f"{where}{key!r} is missing; is it a plan OneBell wrote, whole and unedited?",
                field=file.field,
                zh=f"{where_zh}缺少 {key}；这是一铃写出的完整、没改过的路线计划吗？",
            )
        value = item[key]
        if not _is(kind, value):
            english, chinese = _KINDS[kind]
            raise PlanError(
                f"{where}{key!r} must be {english}, got {value!r}",
                field=file.field,
                zh=f"{where_zh}{key} 应为{chinese}，却是 {value!r}",
            )


def _is(kind: str, value: Any) -> bool:
    if kind == "text":
        return isinstance(value, str)
    if kind == "clock":
        return isinstance(value, str) and parse_clock(value) is not None
    if kind in ("count", "positive"):
        return isinstance(value, int) and not isinstance(value, bool) and value >= (kind == "positive")
    if kind == "list":
        return isinstance(value, Sequence) and not isinstance(value, str)
    if kind == "object":
        return isinstance(value, Mapping)
    return isinstance(value, bool)
