"""Reading a compound's map (`optimizer.site.parse_site`, every check of every building) and
building its graph (`optimizer.graph.build_graph`): every plan, check, card and map of a request
starts with them, and a district office's one press checks hundreds of compounds.

Prints, per fixture site, the medians of repeated reads and builds in one process.

Run: python -m bench.site_graph [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from optimizer.graph import build_graph
from optimizer.site import parse_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SITES = ("gelin-spring", "tongji-xincun", "world-garden")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"{'site':<16}{'buildings':>10}{'read ms':>9}{'graph ms':>10}")
    for name in SITES:
        document = json.loads((FIXTURES / name / "site.geojson").read_text(encoding="utf-8"))
        site = parse_site(document)
        build_graph(site)  # imports and PROJ's database warm
        reads, builds = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            parse_site(document)
            reads.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            build_graph(site)
            builds.append((time.perf_counter() - started) * 1000)
        print(
            f"{name:<16}{len(site.buildings):>10}{statistics.median(reads):>9.1f}{statistics.median(builds):>10.1f}"
        )


if __name__ == "__main__":
    main()
