"""The closures benchmark's sites: the lanes it closes are world-garden's, one with a way round it
and one that cuts a few buildings off, as its table says."""

from __future__ import annotations

import pytest

from bench.closures import CLOSURES, WORLD, with_closed
from optimizer.graph import build_graph, cut_off_by_lane
from optimizer.site import load_site


def test_the_closed_lanes_are_the_ones_asked_and_cut_off_what_the_table_says() -> None:
    site = load_site(WORLD / "site.geojson")
    for lanes in CLOSURES:
        assert {lane.id for lane in with_closed(site, lanes).lanes if lane.closed} == set(lanes)
    cut_off = cut_off_by_lane(build_graph(site))
    assert (len(cut_off["A-7"]), len(cut_off["B-4"])) == (0, 4)
    with pytest.raises(ValueError, match="no lane 'A-70'"):
        with_closed(site, ("A-70",))
