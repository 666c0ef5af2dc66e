"""Local metric projection for a compound.

Sites come as WGS84 lon/lat (RFC 7946); distances must be in metres. An azimuthal equidistant
projection centred on the site keeps distance errors far below a metre over a few kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class LocalProjection:
    """Forward (lon/lat -> metres) and inverse transforms around one centre point."""

    lon0: float
    lat0: float
    _forward: Transformer = field(init=False, repr=False, compare=False)
    _inverse: Transformer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        crs = f"+proj=aeqd +lat_0={self.lat0} +lon_0={self.lon0} +datum=WGS84 +units=m +no_defs"
        object.__setattr__(self, "_forward", Transformer.from_crs("EPSG:4326", crs, always_xy=True))
        object.__setattr__(self, "_inverse", Transformer.from_crs(crs, "EPSG:4326", always_xy=True))

    def to_metres(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, self._forward.transform, interleaved=False)

    def to_lonlat(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, self._inverse.transform, interleaved=False)

    def point_to_metres(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self._forward.transform(lon, lat)
        return float(x), float(y)

    def point_to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self._inverse.transform(x, y)
        return float(lon), float(lat)
