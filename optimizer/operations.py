"""The courier team's resources for a day: shifts with their volunteers, the fleet, and the
stop and gate settings that turn parcels into minutes."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from optimizer.clock import parse_clock
from optimizer.errors import OperationsError
from optimizer.files import read_json
from optimizer.site import MODES

POLICIES: tuple[str, ...] = ("notify_one", "ring_each")


@dataclass(frozen=True)
class Shift:
    id: str
    start_s: int
    end_s: int
    riders: int
    sorters: int = 1

    @property
    def length_s(self) -> int:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Vehicle:
    id: str
    mode: str
    count: int
    capacity: int
    crew: int
    speed_kmh: float
    sealed_ok: bool = False
    shifts: tuple[str, ...] | None = None
    """The shifts it runs in (an e-bike lent for the afternoon, a designated pair on the morning
    only); None: every shift."""
    sealed_only: bool = False
    """A designated pair kept to the sealed buildings: door rounds where a positive case was, then
    no other building's door. Without it the pair takes open buildings' parcels too when it has time."""

    def serves(self, sealed: bool) -> bool:
        """Whether its crews may deliver to a building that is (or is not) sealed."""
        return self.sealed_ok if sealed else not self.sealed_only

    def count_in(self, shift_id: str) -> int:
        """How many run in the shift: riders come per shift, and so may a vehicle."""
        return self.count if self.shifts is None or shift_id in self.shifts else 0


VEHICLE_DEFAULTS: dict[str, dict[str, float]] = {
    "tricycle": {"capacity": 80, "crew": 2, "speed_kmh": 8},
    "ebike": {"capacity": 30, "crew": 1, "speed_kmh": 12},
    "bicycle": {"capacity": 20, "crew": 1, "speed_kmh": 10},
    "cart": {"capacity": 20, "crew": 1, "speed_kmh": 4},
    "foot": {"capacity": 10, "crew": 1, "speed_kmh": 4},
}
"""What a vehicle of each mode starts with when the coordinator adds one on the page (when
tricycles ran short in 2022, e-bikes, bicycles and hand carts joined): the fixtures' figures for a
tricycle, an e-bike and a hand cart; a bicycle and a walker's bag guessed from them. The
coordinator changes load and crew there; the speed stays as given here."""


SEALED_PAIR: dict[str, Any] = {"mode": "foot", "capacity": 20, "crew": 2, "speed_kmh": 4, "sealed_ok": True}
"""A designated pair in protective gear, carrying parcels to the doors of sealed buildings, as the
coordinator adds one on the page: world-garden's figures. It moves the fewest parcels an hour of
any crew, so it is fielded only with riders the other crews leave (`problem._fielded`): its shift
needs two riders beyond theirs."""

STARTING_SHIFTS: tuple[tuple[str, str], ...] = (("08:00", "11:30"), ("13:00", "16:30"), ("18:00", "21:30"))
STARTING_SHIFT_NAMES: dict[str, tuple[str, str, str]] = {
    "zh": ("上午", "下午", "晚上"),
    "en": ("morning", "afternoon", "evening"),
}
"""The starting shifts' ids, in the coordinator's language: they are printed on the cards and
written in a counts sheet's shift column."""


def starting_operations(lang: str = "zh") -> dict[str, Any]:
    """A compound's first operations, as the Shanghai courier groups of 2022 ran a day: three
    shifts, in each one volunteer sorting at the gate and two riding one tricycle, one household
    notified per building. The coordinator starts from it (on the page, or `onebell roster`) and
    corrects it, so a compound whose map is in can take counts without anyone writing JSON."""
    if lang not in STARTING_SHIFT_NAMES:
        raise ValueError(f"language {lang!r}: use {' or '.join(STARTING_SHIFT_NAMES)}")
    return {
        "shifts": [
            {"id": shift_id, "start": start, "end": end, "riders": 2, "sorters": 1}
            for shift_id, (start, end) in zip(STARTING_SHIFT_NAMES[lang], STARTING_SHIFTS, strict=True)
        ],
        "fleet": [{"id": "tricycle", "mode": "tricycle", "count": 1, **VEHICLE_DEFAULTS["tricycle"]}],
        "stop": {"policy": "notify_one"},
    }


