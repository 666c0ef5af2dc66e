"""How shifts, crews and vehicles are called on paper and on the page, in each language.

A roster is often written in English (`onebell roster --lang en`, the fixtures, a district office's
template): its ids are keys — in the counts' shift column, the API, a trip's report — and stay as
they are. What people read is another matter: a route card in a stairwell, a notice in a
building's group chat and the coordinator's page in Chinese say 上午班 and 上午1组, not "morning"
and "morning-1". A roster written in Chinese (上午, 早班) is shown as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SHIFT_NAMES: dict[str, dict[str, str]] = {
    "zh": {"morning": "上午", "afternoon": "下午", "evening": "晚上", "night": "夜间"},
    "en": {},
}
VEHICLE_NAMES: dict[str, dict[str, str]] = {
    "zh": {"tricycle": "三轮车", "ebike": "电动车", "bicycle": "自行车", "cart": "手推车", "foot": "步行"},
    "en": {
        "tricycle": "tricycle",
        "ebike": "e-bike",
        "bicycle": "bicycle",
        "cart": "hand cart",
        "foot": "on foot",
    },
}
_CREW_ID = re.compile(r"(?P<shift>.+)-(?P<number>\d+)")


def shift_name(shift_id: str, lang: str) -> str:
    """The shift as its own word: 上午 for "morning" in Chinese; the roster's id otherwise."""
    return SHIFT_NAMES.get(lang, {}).get(shift_id.strip().lower(), shift_id)


def shift_label(shift_id: str, lang: str) -> str:
    """The shift as a sentence names it: 上午班 (a roster's own 早班 as it is), "morning" in English."""
    name = shift_name(shift_id, lang)
    return name if lang != "zh" or name.endswith("班") else f"{name}班"


def crew_name(crew_id: str, lang: str) -> str:
    """A crew as people call it: 上午1组 for the plan's "morning-1" in Chinese (`<shift>-<n>`, as
    plans number them); in English, and for any other id, the id."""
    matched = _CREW_ID.fullmatch(crew_id)
    if lang != "zh" or matched is None:
        return crew_id
    return f"{shift_name(matched['shift'], lang)}{matched['number']}组"


def crew_said_zh(crew_id: str) -> str:
    """A crew in a Chinese sentence: 上午1组; an id that is no plan's numbering as "pair 组"."""
    called = crew_name(crew_id, "zh")
    return called if called.endswith("组") else f"{called} 组"


def crew_meant(written: str, crew_ids: Iterable[str]) -> str:
    """The crew id a person wrote, as the plan has it or as the Chinese cards and load list print it
    (上午1组, or 上午1): a sorter copying the load list into the sheet of what came back writes
    what the paper says. Anything else as written, for the caller to refuse by name."""
    text = written.strip()
    for crew_id in crew_ids:
        called = crew_name(crew_id, "zh")
        if text in (crew_id, called, called.removesuffix("组")):
            return crew_id
    return text


def vehicle_name(mode_or_id: str, lang: str) -> str:
    """A vehicle by its mode's word (三轮车, hand cart); an id that is no mode as it is."""
    return VEHICLE_NAMES.get(lang, {}).get(mode_or_id, mode_or_id)


def fleet_name(vehicle_id: str, mode: str, lang: str) -> str:
    """A fleet entry as a sentence names it: its mode's word where the roster calls it by its mode
    ("tricycle": 三轮车), else its own id, which is what the coordinator wrote and will look for."""
    return vehicle_name(mode, lang) if vehicle_id == mode else vehicle_id
