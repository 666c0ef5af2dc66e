"""Building a compound's graph (`optimizer.graph.build_graph`): every plan, check, card and map
of a request starts with it, and a district office's one press checks hundreds of compounds.

Prints, per fixture site, the median of repeated builds in one process.

Run: python -m bench.site_graph [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from optimizer.graph import build_graph
from optimizer.site import load_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SITES = ("gelin-spring", "tongji-xincun", "world-garden")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"{'site':<16}{'buildings':>10}{'median ms':>11}")
    for name in SITES:
        site = load_site(FIXTURES / name / "site.geojson")
        build_graph(site)  # imports and PROJ's database warm
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            build_graph(site)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name:<16}{len(site.buildings):>10}{statistics.median(times):>11.1f}")


if __name__ == "__main__":
    main()