@dataclass(frozen=True)
class StopSettings:
    policy: str = "notify_one"
    notify_s: int = 30
    wait_s: int = 60
    per_parcel_s: int = 4
    broken_doorbell_s: int = 60


@dataclass(frozen=True)
class GateSettings:
    reload_s: int = 240
    sort_s_per_parcel: float = 0.0  # 0: sorting keeps up with loading (not modelled)
    stand_min: int = 0
    """Minutes a parcel stands at the gate after it arrives (disinfected, then left to stand)
    before it may be loaded; applies to count rows that say when they `arrived`."""


@dataclass(frozen=True)
class SealedSettings:
    """Door delivery in a sealed building: a designated pair carries parcels to each door."""

    door_s: int = 45  # per household receiving
    floor_s: int = 20  # per floor climbed


@dataclass(frozen=True)
class Operations:
    shifts: tuple[Shift, ...]
    fleet: tuple[Vehicle, ...]
    stop: StopSettings = StopSettings()
    gate: GateSettings = GateSettings()
    sealed: SealedSettings = SealedSettings()
    urgent_within_min: int = 60
    balance_min: int | None = 30  # crews of a shift finish within this of each other; None = off

    def shift_number(self, shift_id: str) -> int:
        for number, shift in enumerate(self.shifts):
            if shift.id == shift_id:
                return number
        raise KeyError(shift_id)

    def shift_of(self, shift_id: str | None) -> Shift:
        """A count row's shift; a row without one belongs to the first."""
        return self.shifts[0 if shift_id is None else self.shift_number(shift_id)]

    def vehicle(self, vehicle_id: str) -> Vehicle:
        for vehicle in self.fleet:
            if vehicle.id == vehicle_id:
                return vehicle
        raise KeyError(vehicle_id)

    def with_policy(self, policy: str | None) -> Operations:
        """The same operations under another stop policy (None keeps the file's)."""
        if policy is None:
            return self
        if policy not in POLICIES:
            raise _unknown_policy(policy)
        return replace(self, stop=replace(self.stop, policy=policy))


def load_operations(path: str | Path) -> Operations:
    return parse_operations(read_json(path, what="operations", error=OperationsError))


def parse_operations(document: Any, *, accepted: bool = False) -> Operations:
    """`accepted`: a roster stored earlier, read back — checks added since that the counts and the
    page can do without (`check_sorters`) do not refuse it, so the day's counts still go up;
    planning with it still does (`problem.check_reachable`)."""
    if not isinstance(document, Mapping):
        raise OperationsError("operations: expected a JSON object", zh="班表：要是一个 JSON 对象")
    shifts = tuple(_shift(raw, n) for n, raw in enumerate(_list(document, "shifts")))
    fleet = tuple(_vehicle(raw, n) for n, raw in enumerate(_list(document, "fleet")))
    _unique([s.id for s in shifts], "shift", "班次")
    _unique([v.id for v in fleet], "fleet entry", "车辆")
    _check_vehicle_shifts(fleet, shifts)
    for earlier, later in itertools.pairwise(shifts):
        if later.start_s < earlier.start_s:
            raise OperationsError(
                f"shift {later.id!r} starts before shift {earlier.id!r}; list shifts in day order",
                field="shifts",
                zh=f"班次 {later.id} 比前面的班次 {earlier.id} 开始得早；班次请按一天里的先后排列",
            )
    stop = _stop(_object(document, "stop"))
    gate_raw = _object(document, "gate")
    gate = GateSettings(
        reload_s=int(_number(gate_raw, "reload_s", "gate", default=240, minimum=0)),
        sort_s_per_parcel=float(
            _number(gate_raw, "sort_s_per_parcel", "gate", default=0, minimum=0, whole=False)
        ),
        stand_min=int(_number(gate_raw, "stand_min", "gate", default=0, minimum=0)),
    )
    sealed_raw = _object(document, "sealed")
    sealed = SealedSettings(
        door_s=int(_number(sealed_raw, "door_s", "sealed", default=SealedSettings.door_s, minimum=0)),
        floor_s=int(_number(sealed_raw, "floor_s", "sealed", default=SealedSettings.floor_s, minimum=0)),
    )
    urgent_within = int(_number(document, "urgent_within_min", "operations", default=60, minimum=1))
    balance_raw = document.get("balance_min", 30)
    balance = (
        None
        if balance_raw is None
        else int(_number(document, "balance_min", "operations", default=30, minimum=0))
    )
    operations = Operations(
        shifts=shifts,
        fleet=fleet,
        stop=stop,
        gate=gate,
        sealed=sealed,
        urgent_within_min=urgent_within,
        balance_min=balance,
    )
    if not accepted:
        check_sorters(operations)
    return operations


