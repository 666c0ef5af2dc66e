"""Every bundled fixture day is planned and passes the independent checker.

The gelin-spring story from 2022: with one tricycle crew a shift ringing every household, 2,000
parcels a day do not clear; notifying one household per building with a second crew clears 2,300.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from optimizer.day import load_day
from optimizer.graph import SiteGraph, build_graph
from optimizer.operations import load_operations
from optimizer.planner import plan_day
from optimizer.site import load_site
from tests.helpers import FIXTURES, assert_valid

SHORT_S = 3.0


@cache
def _graph(compound: str) -> SiteGraph:
    return build_graph(load_site(FIXTURES / compound / "site.geojson"))


def _plan(
    compound: str, day_file: str, ops_file: str, *, policy: str | None = None, time_limit_s: float = SHORT_S
):
    site_graph = _graph(compound)
    day = load_day(FIXTURES / compound / "days" / day_file)
    ops = load_operations(FIXTURES / compound / ops_file).with_policy(policy)
    plan = plan_day(site_graph, day, ops, time_limit_s=time_limit_s)
    return assert_valid(site_graph, day, ops, plan)


def test_gelin_spring_site_matches_the_published_figures() -> None:
    site = _graph("gelin-spring").site
    assert len(site.buildings) == 125 and site.households == 2194
    assert (
        len(_graph("tongji-xincun").site.buildings) >= 270 and _graph("tongji-xincun").site.households == 3189
    )
    world = _graph("world-garden").site
    assert world.households == 1777 and {z.id for z in world.zones} == {"A", "B", "D", "D-court"}


def test_gelin_spring_2300_clears_with_the_larger_roster_in_the_default_time() -> None:
    plan = _plan("gelin-spring", "2022-04-28-2300.csv", "ops-more-riders.json", time_limit_s=10.0)
    assert plan["summary"]["delivered"] == 2300 and plan["undelivered"] == []


def test_gelin_spring_2000_does_not_clear_ringing_every_household_with_one_tricycle() -> None:
    plan = _plan("gelin-spring", "2022-04-20-2000.csv", "ops-3x3.json", policy="ring_each")
    assert plan["summary"]["undelivered"] > 0
    assert sum(item["parcels"] for item in plan["undelivered"]) == plan["summary"]["undelivered"]
    assert all(item["reason"] and item["cause"] for item in plan["undelivered"])


@pytest.mark.parametrize(
    ("compound", "day_file", "ops_file"),
    [
        ("gelin-spring", "2022-04-08-600.csv", "ops-3x3.json"),
        ("gelin-spring", "2022-04-20-2000.csv", "ops-3x3.json"),
        ("gelin-spring", "2022-04-28-2300.csv", "ops-3x3.json"),
        ("tongji-xincun", "2022-04-28-3400.csv", "ops.json"),
        ("world-garden", "2022-04-28-1900.csv", "ops.json"),
    ],
)
def test_every_fixture_day_is_valid(compound: str, day_file: str, ops_file: str) -> None:
    plan = _plan(compound, day_file, ops_file)
    assert plan["summary"]["delivered"] + plan["summary"]["undelivered"] == plan["summary"]["parcels"]


def test_notifying_one_household_delivers_more_than_ringing_each() -> None:
    notify = _plan("gelin-spring", "2022-04-08-600.csv", "ops-3x3.json")
    ring = _plan("gelin-spring", "2022-04-08-600.csv", "ops-3x3.json", policy="ring_each")
    assert notify["summary"]["delivered"] > ring["summary"]["delivered"]


def test_fixture_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    import fixtures.generate as generate

    original = generate.HERE
    try:
        generate.HERE = tmp_path
        generate.main()
    finally:
        generate.HERE = original
    for made in tmp_path.rglob("*.*"):
        committed = FIXTURES / made.relative_to(tmp_path)
        assert committed.read_bytes() == made.read_bytes(), f"{committed} differs from the generator's output"
