"""The request benchmarks still run: a few compounds, a few builds (their numbers are not checked)."""

from __future__ import annotations

import json
import sys

import pytest

from bench import day_overview, held_over, lanes, plan_every_site, site_graph, storage


def test_the_one_press_benchmark_leaves_every_compound_waiting() -> None:
    assert plan_every_site._one_press(3) > 0  # it asserts that all three were checked and waited


def test_the_one_press_benchmark_adds_the_leftovers_at_every_gate() -> None:
    day_before = plan_every_site.leaving_parcels(0.5)
    assert day_before["summary"]["undelivered"] > 0
    assert plan_every_site._one_press(2, day_before) > 0  # it asserts both added and waited


def test_the_graph_benchmark_builds_every_fixture_site(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["site_graph", "--repeat", "1"])
    site_graph.main()
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in printed[1:]] == list(site_graph.SITES)


def test_the_storage_benchmark_counts_a_plans_bytes_once() -> None:
    measured = storage.measure(1)
    # the inputs once, with the plan (not on its finished job), and the map apart
    assert measured["jobs.snapshot"] == len("{}")
    assert measured["plans.snapshot"] > 0 and measured["plans.document"] > 0 and measured["maps.geojson"] > 0
    assert measured["file growth"] > 0


def test_the_held_over_benchmark_carries_on_what_no_day_added() -> None:
    measured = held_over.measure(3, 0.2, 1, add_leftovers=False)
    assert measured["carried on"] > 0  # the first two days' leftovers, as the third was planned
    assert measured["one day"] > 0 and measured["fortnight"] > 0


def test_the_lanes_benchmark_asks_every_fixture_compound() -> None:
    assert list(lanes.measure(2)) == list(lanes.SITES)


def test_the_overview_benchmark_follows_compounds_planned_on_several_days(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["day_overview", "--sites", "2", "--days", "3"])
    day_overview.main()  # it asserts every compound is in each answer, and the fortnight's sums
    [header, line] = capsys.readouterr().out.splitlines()
    assert header.split()[0] == "sites" and line.split()[0] == "2"
    # both compounds planned: ok, or — the benchmark's 2 s search on a loaded machine — a few left
    statuses = json.loads(line[line.index("{") : line.index("}") + 1])
    assert sum(statuses.values()) == 2 and set(statuses) <= {"ok", "undelivered"}, statuses
    # planned with one tricycle a shift, each day leaves parcels, which every later day follows back
    # (the fortnight's last day must count as many waiting as that day's overview)
    monkeypatch.setattr(sys, "argv", ["day_overview", "--sites", "2", "--days", "3", "--ops", "ops-3x3.json"])
    day_overview.main()
    [_, line] = capsys.readouterr().out.splitlines()
    assert '{"undelivered": 2}' in line
