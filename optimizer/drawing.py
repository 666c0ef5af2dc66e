"""Draw a compound in metres around its gate and write it as a lon/lat site GeoJSON.

Used by the fixture generator, the benchmark's district-scale sites and the tests' tiny sites, so
every synthetic compound is written the same way a coordinator's map would be.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from optimizer.projection import LocalProjection


class Drawing:
    """A compound drawn in metres around its gate, written out as lon/lat GeoJSON."""

    def __init__(self, site_id: str, name: str, lon0: float, lat0: float) -> None:
        self.site = {"id": site_id, "name": name}
        self.projection = LocalProjection(lon0=lon0, lat0=lat0)
        self.features: list[dict[str, Any]] = []

    def _ll(self, x: float, y: float) -> list[float]:
        lon, lat = self.projection.point_to_lonlat(x, y)
        return [round(lon, 7), round(lat, 7)]

    def gate(self, x: float, y: float, name: str) -> None:
        self._add({"kind": "gate", "id": "gate", "name": name}, "Point", self._ll(x, y))

    def lane(
        self,
        lane_id: str,
        points: Iterable[tuple[float, float]],
        modes: list[str] | None = None,
        *,
        name: str | None = None,
        closed: bool = False,
    ) -> None:
        props: dict[str, Any] = {"kind": "lane", "id": lane_id}
        if modes:
            props["modes"] = modes
        if name:
            props["name"] = name
        if closed:
            props["closed"] = True
        self._add(props, "LineString", [self._ll(x, y) for x, y in points])

    def building(
        self,
        props: dict[str, Any],
        box: tuple[float, float, float, float],
        entrance: tuple[float, float] | None = None,
    ) -> None:
        x0, y0, x1, y1 = box
        ring = [self._ll(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]
        extra = {} if entrance is None else {"entrance": self._ll(*entrance)}
        self._add({"kind": "building", **props, **extra}, "Polygon", [ring])

    def zone(
        self, zone_id: str, name: str, box: tuple[float, float, float, float], sealed: bool = False
    ) -> None:
        x0, y0, x1, y1 = box
        ring = [self._ll(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]
        self._add({"kind": "zone", "id": zone_id, "name": name, "sealed": sealed}, "Polygon", [ring])

    def _add(self, props: dict[str, Any], kind: str, coordinates: Any) -> None:
        self.features.append(
            {"type": "Feature", "properties": props, "geometry": {"type": kind, "coordinates": coordinates}}
        )

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.document(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def document(self) -> dict[str, Any]:
        return {"type": "FeatureCollection", "site": self.site, "features": self.features}
