"""A map sent again keeps the day's seals, closures, doorbells and households to notify that it
leaves out; what it gives is its word (`optimizer/day_state.py`)."""

from __future__ import annotations

import copy
from typing import Any

from fixtures.generate import barricaded
from optimizer.day_state import Carried, DayProperty, carried_over
from optimizer.site import parse_site
from tests.helpers import feature_properties


def _stored() -> dict[str, Any]:
    """The map as the day left it: the middle lane closed, B2 sealed, B3's doorbell broken, B1's
    household to notify taken away."""
    drawing = barricaded(closed=True)
    drawing.zone("north", "North", (180, 0, 320, 20))
    document = drawing.document()
    feature_properties(document, "zone", "north")["sealed"] = True
    feature_properties(document, "building", "B2")["sealed"] = True
    feature_properties(document, "building", "B3")["doorbell"] = "broken"
    feature_properties(document, "building", "B1").pop("contact")
    return document


def test_what_the_new_map_leaves_out_is_kept_and_what_it_says_is_its_word() -> None:
    stored = _stored()
    sent = barricaded(closed=False).document()  # a fresh drawing: no closures, seals or doorbells
    sent["features"].append(
        copy.deepcopy(next(f for f in stored["features"] if f["properties"]["kind"] == "zone"))
    )
    feature_properties(sent, "zone", "north").pop("sealed")
    feature_properties(sent, "building", "B3")["doorbell"] = "working"  # mended: the file says so
    feature_properties(sent, "building", "B3")["contact"] = None  # nobody to notify there now
    sent_before = copy.deepcopy(sent)
    stored_before = copy.deepcopy(stored)

    carried = carried_over(stored, sent)

    assert carried.kept == [
        DayProperty("building", "B2", "B2", "sealed", True),
        DayProperty("lane", "middle", "Middle lane", "closed", True),
        DayProperty("zone", "north", "North", "sealed", True),
    ]
    assert carried.dropped == []
    site = parse_site(carried.document)
    assert [b.id for b in site.buildings if b.sealed] == ["B2"]
    assert site.building("B3").doorbell == "working"
    assert site.building("B1").contact == "1-101"  # the file names one again: its word
    assert site.building("B3").contact is None
    assert [lane.id for lane in site.lanes if lane.closed] == ["middle"]
    assert [z.id for z in site.zones if z.sealed] == ["north"]
    assert (sent, stored) == (sent_before, stored_before)  # neither document changed


def test_features_only_one_map_has_and_unchecked_junk_are_left_to_the_parser() -> None:
    stored = _stored()
    sent = barricaded(closed=False).document()
    renamed = feature_properties(sent, "building", "B2")
    renamed["id"], renamed["name"] = "B2a", "B2 east"  # B2 is not in the new map: its seal goes with it
    sent["features"].append({"type": "Feature", "properties": {"kind": ["lane"], "id": "x"}})
    sent["features"].append("not a feature")

    carried = carried_over(stored, sent)

    assert carried.kept == [
        DayProperty("building", "B3", "B3", "doorbell", "broken"),
        DayProperty("lane", "middle", "Middle lane", "closed", True),
    ]
    assert carried.dropped == [  # said, not silent
        DayProperty("building", "B2", "B2", "sealed", True),
        DayProperty("zone", "north", "North", "sealed", True),
    ]
    assert "sealed" not in feature_properties(carried.document, "building", "B2a")
    assert carried.document["features"][-2:] == sent["features"][-2:]
    empty = {"type": "FeatureCollection"}
    assert carried_over(stored, empty) == Carried(
        empty,
        [],
        [
            DayProperty("building", "B2", "B2", "sealed", True),
            DayProperty("lane", "middle", "Middle lane", "closed", True),
            DayProperty("zone", "north", "North", "sealed", True),
        ],  # B3's broken doorbell and the contacts go unsaid: they send no crew anywhere
    )
