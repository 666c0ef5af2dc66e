"""Sites, their buildings, lanes and zones, and the site's API tokens (their operations: `operations.py`)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.auth import Principal, hash_token, new_token
from api.db.models import SiteRow, TokenRow
from api.deps import PrincipalDep, SessionDep, require, require_role, seen_sites
from api.errors import ERROR_RESPONSES, ApiError, not_found
from api.history import record
from api.routes.params import BuildingId, LaneId, SiteId, TokenId, ZoneId
from api.schemas import (
    BuildingChange,
    BuildingOut,
    DayPropertyOut,
    LaneChange,
    LaneOut,
    Me,
    OsmSite,
    SiteArchived,
    SiteSummary,
    TokenCreate,
    TokenCreated,
    TokenOut,
    ZoneChange,
    ZoneOut,
)
from api.store import domain_site, lanes_cut_off, lock_site, remember_site, site_row, store_map
from optimizer.day_state import DayProperty, carried_over
from optimizer.graph import build_graph
from optimizer.osm import site_from_osm
from optimizer.site import MODES, Building, Lane, Site, Zone, parse_site, sealed_buildings, zone_buildings

router = APIRouter(tags=["sites"], responses=ERROR_RESPONSES)


def site_summary(row: SiteRow) -> SiteSummary:
    site = domain_site(row)
    return SiteSummary(
        id=row.id,
        name=row.name,
        buildings=len(site.buildings),
        households=site.households,
        lanes=len(site.lanes),
        zones=len(site.zones),
        has_operations=row.operations is not None,
        district=row.district,
        archived=row.archived_at is not None,
    )


@router.get("/sites", response_model=list[SiteSummary])
def list_sites(
    session: SessionDep,
    principal: PrincipalDep,
    archived: bool = Query(default=False, description="the archived compounds too"),
) -> list[SiteSummary]:
    """The compounds the token sees; a site's token always its own, archived or not."""
    query = select(SiteRow).order_by(SiteRow.id)
    condition = seen_sites(principal)
    if condition is not None:
        query = query.where(condition)
    if not archived and principal.site_id is None:
        query = query.where(SiteRow.archived_at.is_(None))
    return [site_summary(row) for row in session.scalars(query)]


@router.put("/sites/{site_id}/archived", response_model=SiteSummary)
def archive_site(
    site_id: SiteId, body: SiteArchived, session: SessionDep, principal: PrincipalDep
) -> SiteSummary:
    """Archive a compound whose lockdown lifted (`{"archived": true}`), or bring it back: an
    archived compound leaves the district's day overview, its one press and the compound lists
    (`GET /sites?archived=true` shows it), so hundreds of compounds are not crowded by those that
    no longer deliver. Nothing is deleted: its counts, plans, tokens and history stay, and its own
    pages and plans work as before."""
    require(principal, site_id, "coordinator")
    row = site_row(session, site_id, lock=True)
    if (row.archived_at is not None) != body.archived:
        row.archived_at = datetime.now(UTC) if body.archived else None
        record(session, principal, site_id, "site_archived" if body.archived else "site_restored")
    session.commit()
    return site_summary(row)


def _may_map(session: Session, principal: Principal, site_id: str, *, lock: bool = False) -> SiteRow | None:
    """The site's row, if it has one, once the token may give the site its map: its coordinator, or
    a district office adding a compound to its own. With `lock`, a seal or closure changed meanwhile
    waits for the new map, or the new map for it: never carried over from before it (`store.site_row`)."""
    if lock:
        lock_site(session, site_id)
    row = session.get(SiteRow, site_id)
    if row is None and principal.district is not None:
        require_role(principal, "coordinator")
    else:
        require(principal, site_id, "coordinator")
    return row


