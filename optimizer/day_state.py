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


@dataclass(frozen=True)
class Kept:
    """One property the new map left out, kept as the stored map had it."""

    kind: str
    id: str
    field: str
    value: Any


def carried_over(stored: Mapping[str, Any], sent: Mapping[str, Any]) -> tuple[dict[str, Any], list[Kept]]:
    """`sent` with the day's properties it leaves out taken from `stored`, for the features of the
    same kind and id in both, and what was so kept (in the order of `sent`'s features). Features
    only one map has are left as they are; neither document is changed."""
    before = {(kind, feature_id): properties for kind, feature_id, properties in _features(stored)}
    document = copy.deepcopy(dict(sent))
    kept: list[Kept] = []
    for kind, feature_id, properties in _features(document):
        old = before.get((kind, feature_id))
        if old is None:
            continue
        for field in DAY_STATE[kind]:
            if field in properties or old.get(field, _DEFAULTS[field]) == _DEFAULTS[field]:
                continue
            properties[field] = copy.deepcopy(old[field])
            kept.append(Kept(kind, feature_id, field, old[field]))
    return document, kept


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
