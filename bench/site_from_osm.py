"""Reading a compound from an OpenStreetMap export (`optimizer.osm.site_from_osm`) against reading
the same compound's drawn site map (`load_site` + `build_graph`, which the reader also does): what
the export's parsing, area assembly and clipping add.

Each fixture site is written as an export (`fixtures.osm_export`), then both are timed alternately
in one process; prints the medians and their ratio.

Run: python -m bench.site_from_osm [--repeat 9]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from fixtures.osm_export import osm_export
from optimizer.graph import build_graph
from optimizer.osm import site_from_osm
from optimizer.site import load_site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SITES = ("gelin-spring", "tongji-xincun", "world-garden")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    print(f"{'site':<16}{'buildings':>10}{'drawn ms':>10}{'export ms':>11}{'ratio':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for name in SITES:
            drawn = FIXTURES / name / "site.geojson"
            export = Path(folder) / f"{name}.osm"
            export.write_text(osm_export(json.loads(drawn.read_text()), name), encoding="utf-8")
            build_graph(load_site(drawn))  # imports and PROJ's database warm
            drawn_s, export_s = [], []
            for _ in range(args.repeat):
                started = time.perf_counter()
                site = load_site(drawn)
                build_graph(site)
                drawn_s.append(time.perf_counter() - started)
                started = time.perf_counter()
                made = site_from_osm(export, compound=name)
                export_s.append(time.perf_counter() - started)
                assert len(made.site.buildings) == len(site.buildings)
            a, b = statistics.median(drawn_s) * 1000, statistics.median(export_s) * 1000
            print(f"{name:<16}{len(site.buildings):>10}{a:>10.0f}{b:>11.0f}{b / a:>7.2f}")


if __name__ == "__main__":
    main()
