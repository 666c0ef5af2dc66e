"""The request benchmarks still run: a few compounds, a few builds (their numbers are not checked)."""

from __future__ import annotations

import sys

import pytest

from bench import plan_every_site, site_graph


def test_the_one_press_benchmark_leaves_every_compound_waiting() -> None:
    assert plan_every_site._one_press(3) > 0  # it asserts that all three were checked and waited


def test_the_graph_benchmark_builds_every_fixture_site(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["site_graph", "--repeat", "1"])
    site_graph.main()
    printed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in printed[1:]] == list(site_graph.SITES)