def check_sorters(operations: Operations) -> None:
    """With a sorting pace, a shift whose riders go out needs someone sorting: the model would
    otherwise take its sorting as keeping up, and plan the shift faster with no sorter than with
    one. Riders who sort their own loads are a longer `reload_s`."""
    gate = operations.gate
    if gate.sort_s_per_parcel <= 0:
        return
    for shift in operations.shifts:
        if shift.riders > 0 and shift.sorters == 0:
            raise OperationsError(
                f"shift {shift.id!r} has riders but no sorter, and the gate sorts at "
                f"{gate.sort_s_per_parcel:g} s a parcel: put a sorter on it (sorters 1 or more), or, "
                "where the riders sort their own loads, set gate.sort_s_per_parcel to 0 and add their "
                "sorting time to gate.reload_s",
                field="sorters",
                zh=f"班次 {shift.id} 有骑手但没有分拣员，而大门分拣每件要 {gate.sort_s_per_parcel:g} 秒："
                "请安排分拣员（至少 1 人）；若骑手自己分拣，请把「每件分拣用时（秒）」设为 0，"
                "并把分拣用的时间加到「每趟装车用时（秒）」里",
            )


def _list(document: Mapping[str, Any], name: str) -> list[Any]:
    value = document.get(name)
    if not isinstance(value, list) or not value:
        raise OperationsError(
            f"operations: '{name}' must be a non-empty list",
            field=name,
            zh=f"班表：'{name}' 要是一个不为空的列表",
        )
    return value


