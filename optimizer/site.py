"""The compound as the coordinator draws it: gate, buildings, lanes and zones (GeoJSON, lon/lat).

Loading validates everything a solver would otherwise trip over later, and names the feature at
fault, because a hand-drawn map is the most common source of a bad day.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from optimizer.errors import SiteError
from optimizer.files import read_json

MODES: tuple[str, ...] = ("tricycle", "ebike", "bicycle", "cart", "foot")
DOORBELLS: tuple[str, ...] = ("working", "broken")
KINDS: tuple[str, ...] = ("gate", "building", "lane", "zone")


@dataclass(frozen=True)
class Gate:
    id: str
    name: str
    lonlat: tuple[float, float]


@dataclass(frozen=True)
class Building:
    id: str
    name: str
    households: int
    floors: int
    footprint: BaseGeometry  # Polygon or Point, lon/lat
    entrance: tuple[float, float] | None = None
    doorbell: str = "working"
    contact: str | None = None
    sealed: bool = False
    zone: str | None = None

    @property
    def has_broken_doorbell(self) -> bool:
        return self.doorbell == "broken"


@dataclass(frozen=True)
class Lane:
    id: str
    modes: frozenset[str]
    line: LineString  # lon/lat


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    area: Polygon  # lon/lat
    sealed: bool = False


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    gate: Gate
    buildings: tuple[Building, ...]
    lanes: tuple[Lane, ...]
    zones: tuple[Zone, ...] = ()

    def building(self, building_id: str) -> Building:
        for building in self.buildings:
            if building.id == building_id:
                return building
        raise KeyError(building_id)

    @property
    def building_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.buildings)

    @property
    def households(self) -> int:
        return sum(b.households for b in self.buildings)


def sealed_buildings(site: Site) -> frozenset[str]:
    """Buildings sealed themselves, or in a sealed zone (`zone_buildings`)."""
    in_sealed_zones = {b for zone in site.zones if zone.sealed for b in zone_buildings(site, zone)}
    return frozenset(b.id for b in site.buildings if b.sealed or b.id in in_sealed_zones)


def zone_buildings(site: Site, zone: Zone) -> tuple[str, ...]:
    """The buildings a zone's seal closes: those whose footprint or entrance lies in it, by the
    map's geometry rather than the buildings' `zone` labels, which name the zone a building is
    counted in (a building at a zone's edge may have its door inside)."""
    return tuple(
        building.id
        for building in site.buildings
        if zone.area.contains(building.footprint.representative_point())
        or (building.entrance is not None and zone.area.contains(Point(building.entrance)))
    )


def load_site(path: str | Path) -> Site:
    """Read and validate a site GeoJSON file."""
    return parse_site(read_json(path, what="site", error=SiteError))


def parse_site(document: Any) -> Site:
    """Validate a parsed site GeoJSON document and build the domain objects."""
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
        raise SiteError("site: expected a GeoJSON FeatureCollection", field="type")
    meta = document.get("site")
    if not isinstance(meta, Mapping) or not isinstance(meta.get("id"), str) or not meta["id"]:
        raise SiteError(
            'site: the FeatureCollection needs a "site": {"id": ..., "name": ...}', field="site.id"
        )
    features = document.get("features")
    if not isinstance(features, list):
        raise SiteError("site: 'features' must be a list", field="features")

    gates: list[Gate] = []
    buildings: list[Building] = []
    lanes: list[Lane] = []
    zones: list[Zone] = []
    seen: dict[tuple[str, str], int] = {}
    for number, feature in enumerate(features):
        kind, feature_id, props, geometry = _read_feature(feature, number)
        key = (kind, feature_id)
        if key in seen:
            raise SiteError(
                f"duplicate {kind} id {feature_id!r} (features {seen[key]} and {number})",
                field=f"features[{number}].properties.id",
            )
        seen[key] = number
        where = f"{kind} {feature_id!r} (feature {number})"
        if kind == "gate":
            gates.append(_gate(feature_id, props, geometry, where))
        elif kind == "building":
            buildings.append(_building(feature_id, props, geometry, where))
        elif kind == "lane":
            lanes.append(_lane(feature_id, props, geometry, where))
        else:
            zones.append(_zone(feature_id, props, geometry, where))

    if not gates:
        raise SiteError("site has no gate: add a Point feature with kind 'gate'", field="features")
    if len(gates) > 1:
        names = ", ".join(repr(g.id) for g in gates)
        raise SiteError(f"site has {len(gates)} gates ({names}); OneBell plans from one gate")
    if not buildings:
        raise SiteError("site has no buildings", field="features")
    if not lanes:
        raise SiteError("site has no lanes: draw at least one LineString with kind 'lane'")
    return Site(
        id=meta["id"],
        name=str(meta.get("name") or meta["id"]),
        gate=gates[0],
        buildings=tuple(buildings),
        lanes=tuple(lanes),
        zones=tuple(zones),
    )


def _read_feature(feature: Any, number: int) -> tuple[str, str, Mapping[str, Any], BaseGeometry]:
    where = f"feature {number}"
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise SiteError(f"{where}: not a GeoJSON Feature", field=f"features[{number}]")
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        raise SiteError(f"{where}: missing 'properties'", field=f"features[{number}].properties")
    kind = props.get("kind")
    if kind not in KINDS:
        raise SiteError(
            f"{where}: properties.kind is {kind!r}; use one of {', '.join(KINDS)}",
            field=f"features[{number}].properties.kind",
        )
    raw_id = props.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or str(raw_id) == "":
        raise SiteError(
            f"{where} ({kind}): properties.id is missing", field=f"features[{number}].properties.id"
        )
    feature_id = str(raw_id)
    raw_geometry = feature.get("geometry")
    try:
        geometry = shape(raw_geometry)
    except Exception as error:  # shapely raises several types for malformed geometry
        raise SiteError(
            f"{kind} {feature_id!r} (feature {number}): malformed geometry ({error})",
            field=f"features[{number}].geometry",
        ) from error
    if geometry.is_empty:
        raise SiteError(f"{kind} {feature_id!r} (feature {number}): empty geometry")
    _check_lonlat(geometry, f"{kind} {feature_id!r} (feature {number})")
    return kind, feature_id, props, geometry


def _check_lonlat(geometry: BaseGeometry, where: str) -> None:
    minx, miny, maxx, maxy = geometry.bounds
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise SiteError(f"{where}: coordinates must be finite numbers")
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise SiteError(f"{where}: coordinates must be [longitude, latitude] in degrees (WGS84)")


def _gate(gate_id: str, props: Mapping[str, Any], geometry: BaseGeometry, where: str) -> Gate:
    if not isinstance(geometry, Point):
        raise SiteError(f"{where}: a gate must be a Point, not a {geometry.geom_type}")
    return Gate(id=gate_id, name=str(props.get("name") or gate_id), lonlat=(geometry.x, geometry.y))


def _building(building_id: str, props: Mapping[str, Any], geometry: BaseGeometry, where: str) -> Building:
    if isinstance(geometry, Polygon):
        if not geometry.is_valid:
            raise SiteError(f"{where}: footprint is not a valid polygon: {explain_validity(geometry)}")
    elif not isinstance(geometry, Point):
        raise SiteError(f"{where}: a building must be a Polygon or a Point, not a {geometry.geom_type}")
    households = _int_field(props, "households", where, minimum=0, default=None)
    floors = _int_field(props, "floors", where, minimum=1, default=1)
    entrance = props.get("entrance")
    entrance_lonlat: tuple[float, float] | None = None
    if entrance is not None:
        if (
            not isinstance(entrance, list | tuple)
            or len(entrance) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in entrance)
        ):
            raise SiteError(f"{where}: entrance must be [longitude, latitude]", field="entrance")
        entrance_lonlat = (float(entrance[0]), float(entrance[1]))
        _check_lonlat(Point(entrance_lonlat), f"{where} entrance")
    doorbell = props.get("doorbell", "working")
    if doorbell not in DOORBELLS:
        raise SiteError(f"{where}: doorbell is {doorbell!r}; use 'working' or 'broken'", field="doorbell")
    sealed = props.get("sealed", False)
    if not isinstance(sealed, bool):
        raise SiteError(f"{where}: sealed must be true or false", field="sealed")
    contact = props.get("contact")
    zone = props.get("zone")
    return Building(
        id=building_id,
        name=str(props.get("name") or building_id),
        households=households,
        floors=floors,
        footprint=geometry,
        entrance=entrance_lonlat,
        doorbell=doorbell,
        contact=None if contact is None else str(contact),
        sealed=sealed,
        zone=None if zone is None else str(zone),
    )