@router.put("/sites/{site_id}", response_model=SiteSummary)
def put_site(
    site_id: SiteId,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    document: Annotated[dict[str, Any], Body(description="site GeoJSON FeatureCollection (docs/formats.md)")],
) -> SiteSummary:
    """A compound's map, new or sent again. Sent again, the day's properties the file leaves out
    (seals, closed lanes, doorbells, households to notify) keep their stored values and the answer
    lists them under `kept`: a map redrawn or read from OpenStreetMap again seldom knows the day.
    Seals and closures of features the new map lacks are listed under `dropped`."""
    row = _may_map(session, principal, site_id, lock=True)
    kept: list[DayProperty] = []
    dropped: list[DayProperty] = []
    if row is not None:
        carried = carried_over(row.geojson, document)
        document, kept, dropped = carried.document, carried.kept, carried.dropped
    site = parse_site(document)
    if site.id != site_id:
        raise ApiError(
            422,
            "invalid",
            f"the GeoJSON says site {site.id!r}, the path {site_id!r}",
            field="site.id",
            zh=f"小区地图写的是小区 {site.id}，网址里的是 {site_id}",
        )
    site_graph = build_graph(site)  # a map with unreachable buildings is rejected now, not at planning time
    said = {"kept": _day_properties_out(kept), "dropped": _day_properties_out(dropped)}
    if row is None:
        row = SiteRow(id=site_id, district=principal.district)
        store_map(row, document, site)
        session.add(row)
        session.flush()  # the site before its history
        record(session, principal, site_id, "site_created", buildings=len(site.buildings))
        response.status_code = 201
    elif (row.name, row.geojson) != (site.name, document):  # the same map sent again outdates no plan
        store_map(row, document, site)
        kept_detail, dropped_detail = ([p.model_dump() for p in said[key]] for key in ("kept", "dropped"))
        record(
            session,
            principal,
            site_id,
            "map_replaced",
            buildings=len(site.buildings),
            kept=kept_detail,
            dropped=dropped_detail,
        )
    session.commit()
    remember_site(row, site, site_graph)
    return site_summary(row).model_copy(update=said)


def _day_properties_out(properties: Sequence[DayProperty]) -> list[DayPropertyOut]:
    return [DayPropertyOut.model_validate(dataclasses.asdict(p)) for p in properties]


@router.post(
    "/sites/{site_id}/map/osm",
    response_model=OsmSite,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            "description": "an OpenStreetMap export: .osm (XML) as openstreetmap.org's Export gives it, or .osm.pbf",
        }
    },
)
async def site_map_from_osm(
    site_id: SiteId,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    compound: Annotated[
        str | None,
        Query(max_length=200, description="the compound's name or OSM id (w123); default: the only one"),
    ] = None,
    gate: Annotated[
        str | None,
        Query(max_length=100, description="the gate the parcels come in by: node id (n123) or lon,lat"),
    ] = None,
) -> OsmSite:
    """The site map `onebell site-from-osm` makes (docs/formats.md), read from the export in the
    body and checked, to look at and then send with `PUT /sites/{site_id}`: nothing is stored. With
    what to fill in first — buildings without households, those a tricycle cannot reach, those
    renamed for a house number taken twice, those with no number or name. For a compound mapped
    already, its stored map's households fill in the buildings of the same id (what a coordinator
    typed in beats OpenStreetMap's flats), and a `PUT` of the result keeps the day's seals and
    closures as any map sent again does."""
    row = _may_map(session, principal, site_id)
    stored = {} if row is None else {b.id: b.households for b in domain_site(row).buildings if b.households}
    data = await request.body()
    made = await run_in_threadpool(
        site_from_osm, data, compound=compound, site_id=site_id, gate=gate, households=stored
    )
    return OsmSite(
        site=made.document,
        buildings=len(made.site.buildings),
        lanes=len(made.site.lanes),
        gate=made.gate,
        without_households=made.without_households,
        no_tricycle=made.no_tricycle,
        renamed=made.renamed,
        unnumbered=made.unnumbered,
        cut_off=made.cut_off,
        households_from_map=[b.id for b in made.site.buildings if b.id in stored],
    )