def _unique(ids: list[str], what: str, what_zh: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise OperationsError(
                f"duplicate {what} id {item!r}", field="id", zh=f"{what_zh}编号 {item} 重复"
            )
        seen.add(item)


def _id(raw: Mapping[str, Any], where: str) -> str:
    value = raw.get("id")
    if not isinstance(value, str) or not value:
        raise OperationsError(
            f"{where}: 'id' must be a non-empty string",
            field=f"{where}.id",
            zh=f"{where}：id 要填（文字，不能为空）",
        )
    return value


def _shift(raw: Any, number: int) -> Shift:
    if not isinstance(raw, Mapping):
        raise OperationsError(
            f"shifts[{number}]: expected an object",
            field=f"shifts[{number}]",
            zh=f"shifts[{number}]：要是一个 JSON 对象",
        )
    shift_id = _id(raw, f"shifts[{number}]")
    where, where_zh = f"shift {shift_id!r}", f"班次 {shift_id}"
    start, end = parse_clock(raw.get("start")), parse_clock(raw.get("end"))
    for name, value in (("start", start), ("end", end)):
        if value is None:
            raise OperationsError(
                f"{where}: {name} must be HH:MM, got {raw.get(name)!r}",
                field=f"{where}.{name}",
                zh=f"{where_zh}：{_ZH_NAMES[name]}要写成 时:分（如 08:00），现在是 {raw.get(name)!r}",
            )
    assert start is not None and end is not None
    if end <= start:
        raise OperationsError(
            f"{where} ends ({raw['end']}) before it starts ({raw['start']})",
            field=f"{where}.end",
            zh=f"{where_zh} 的结束时间（{raw['end']}）不在开始时间（{raw['start']}）之后",
        )
    return Shift(
        id=shift_id,
        start_s=start,
        end_s=end,
        riders=int(_number(raw, "riders", where, minimum=0, where_zh=where_zh)),
        sorters=int(_number(raw, "sorters", where, default=1, minimum=0, where_zh=where_zh)),
    )


def _vehicle(raw: Any, number: int) -> Vehicle:
    if not isinstance(raw, Mapping):
        raise OperationsError(
            f"fleet[{number}]: expected an object",
            field=f"fleet[{number}]",
            zh=f"fleet[{number}]：要是一个 JSON 对象",
        )
    vehicle_id = _id(raw, f"fleet[{number}]")
    where, where_zh = f"fleet entry {vehicle_id!r}", f"车辆 {vehicle_id}"
    mode = raw.get("mode")
    if mode not in MODES:
        raise OperationsError(
            f"{where}: mode is {mode!r}; use one of {', '.join(MODES)}",
            field="mode",
            zh=f"{where_zh}：mode 是 {mode!r}；请用 {', '.join(MODES)} 之一",
        )
    sealed_ok = _flag(raw, "sealed_ok", "封控楼专组", where, where_zh)
    sealed_only = _flag(raw, "sealed_only", "只送封控楼", where, where_zh)
    if sealed_only and not sealed_ok:
        raise OperationsError(
            f"{where}: sealed_only is for a designated pair; set sealed_ok to true as well, or take sealed_only out",
            field="sealed_only",
            zh=f"{where_zh}：sealed_only（只送封控楼）只用于指定的两人组；请同时把 sealed_ok 设为 true，或去掉 sealed_only",
        )
    return Vehicle(
        id=vehicle_id,
        mode=mode,
        count=int(_number(raw, "count", where, minimum=0, where_zh=where_zh)),
        capacity=int(_number(raw, "capacity", where, minimum=1, where_zh=where_zh)),
        crew=int(_number(raw, "crew", where, minimum=1, where_zh=where_zh)),
        speed_kmh=float(
            _number(raw, "speed_kmh", where, minimum=0, exclusive=True, whole=False, where_zh=where_zh)
        ),
        sealed_ok=sealed_ok,
        shifts=_vehicle_shifts(raw, where, where_zh),
        sealed_only=sealed_only,
    )


def _flag(raw: Mapping[str, Any], name: str, name_zh: str, where: str, where_zh: str) -> bool:
    value = raw.get(name, False)
    if not isinstance(value, bool):
        raise OperationsError(
            f"{where}: {name} must be true or false",
            field=name,
            zh=f"{where_zh}：{name}（{name_zh}）要写 true 或 false",
        )
    return value


def _vehicle_shifts(raw: Mapping[str, Any], where: str, where_zh: str) -> tuple[str, ...] | None:
    value = raw.get("shifts")
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise OperationsError(
            f"{where}: 'shifts' must be a non-empty list of shift ids (or left out: every shift), got {value!r}",
            field=f"{where}.shifts",
            zh=f"{where_zh}：出车班次要写成班次名的列表（不写就是每个班次都出），现在是 {value!r}",
        )
    return tuple(dict.fromkeys(value))


def _check_vehicle_shifts(fleet: Sequence[Vehicle], shifts: Sequence[Shift]) -> None:
    known = [s.id for s in shifts]
    for vehicle in fleet:
        for shift_id in vehicle.shifts or ():
            if shift_id not in known:
                raise OperationsError(
                    f"fleet entry {vehicle.id!r}: shifts names {shift_id!r}, which the roster does not have "
                    f"({', '.join(known)})",
                    field=f"fleet entry {vehicle.id!r}.shifts",
                    zh=f"车辆 {vehicle.id}：出车班次里的 {shift_id} 不在班表里（班表有：{'、'.join(known)}）",
                )


def _unknown_policy(policy: object) -> OperationsError:
    return OperationsError(
        f"unknown stop policy {policy!r}; use {' or '.join(POLICIES)}",
        field="stop.policy",
        zh=f"停靠方式 {policy!r} 不认识；请用 notify_one（每栋楼通知一户）或 ring_each（每户按门铃）",
    )


def _object(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = document.get(name, {})
    if not isinstance(value, Mapping):
        raise OperationsError(
            f"operations: '{name}' must be an object", field=name, zh=f"班表：'{name}' 要是一个 JSON 对象"
        )
    return value


def _stop(raw: Mapping[str, Any]) -> StopSettings:
    policy = raw.get("policy", "notify_one")
    if policy not in POLICIES:
        raise _unknown_policy(policy)
    defaults = StopSettings()
    return StopSettings(
        policy=policy,
        notify_s=int(_number(raw, "notify_s", "stop", default=defaults.notify_s, minimum=0)),
        wait_s=int(_number(raw, "wait_s", "stop", default=defaults.wait_s, minimum=0)),
        per_parcel_s=int(_number(raw, "per_parcel_s", "stop", default=defaults.per_parcel_s, minimum=0)),
        broken_doorbell_s=int(
            _number(raw, "broken_doorbell_s", "stop", default=defaults.broken_doorbell_s, minimum=0)
        ),
    )


def _number(
    raw: Mapping[str, Any],
    name: str,
    where: str,
    *,
    default: float | None = None,
    minimum: float,
    exclusive: bool = False,
    whole: bool = True,
    where_zh: str | None = None,
) -> float:
    """A number of the operations, its message in Chinese too: a shift's or a vehicle's named as
    the coordinator's page names them (`where_zh`), the rest by their section (`_ZH_SECTIONS`)."""
    value = raw.get(name, default)
    field = f"{where}.{name}"
    said_zh = f"{where_zh or _ZH_SECTIONS[where]}：{_ZH_NAMES[name]}"
    if value is None:
        raise OperationsError(f"{where}: '{name}' is missing", field=field, zh=f"{said_zh}没有填")
    kinds = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind, kind_zh = ("a whole number", "整数") if whole else ("a number", "数字")
        raise OperationsError(
            f"{where}: '{name}' must be {kind}, got {value!r}",
            field=field,
            zh=f"{said_zh}要填{kind_zh}，现在是 {value!r}",
        )
    if value < minimum or (exclusive and value == minimum):
        bound = f"more than {minimum:g}" if exclusive else f"at least {minimum:g}"
        bound_zh = f"大于 {minimum:g}" if exclusive else f"至少 {minimum:g}"
        raise OperationsError(
            f"{where}: '{name}' must be {bound}, got {value}",
            field=field,
            zh=f"{said_zh}要{bound_zh}，现在是 {value}",
        )
    return value


_ZH_NAMES = {
    "start": "开始时间",
    "end": "结束时间",
    "riders": "骑手人数",
    "sorters": "分拣人数",
    "count": "车数",
    "capacity": "每车载件",
    "crew": "每车人数",
    "speed_kmh": "车速（公里/小时）",
    "reload_s": "每趟装车用时（秒）",
    "sort_s_per_parcel": "每件分拣用时（秒）",
    "stand_min": "到件后静置消毒时间（分钟）",
    "door_s": "每户敲门送件用时（秒）",
    "floor_s": "每层爬楼用时（秒）",
    "notify_s": "按一次门铃用时（秒）",
    "wait_s": "等住户下楼用时（秒）",
    "per_parcel_s": "每件交接用时（秒）",
    "broken_doorbell_s": "门铃坏了多用的时间（秒）",
    "urgent_within_min": "急件送达时限（分钟）",
    "balance_min": "各组收工时间相差不超过（分钟）",
}
"""What the fields are called in Chinese: as the coordinator's page calls those it edits."""

_ZH_SECTIONS = {"gate": "大门", "sealed": "封控楼", "stop": "停靠", "operations": "班表"}
