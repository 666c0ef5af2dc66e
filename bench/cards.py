"""Time the route-card PDF of a day side by side: as printed, with inline maps, with the CJK font
subset by fontTools instead of HarfBuzz, and with both (as printed before 2026-12-02).

Run: python -m bench.cards [--runs 3] [--time-limit 10]
Plans gelin-spring 2022-04-28 (2,300 parcels, ops-more-riders: the README's main job) once, then
renders its cards each way in turns. Compare the ratios of one run, not seconds across
machines. WeasyPrint subsets with HarfBuzz only where it finds `libharfbuzz-subset0` (setup.sh
installs it); the first line printed says whether it did.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import weasyprint.pdf.fonts
from weasyprint import HTML

from optimizer.cards.render import cards_html, cards_pdf
from optimizer.day import load_day
from optimizer.graph import SiteGraph, build_graph
from optimizer.operations import load_operations
from optimizer.planner import plan_day
from optimizer.site import load_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gelin-spring"


def _as_printed(plan: dict[str, Any], site_graph: SiteGraph) -> bytes:
    return cards_pdf(plan, site_graph)


def _inline_maps(plan: dict[str, Any], site_graph: SiteGraph) -> bytes:
    pdf: bytes = HTML(string=cards_html(plan, site_graph)).write_pdf()
    return pdf


def _fonttools_subsetting(plan: dict[str, Any], site_graph: SiteGraph) -> bytes:
    return _without_harfbuzz_subset(_as_printed, plan, site_graph)


def _inline_maps_and_fonttools(plan: dict[str, Any], site_graph: SiteGraph) -> bytes:
    return _without_harfbuzz_subset(_inline_maps, plan, site_graph)


def _without_harfbuzz_subset(
    render: Callable[[dict[str, Any], SiteGraph], bytes], plan: dict[str, Any], site_graph: SiteGraph
) -> bytes:
    found = weasyprint.pdf.fonts.harfbuzz_subset
    weasyprint.pdf.fonts.harfbuzz_subset = None  # WeasyPrint's fallback when the library is missing
    try:
        return render(plan, site_graph)
    finally:
        weasyprint.pdf.fonts.harfbuzz_subset = found


VARIANTS: dict[str, Callable[[dict[str, Any], SiteGraph], bytes]] = {
    "as printed": _as_printed,
    "inline maps": _inline_maps,
    "fontTools subsetting": _fonttools_subsetting,
    "both (before 2026-12-02)": _inline_maps_and_fonttools,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    site_graph = build_graph(load_site(FIXTURES / "site.geojson"))
    day = load_day(FIXTURES / "days" / "2022-04-28-2300.csv")
    ops = load_operations(FIXTURES / "ops-more-riders.json")
    plan = plan_day(site_graph, day, ops, time_limit_s=args.time_limit).to_dict()
    trips = sum(len(crew["trips"]) for shift in plan["shifts"] for crew in shift["crews"])
    print(
        f"gelin-spring 2022-04-28: {trips} trips; HarfBuzz subsetter found: "
        f"{weasyprint.pdf.fonts.harfbuzz_subset is not None}"
    )
    seconds: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.runs):
        for name, render in VARIANTS.items():
            started = time.perf_counter()
            render(plan, site_graph)
            seconds[name].append(time.perf_counter() - started)
    base = statistics.median(seconds["as printed"])
    print(f"{'variant':<26}{'median s':>9}{'ratio':>7}  runs")
    for name, runs in seconds.items():
        median = statistics.median(runs)
        print(f"{name:<26}{median:>9.1f}{median / base:>7.2f}  {' '.join(f'{s:.1f}' for s in runs)}")


if __name__ == "__main__":
    main()
