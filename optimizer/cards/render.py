"""Route cards and the sorter's load list, as HTML (Jinja2, print CSS) and PDF (WeasyPrint).

One file per request: for each shift, one card per crew with every trip's map and stops, then the
sorter's load list. Cards read a plan as JSON, so they work for any plan file or API plan.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from optimizer.cards.labels import LABELS, LANGUAGES
from optimizer.cards.layout import PAPERS as PAGE_LAYOUTS
from optimizer.cards.layout import MapBox, map_box
from optimizer.cards.svg_map import PALETTE, RouteLine, map_aspect, site_map_svg
from optimizer.errors import PlanError
from optimizer.graph import SiteGraph
from optimizer.names import crew_name, shift_name, vehicle_name
from optimizer.site import Site, sealed_buildings

PAPERS = tuple(PAGE_LAYOUTS)
PARTS = ("all", "cards", "load_list")


@dataclass(frozen=True)
class CardStop:
    seq: int
    building: str
    name: str
    zone: str
    parcels: int
    arrive: str
    contact: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class CardTrip:
    number: int
    load: str
    depart: str
    back: str
    parcels: int
    stops: tuple[CardStop, ...]
    map_svg: str
    map_aspect: float  # height over width


@dataclass(frozen=True)
class CrewCard:
    crew: str  # the plan's id (the page's trip reports name it so)
    crew_name: str  # as people call it (`crew_name`: 上午1组)
    vehicle: str
    riders: int
    start: str
    finish: str
    parcels: int
    trips: tuple[CardTrip, ...]
    on_the_road: int = 0  # a re-plan's trips that had left: not printed again


@dataclass(frozen=True)
class LoadItem:
    name: str  # the building's
    parcels: int
    batches: tuple[LoadBatch, ...] = ()  # which pile the sorter takes them from

    @property
    def earlier(self) -> int:
        """Parcels of the item with no arrival time: at the gate before the shift began."""
        return self.parcels - sum(batch.parcels for batch in self.batches)


@dataclass(frozen=True)
class LoadBatch:
    """Parcels of a load item from one pile at the gate: a wave that arrived at `at` (HH:MM, and
    has stood its time), parcels held over from an earlier day (`held`: month and day), or parcels
    a trip brought back at `back` (HH:MM)."""

    parcels: int
    at: str | None = None
    held: tuple[int, int] | None = None
    back: str | None = None

    @classmethod
    def of(cls, batch: Mapping[str, Any]) -> LoadBatch:
        if "back_at" in batch:
            return cls(batch["parcels"], back=str(batch["back_at"])[:5])
        if "held_from" in batch:
            try:
                _, month, day = (int(part) for part in str(batch["held_from"]).split("-"))
            except ValueError:
                raise PlanError(
                    f"a batch's held_from {batch['held_from']!r} is not a date YYYY-MM-DD",
                    field="held_from",
                    zh=f"有一批件的 held_from「{batch['held_from']}」不是 年-月-日 的日期",
                ) from None
            return cls(batch["parcels"], held=(month, day))
        return cls(batch["parcels"], at=str(batch["arrived"])[:5])


@dataclass(frozen=True)
class LoadTrip:
    depart: str
    crew: str
    crew_name: str
    number: int
    parcels: int
    loading_order: tuple[LoadItem, ...]  # last stop first


@dataclass(frozen=True)
class ShiftCards:
    id: str
    name: str  # as the cards name it (`shift_name`)
    start: str
    end: str
    load_list: tuple[LoadTrip, ...]
    cards: tuple[CrewCard, ...]
    on_the_road: int = 0  # trips a re-plan kept (already loaded and gone): off the load list


def unknown_building(building_id: str) -> PlanError:
    """A plan naming a building the site file has not: a plan of another version of the map."""
    return PlanError(
        f"the plan names building {building_id!r}, which the site does not have",
        zh=f"路线计划里有楼 {building_id}，小区地图里没有这栋楼",
    )


def check_plan_site(plan: Mapping[str, Any], site: Site) -> None:
    if plan.get("site") != site.id:
        raise PlanError(
            f"the plan is for site {plan.get('site')!r}, the site file is {site.id!r}",
            field="site",
            zh=f"路线计划是小区 {plan.get('site')} 的，小区地图文件是 {site.id} 的",
        )


def chosen_shifts(
    plan: Mapping[str, Any], site: Site, *, shift: str | None, lang: str
) -> list[Mapping[str, Any]]:
    """The plan's shifts to print (one, or all), once the plan is known to be this site's."""
    if lang not in LANGUAGES:
        raise PlanError(
            f"unknown card language {lang!r}; use {' or '.join(LANGUAGES)}",
            field="lang",
            zh=f"路线卡语言「{lang}」不认识；请用 {' 或 '.join(LANGUAGES)}",
        )
    check_plan_site(plan, site)
    shifts = list(plan.get("shifts", []))
    if shift is not None:
        chosen = [s for s in shifts if s.get("id") == shift]
        if not chosen:
            known = ", ".join(str(s.get("id")) for s in shifts)
            raise PlanError(
                f"the plan has no shift {shift!r}; it has {known}",
                field="shift",
                zh=f"路线计划里没有班次 {shift}；有的是 {known}",
            )
        shifts = chosen
    return shifts


def shift_documents(
    plan: Mapping[str, Any], site_graph: SiteGraph, *, shift: str | None, lang: str
) -> list[ShiftCards]:
    """What the templates show, shift by shift, checked against the site."""
    site = site_graph.site
    shifts = chosen_shifts(plan, site, shift=shift, lang=lang)
    buildings = {b.id: b for b in site.buildings}
    sealed = sealed_buildings(site)  # by its own seal or its zone's: the card says not to ring
    labels = LABELS[lang]
    aspect = map_aspect(site_graph)
    documents = []
    for shift_plan in shifts:
        cards, loads = [], []
        shift_on_the_road = 0
        for crew_number, crew in enumerate(shift_plan.get("crews", [])):
            colour = PALETTE[crew_number % len(PALETTE)]
            called = crew_name(crew["id"], lang)
            trips = []
            on_the_road = sum(1 for trip in crew["trips"] if trip.get("kept"))
            shift_on_the_road += on_the_road
            for number, trip in enumerate(crew["trips"], start=1):
                if trip.get("kept"):
                    continue  # numbers stay those of the plan the crew is riding
                stops = []
                for seq, stop in enumerate(trip["stops"], start=1):
                    building = buildings.get(stop["building"])
                    if building is None:
                        raise unknown_building(stop["building"])
                    notes = []
                    if stop.get("urgent"):
                        late = stop.get("late_urgent", 0)
                        notes.append(
                            labels["urgent_late" if late else "urgent"].format(n=stop["urgent"], late=late)
                        )
                    if building.has_broken_doorbell:
                        notes.append(labels["broken"])
                    if building.id in sealed:
                        notes.append(labels["sealed"])
                    stops.append(
                        CardStop(
                            seq,
                            building.id,
                            building.name,
                            building.zone or "",
                            stop["parcels"],
                            stop["arrive"][:5],
                            building.contact or "",
                            tuple(notes),
                        )
                    )
                route = RouteLine(
                    tuple(s.building for s in stops),
                    crew.get("mode", "tricycle"),
                    colour,
                    f"{called} {number}",
                    fenced=not crew.get("sealed_ok", False),
                )
                map_svg = site_map_svg(
                    site_graph, [route], width_px=520, title=f"{called} {labels['trip'].format(n=number)}"
                )
                trips.append(
                    CardTrip(
                        number,
                        trip["load"][:5],
                        trip["depart"][:5],
                        trip["return"][:5],
                        trip["parcels"],
                        tuple(stops),
                        map_svg,
                        aspect,
                    )
                )
                loads.append(
                    LoadTrip(
                        trip["depart"][:5],
                        crew["id"],
                        called,
                        number,
                        trip["parcels"],
                        tuple(
                            LoadItem(
                                card_stop.name,
                                card_stop.parcels,
                                tuple(LoadBatch.of(b) for b in stop.get("batches", ())),
                            )
                            for card_stop, stop in zip(reversed(stops), reversed(trip["stops"]), strict=True)
                        ),
                    )
                )
            if not trips:
                continue
            cards.append(
                CrewCard(
                    crew["id"],
                    called,
                    vehicle_name(crew.get("mode", crew["vehicle"]), lang),
                    crew["riders"],
                    trips[0].load,
                    trips[-1].back,
                    sum(t.parcels for t in trips),
                    tuple(trips),
                    on_the_road,
                )
            )
        loads.sort(key=lambda item: (item.depart, item.crew))
        documents.append(
            ShiftCards(
                shift_plan["id"],
                shift_name(shift_plan["id"], lang),
                shift_plan.get("start", "")[:5],
                shift_plan.get("end", "")[:5],
                tuple(loads),
                tuple(cards),
                shift_on_the_road,
            )
        )
    return documents


_environment = Environment(
    loader=PackageLoader("optimizer.cards", "templates"), autoescape=select_autoescape(["html", "j2"])
)


_NOTE_SEPARATOR = {"zh": "；", "en": "; "}


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


_environment.filters["svg_data_uri"] = _svg_data_uri


def cards_html(
    plan: Mapping[str, Any],
    site_graph: SiteGraph,
    *,
    shift: str | None = None,
    lang: str = "zh",
    paper: str = "a4",
    part: str = "all",
    maps_as_images: bool = False,
) -> str:
    """`part`: "all" (each shift's cards, then its load list), "cards" or "load_list" only.

    Maps are inline SVG, which a browser can style and inspect; with `maps_as_images` each is an
    `<img>` of the same SVG instead, which WeasyPrint turns into the same PDF in 0.77–0.85 of the
    time (its HTML parser and style cascade then skip the maps' thousands of elements;
    `bench/cards.py`)."""
    if paper not in PAPERS:
        raise PlanError(
            f"unknown paper size {paper!r}; use {' or '.join(PAPERS)}",
            field="paper",
            zh=f"纸张大小「{paper}」不认识；请用 {' 或 '.join(PAPERS)}",
        )
    if part not in PARTS:
        raise PlanError(
            f"unknown part {part!r}; use {', '.join(PARTS)}",
            field="part",
            zh=f"打印内容「{part}」不认识；请用 {'、'.join(PARTS)}",
        )
    documents = shift_documents(plan, site_graph, shift=shift, lang=lang)
    layout = PAGE_LAYOUTS[paper]
    if not any(building.zone for building in site_graph.site.buildings):
        layout = layout.without_zone()
    note_separator = _NOTE_SEPARATOR[lang]

    # a barricade the crews go round (as their maps show), named on every card
    closed_lanes = list(dict.fromkeys(lane.name for lane in site_graph.site.lanes if lane.closed))

    def trip_map(card: CrewCard, trip: CardTrip, first: bool, last: bool) -> MapBox:
        rows = [(stop.name, stop.contact, note_separator.join(stop.notes)) for stop in trip.stops]
        head_lines = bool(card.on_the_road) + bool(closed_lanes)
        return map_box(rows, trip.map_aspect, layout, first=first, last=last, head_lines=head_lines)

    template = _environment.get_template("cards.html.j2")
    return template.render(
        layout=layout,
        trip_map=trip_map,
        note_separator=note_separator,
        site=site_graph.site,
        plan=plan,
        shifts=documents,
        t=LABELS[lang],
        lang=lang,
        small=paper == "a5",
        with_cards=part in ("all", "cards"),
        with_load_list=part in ("all", "load_list"),
        maps_as_images=maps_as_images,
        closed_lanes=closed_lanes,
    )


def cards_pdf(
    plan: Mapping[str, Any],
    site_graph: SiteGraph,
    *,
    shift: str | None = None,
    lang: str = "zh",
    paper: str = "a4",
    part: str = "all",
) -> bytes:
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    html = cards_html(plan, site_graph, shift=shift, lang=lang, paper=paper, part=part, maps_as_images=True)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def day_map_svg(site_graph: SiteGraph, plan: Mapping[str, Any] | None = None, *, width_px: int = 900) -> str:
    """The whole day on one map: every trip, one colour per crew."""
    routes: list[RouteLine] = []
    if plan is not None:
        check_plan_site(plan, site_graph.site)
        crews: Sequence[Mapping[str, Any]] = [
            crew for shift in plan.get("shifts", []) for crew in shift.get("crews", [])
        ]
        for number, crew in enumerate(crews):
            for trip_number, trip in enumerate(crew.get("trips", []), start=1):
                stops = tuple(stop["building"] for stop in trip["stops"])
                routes.append(
                    RouteLine(
                        stops,
                        crew.get("mode", "tricycle"),
                        PALETTE[number % len(PALETTE)],
                        f"{crew['id']} {trip_number}",
                        fenced=not crew.get("sealed_ok", False),
                    )
                )
    title = site_graph.site.name if plan is None else f"{site_graph.site.name} {plan.get('date') or ''}"
    return site_map_svg(site_graph, routes, width_px=width_px, number_stops=False, title=title)