@router.get("/sites/{site_id}", response_model=dict[str, Any])
def get_site(site_id: SiteId, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    require(principal, site_id, "viewer")
    return site_row(session, site_id).geojson


def _building_out(building: Building, sealed: frozenset[str] = frozenset()) -> BuildingOut:
    """`sealed`: the site's sealed buildings (`sealed_buildings`), its zones' seals included."""
    return BuildingOut(
        id=building.id,
        name=building.name,
        households=building.households,
        floors=building.floors,
        zone=building.zone,
        doorbell=building.doorbell,
        contact=building.contact,
        sealed=building.sealed,
        zone_sealed=building.id in sealed and not building.sealed,
    )


@router.get("/sites/{site_id}/buildings", response_model=list[BuildingOut])
def list_buildings(site_id: SiteId, session: SessionDep, principal: PrincipalDep) -> list[BuildingOut]:
    require(principal, site_id, "viewer")
    site = domain_site(site_row(session, site_id))
    sealed = sealed_buildings(site)
    return [_building_out(b, sealed) for b in site.buildings]


@router.patch("/sites/{site_id}/buildings/{building_id}", response_model=BuildingOut)
def change_building(
    site_id: SiteId,
    building_id: BuildingId,
    change: BuildingChange,
    session: SessionDep,
    principal: PrincipalDep,
) -> BuildingOut:
    """A building's household to notify, doorbell or seal, changed without sending the whole map
    again: these change during a lockdown day, the map does not (and its households, which a map read
    from OpenStreetMap often lacks). Plans made before the change
    keep what they were made from, and the day overview calls them outdated."""
    require(principal, site_id, "coordinator")
    changed = change.model_fields_set
    if not changed:
        raise ApiError(
            422,
            "invalid",
            "nothing to change: give contact, doorbell, sealed or households",
            field="body",
            zh="没有要改的：请给出 contact（通知住户）、doorbell（门铃）、sealed（封控）或 households（户数）",
        )

    def apply(properties: dict[str, Any]) -> None:
        for name in sorted(changed):
            value = getattr(change, name)
            if value is not None:
                properties[name] = value
            elif name == "contact":
                properties.pop("contact", None)
            else:
                raise ApiError(
                    422,
                    "invalid",
                    f"{name} may not be null for building {building_id}",
                    field=name,
                    zh=f"楼 {building_id} 的 {name} 不能为空",
                )

    def noted(site: Site) -> None:
        changes = {name: getattr(change, name) for name in sorted(changed)}
        name = site.building(building_id).name
        record(
            session, principal, site_id, "building_changed", building=building_id, name=name, changes=changes
        )

    site = _changed_feature(session, site_id, "building", building_id, apply, noted)
    return _building_out(site.building(building_id), sealed_buildings(site))


@router.get("/sites/{site_id}/zones", response_model=list[ZoneOut])
def list_zones(site_id: SiteId, session: SessionDep, principal: PrincipalDep) -> list[ZoneOut]:
    require(principal, site_id, "viewer")
    site = domain_site(site_row(session, site_id))
    return [_zone_out(site, zone) for zone in site.zones]


@router.patch("/sites/{site_id}/zones/{zone_id}", response_model=ZoneOut)
def change_zone(
    site_id: SiteId, zone_id: ZoneId, change: ZoneChange, session: SessionDep, principal: PrincipalDep
) -> ZoneOut:
    """A small zone sealed inside the compound (or opened again): every building in it gets door
    delivery by a designated pair, without sending the whole map again. Plans made before keep what
    they were made from, and the day overview calls them outdated."""
    require(principal, site_id, "coordinator")
    site = _switched(session, principal, site_id, "zone", zone_id, "sealed", change.sealed)
    return _zone_out(site, next(zone for zone in site.zones if zone.id == zone_id))


@router.get("/sites/{site_id}/lanes", response_model=list[LaneOut])
def list_lanes(site_id: SiteId, session: SessionDep, principal: PrincipalDep) -> list[LaneOut]:
    """The map's lanes, which are closed today, and what each cuts off while closed."""
    require(principal, site_id, "viewer")
    return _lanes_out(site_row(session, site_id))


@router.patch("/sites/{site_id}/lanes/{lane_id}", response_model=list[LaneOut])
def change_lane(
    site_id: SiteId, lane_id: LaneId, change: LaneChange, session: SessionDep, principal: PrincipalDep
) -> list[LaneOut]:
    """A lane closed (a barricade, a gate between zones locked) or opened again, without sending
    the whole map again: plans go round it, and what only it led to is listed undelivered
    (`lane_closed`). Plans made before keep what they were made from, and the day overview calls
    them outdated. Answers every lane, as what one closure cuts off depends on the others."""
    require(principal, site_id, "coordinator")
    _switched(session, principal, site_id, "lane", lane_id, "closed", change.closed)
    return _lanes_out(site_row(session, site_id))


def _lanes_out(row: SiteRow) -> list[LaneOut]:
    site, cut_off = domain_site(row), lanes_cut_off(row)
    return [
        LaneOut(
            id=lane.id,
            name=lane.name,
            modes=[mode for mode in MODES if mode in lane.modes],
            closed=lane.closed,
            cut_off=[b.id for b in site.buildings if b.id in cut_off[lane.id]],
        )
        for lane in site.lanes
    ]


def _zone_out(site: Site, zone: Zone) -> ZoneOut:
    return ZoneOut(id=zone.id, name=zone.name, sealed=zone.sealed, buildings=list(zone_buildings(site, zone)))


def _switched(
    session: Session, principal: Principal, site_id: str, kind: str, feature_id: str, field: str, value: bool
) -> Site:
    """A zone sealed or a lane closed (or opened again): the one field set, stored, and a
    `{kind}_changed` line in the history naming the feature."""

    def noted(site: Site) -> None:
        features: Sequence[Zone | Lane] = site.zones if kind == "zone" else site.lanes
        name = next(feature.name for feature in features if feature.id == feature_id)
        detail: dict[str, Any] = {kind: feature_id, "name": name, field: value}
        record(session, principal, site_id, f"{kind}_changed", **detail)

    return _changed_feature(session, site_id, kind, feature_id, lambda p: p.update({field: value}), noted)


_KIND_ZH = {"building": "楼", "lane": "道路", "zone": "小区域"}


def _changed_feature(
    session: Session,
    site_id: str,
    kind: str,
    feature_id: str,
    apply: Callable[[dict[str, Any]], None],
    noted: Callable[[Site], None],
) -> Site:
    """The site map with one feature's properties changed by `apply`, checked and stored: the
    site's row is locked meanwhile, so two changes to different buildings both stay. `noted` adds
    the history line, when something changed."""
    row = site_row(session, site_id, lock=True)
    document = copy.deepcopy(row.geojson)
    feature = next(
        (
            f
            for f in document.get("features", [])
            if f.get("properties", {}).get("kind") == kind and str(f["properties"].get("id")) == feature_id
        ),
        None,
    )
    if feature is None:
        raise not_found(
            f"{kind} {feature_id!r} at site {site_id!r}", f"小区 {site_id} 的{_KIND_ZH[kind]} {feature_id}"
        )
    apply(feature["properties"])
    site = parse_site(document, accepted=True)  # the stored map with a day's property changed
    if document != row.geojson:  # the same change again outdates no plan
        store_map(row, document, site)
        noted(site)
    session.commit()
    return site


@router.get("/me", response_model=Me, tags=["tokens"])
def who_am_i(principal: PrincipalDep) -> Me:
    """What the token in hand may do, so a page can offer only that."""
    return Me(
        role=principal.role,  # type: ignore[arg-type]  # the five roles
        site=principal.site_id,
        district=principal.district,
        token_id=principal.token_id,
    )


def token_out(row: TokenRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "site": row.site_id,
        "district": row.district,
        "role": row.role,
        "label": row.label,
        "created_at": row.created_at,
        "revoked": row.revoked_at is not None,
    }


@router.post("/sites/{site_id}/tokens", response_model=TokenCreated, status_code=201, tags=["tokens"])
def create_token(
    site_id: SiteId, body: TokenCreate, session: SessionDep, principal: PrincipalDep
) -> TokenCreated:
    require(principal, site_id, "coordinator")
    site_row(session, site_id)
    token = new_token()
    row = TokenRow(site_id=site_id, role=body.role, label=body.label, token_hash=hash_token(token))
    session.add(row)
    session.flush()  # its id, for the history
    record(session, principal, site_id, "token_made", id=row.id, label=row.label, role=row.role)
    session.commit()
    return TokenCreated(token=token, **token_out(row))


@router.get("/sites/{site_id}/tokens", response_model=list[TokenOut], tags=["tokens"])
def list_tokens(site_id: SiteId, session: SessionDep, principal: PrincipalDep) -> list[TokenOut]:
    require(principal, site_id, "coordinator")
    rows = session.scalars(select(TokenRow).where(TokenRow.site_id == site_id).order_by(TokenRow.id))
    return [TokenOut(**token_out(row)) for row in rows]


@router.delete("/sites/{site_id}/tokens/{token_id}", response_model=TokenOut, tags=["tokens"])
def revoke_token(
    site_id: SiteId, token_id: TokenId, session: SessionDep, principal: PrincipalDep
) -> TokenOut:
    require(principal, site_id, "coordinator")
    row = session.get(TokenRow, token_id)
    if row is None or row.site_id != site_id:
        raise not_found(f"token {token_id}", f"令牌 {token_id}")
    return revoke(
        session,
        row,
        lambda: record(
            session, principal, site_id, "token_revoked", id=row.id, label=row.label, role=row.role
        ),
    )


def revoke(session: Session, row: TokenRow, noted: Callable[[], None] = lambda: None) -> TokenOut:
    """Revoking a revoked token again is no error and keeps the first time (and its history line)."""
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        noted()
        session.commit()
    return TokenOut(**token_out(row))