def _lane(lane_id: str, props: Mapping[str, Any], geometry: BaseGeometry, where: str) -> Lane:
    if not isinstance(geometry, LineString):
        raise SiteError(f"{where}: a lane must be a LineString, not a {geometry.geom_type}")
    if geometry.length == 0:
        raise SiteError(f"{where}: the lane has zero length")
    modes = props.get("modes")
    if modes is None:
        mode_set = frozenset(MODES)
    else:
        if not isinstance(modes, list) or not modes:
            raise SiteError(f"{where}: modes must be a non-empty list", field="modes")
        unknown = [m for m in modes if m not in MODES]
        if unknown:
            raise SiteError(f"{where}: unknown mode {unknown[0]!r}; use {', '.join(MODES)}", field="modes")
        mode_set = frozenset(modes)
    return Lane(id=lane_id, modes=mode_set, line=geometry)


def _zone(zone_id: str, props: Mapping[str, Any], geometry: BaseGeometry, where: str) -> Zone:
    if not isinstance(geometry, Polygon):
        raise SiteError(f"{where}: a zone must be a Polygon, not a {geometry.geom_type}")
    if not geometry.is_valid:
        raise SiteError(f"{where}: not a valid polygon: {explain_validity(geometry)}")
    sealed = props.get("sealed", False)
    if not isinstance(sealed, bool):
        raise SiteError(f"{where}: sealed must be true or false", field="sealed")
    return Zone(id=zone_id, name=str(props.get("name") or zone_id), area=geometry, sealed=sealed)


def _int_field(props: Mapping[str, Any], name: str, where: str, *, minimum: int, default: int | None) -> int:
    value = props.get(name, default)
    if value is None:
        raise SiteError(f"{where}: {name} is missing", field=name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SiteError(f"{where}: {name} must be a whole number, got {value!r}", field=name)
    if value < minimum:
        raise SiteError(f"{where}: {name} must be at least {minimum}, got {value}", field=name)
    return value
