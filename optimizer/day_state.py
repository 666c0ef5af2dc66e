"""What a lockdown day changes on a compound's map, carried over to a new map of the compound.

A coordinator seals a building after a positive case, seals a small zone, closes a lane at a
barricade, marks a broken doorbell or names the household to notify — each on the stored map,
one property at a time. The map itself is sent again now and then (a lane drawn better, a
building added, a fresh OpenStreetMap export), and such a file seldom says anything about the
day: if it replaced those properties, a sealed building would silently be ridden to again. So a
property the new file leaves out keeps its stored value; one the file gives is the file's word.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DAY_STATE: dict[str, tuple[str, ...]] = {
    "building": ("sealed", "doorbell", "contact"),
    "zone": ("sealed",),
    "lane": ("closed",),
}
"""By feature kind, the properties a day changes (`PATCH` on a building, zone or lane)."""

_DEFAULTS: dict[str, Any] = {"sealed": False, "closed": False, "doorbell": "working", "contact": None}
"""A property's value when the map leaves it out (`site.py`): nothing to carry over."""


_WHERE_CREWS_GO = ("sealed", "closed")
"""The properties whose loss with a feature is worth a word: a broken doorbell or a household to
notify of a building no longer on the map matters to nobody."""


@dataclass(frozen=True)
class DayProperty:
    """One of the day's properties of a feature of the stored map."""

    kind: str
    id: str
    name: str
    field: str
    value: Any


@dataclass(frozen=True)
class Carried:
    document: dict[str, Any]  # the map sent, with `kept` in it
    kept: list[DayProperty]  # left out of the map sent, so kept as stored (in its features' order)
    dropped: list[DayProperty]
    """Of features the map sent does not have (a building renamed or taken out): gone with them,
    which the coordinator must hear of — a seal lost that way is a sealed building ridden to."""


def carried_over(stored: Mapping[str, Any], sent: Mapping[str, Any]) -> Carried:
    """`sent` with the day's properties it leaves out taken from `stored`, for the features of the
    same kind and id in both; neither document is changed."""
    before = {(kind, feature_id): properties for kind, feature_id, properties in _features(stored)}
    document = copy.deepcopy(dict(sent))
    kept: list[DayProperty] = []
    for kind, feature_id, properties in _features(document):
        old = before.pop((kind, feature_id), None)
        if old is None:
            continue
        for field in DAY_STATE[kind]:
            if field not in properties and field in _set(old, kind):
                properties[field] = copy.deepcopy(old[field])
                kept.append(_day_property(kind, feature_id, properties, field, old[field]))
    dropped = [
        _day_property(kind, feature_id, old, field, old[field])
        for (kind, feature_id), old in before.items()
        for field in _set(old, kind)
        if field in _WHERE_CREWS_GO
    ]
    return Carried(document, kept, dropped)


def _set(properties: Mapping[str, Any], kind: str) -> list[str]:
    """The day's properties a feature has set to other than their defaults."""
    return [field for field in DAY_STATE[kind] if properties.get(field, _DEFAULTS[field]) != _DEFAULTS[field]]


def _day_property(
    kind: str, feature_id: str, properties: Mapping[str, Any], field: str, value: Any
) -> DayProperty:
    """Named as the parser names the feature (`site.py`): its name, else its id."""
    return DayProperty(kind, feature_id, str(properties.get("name") or feature_id), field, value)


def _features(document: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Kind, id and properties of the features of a kind a day changes. The sent map is not yet
    checked: whatever else it holds is left for the parser to name."""
    features = document.get("features")
    found = []
    for feature in features if isinstance(features, list) else []:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if (
            isinstance(properties, dict)
            and isinstance(kind := properties.get("kind"), str)
            and kind in DAY_STATE
        ):
            found.append((kind, str(properties.get("id")), properties))
    return found
