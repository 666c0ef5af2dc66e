"""Local metric projection for a compound.

Sites come as WGS84 lon/lat (RFC 7946); distances must be in metres. An azimuthal equidistant
projection centred on the site keeps distance errors far below a metre over a few kilometres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import shapely
from pyproj import Transformer
from pyproj.enums import TransformDirection
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class LocalProjection:
    """Forward (lon/lat -> metres) and inverse transforms around one centre point."""

    lon0: float
    lat0: float
    _transformer: Transformer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The pipeline PROJ itself makes for EPSG:4326 -> this aeqd CRS (same numbers to the bit),
        # given directly: asking PROJ to find it from the two CRSs took 5-6 ms a direction, half of
        # building a compound's graph, which every plan, card and check of a request does again.
        pipeline = (
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
            f"+step +proj=aeqd +lat_0={self.lat0} +lon_0={self.lon0} +x_0=0 +y_0=0 +ellps=WGS84"
        )
        object.__setattr__(self, "_transformer", Transformer.from_pipeline(pipeline))

    def to_metres(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, self._forward, interleaved=False)

    def to_lonlat(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, self._inverse, interleaved=False)

    def point_to_metres(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self._forward(lon, lat)
        return float(x), float(y)

    def point_to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self._inverse(x, y)
        return float(lon), float(lat)

    def _forward(self, x: Any, y: Any) -> Any:
        return self._transformer.transform(x, y)

    def _inverse(self, x: Any, y: Any) -> Any:
        return self._transformer.transform(x, y, direction=TransformDirection.INVERSE)
