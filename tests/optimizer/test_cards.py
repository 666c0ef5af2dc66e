"""Route cards, the sorter's load list and the maps."""

from __future__ import annotations

import base64
import io
import json
import re
from functools import cache
from typing import Any

import pypdf
import pytest
from weasyprint import HTML

from fixtures.generate import barricaded
from optimizer.cards.layout import PAPERS as PAGE_LAYOUTS
from optimizer.cards.layout import MapBox, map_box
from optimizer.cards.notices import building_notices
from optimizer.cards.render import cards_html, cards_pdf, day_map_svg, shift_documents
from optimizer.check import check_plan
from optimizer.day import load_day
from optimizer.errors import PlanError
from optimizer.graph import SiteGraph, build_graph
from optimizer.operations import load_operations
from optimizer.planner import plan_day
from optimizer.site import load_site, parse_site
from tests.helpers import FIXTURES, day, graph_of, operations, three_on_a_lane

LANE_SITE = graph_of(three_on_a_lane({"B2": {"doorbell": "broken"}, "B3": {"sealed": True, "zone": "A"}}))


TRICYCLE_SEALED_OK = {
    "id": "tricycle",
    "mode": "tricycle",
    "count": 1,
    "capacity": 80,
    "crew": 2,
    "speed_kmh": 7.2,
    "sealed_ok": True,
}


@cache
def _lane_plan() -> dict[str, Any]:
    ops = operations(fleet=[TRICYCLE_SEALED_OK])
    plan = plan_day(LANE_SITE, day(("B1", 10), ("B2", 30, None, 2), ("B3", 60)), ops, time_limit_s=1.0)
    return json.loads(json.dumps(plan.to_dict()))  # type: ignore[no-any-return]


@cache
def _gelin_plan(day_file: str, ops_file: str) -> tuple[SiteGraph, dict[str, Any]]:
    site_graph = build_graph(load_site(FIXTURES / "gelin-spring" / "site.geojson"))
    plan = plan_day(
        site_graph,
        load_day(FIXTURES / "gelin-spring" / "days" / day_file),
        load_operations(FIXTURES / "gelin-spring" / ops_file),
        time_limit_s=2.0,
    )
    return site_graph, json.loads(json.dumps(plan.to_dict()))


def _gelin() -> tuple[SiteGraph, dict[str, Any]]:
    return _gelin_plan("2022-04-28-2300.csv", "ops-more-riders.json")


def _stops_in_order(plan: dict[str, Any], shift: str) -> list[list[tuple[str, int]]]:
    return [
        [(stop["building"], stop["parcels"]) for stop in trip["stops"]]
        for s in plan["shifts"]
        if s["id"] == shift
        for crew in s["crews"]
        for trip in crew["trips"]
    ]


def test_pdf_lists_every_stop_in_route_order() -> None:
    site_graph, plan = _gelin()
    reader = pypdf.PdfReader(io.BytesIO(cards_pdf(plan, site_graph, shift="morning", lang="en")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    names = {b.id: b.name for b in site_graph.site.buildings}
    position = 0
    for trip in _stops_in_order(plan, "morning"):
        for building, parcels in trip:
            # a stop row reads: sequence, building name, (zone,) parcels, arrival time
            match = re.compile(rf"{re.escape(names[building])}\s+{parcels}\s+\d\d:\d\d").search(
                text, position
            )
            assert match is not None, f"stop {building} ({parcels}) missing or out of order"
            position = match.end()


def test_the_zone_column_is_printed_only_for_a_compound_split_into_zones() -> None:
    zoned = cards_html(_lane_plan(), LANE_SITE, lang="en")  # B3 is in zone A
    assert "<th>Zone</th>" in zoned and re.search(r"<td>B3</td><td>A</td>", zoned)
    site_graph, plan = _gelin()  # no zones: the note takes the column's room
    plain = cards_html(plan, site_graph, shift="morning", lang="en")
    assert "<th>Zone</th>" not in plain
    header = re.search(r"<thead><tr>(.*?)</tr></thead>", plain)
    first_row = re.search(r'<tr class="stop"[^>]*>(.*?)</tr>', plain, re.S)
    assert header is not None and first_row is not None
    assert header.group(1).count("<th>") == first_row.group(1).count("<td") == 7
    assert (
        PAGE_LAYOUTS["a4"].without_zone().note_mm == PAGE_LAYOUTS["a4"].note_mm + PAGE_LAYOUTS["a4"].zone_mm
    )


def test_a_cjk_font_is_embedded() -> None:
    reader = pypdf.PdfReader(io.BytesIO(cards_pdf(_lane_plan(), LANE_SITE)))
    embedded = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor and any(
                    key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    embedded.append(str(font["/BaseFont"]))
    assert any("CJK" in name for name in embedded), embedded
    assert "路线卡" in reader.pages[0].extract_text()


def _row_pages(html: str) -> dict[str, set[int]]:
    """Which pages each stop row (by its data-key) is laid out on."""
    document = HTML(string=html).render()
    pages: dict[str, set[int]] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():  # WeasyPrint's layout boxes
            element = getattr(box, "element", None)
            if element is not None and element.get("class") == "stop" and box.element_tag == "tr":
                pages.setdefault(element.get("data-key"), set()).add(number)
    return pages


def test_no_stop_row_splits_across_a_page_break() -> None:
    site_graph, plan = _gelin()
    pages = _row_pages(cards_html(plan, site_graph, shift="morning", lang="en", paper="a5"))
    expected = sum(len(trip) for trip in _stops_in_order(plan, "morning"))
    assert len(pages) == expected
    assert max(max(p) for p in pages.values()) > 10  # there are page breaks to get wrong
    split = {key: p for key, p in pages.items() if len(p) > 1}
    assert split == {}


def _quiet_day() -> tuple[SiteGraph, dict[str, Any]]:
    """gelin-spring's 600-parcel day with one tricycle a shift: trips of up to ~45 stops, too long
    for one page."""
    return _gelin_plan("2022-04-08-600.csv", "ops-3x3.json")


def _trip_pages(document: Any) -> tuple[dict[str, set[int]], dict[str, bool]]:
    """Pages each trip (heading, map and stop table) is laid out on, and whether its map was sized
    for it to fit one page."""
    pages: dict[str, set[int]] = {}
    whole: dict[str, bool] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and box.element_tag == "div" and element.get("data-trip"):
                pages.setdefault(element.get("data-trip"), set()).add(number)
                whole[element.get("data-trip")] = "whole" in element.get("class").split()
    return pages, whole


@pytest.mark.parametrize(("lang", "paper"), [("zh", "a4"), ("en", "a4"), ("zh", "a5"), ("en", "a5")])
def test_a_trip_sized_to_fit_a_page_is_printed_on_one_page(lang: str, paper: str) -> None:
    site_graph, plan = _gelin()
    html = cards_html(plan, site_graph, lang=lang, paper=paper, maps_as_images=True)
    pages, whole = _trip_pages(HTML(string=html).render())
    stops = {
        f"{crew['id']}/{number}": len(trip["stops"])
        for shift in plan["shifts"]
        for crew in shift["crews"]
        for number, trip in enumerate(crew["trips"], start=1)
    }
    assert set(pages) == set(whole) == set(stops)
    assert {trip: sorted(p) for trip, p in pages.items() if whole[trip] and len(p) > 1} == {}
    if paper == "a4":  # the day's trips of 7–17 stops: most fit, with smaller maps (30–35 of 33–36)
        assert all(whole[trip] for trip, count in stops.items() if count <= 8)
        assert sum(whole.values()) >= 0.75 * len(stops)


@cache
def _gelin_garden_path_closed() -> SiteGraph:
    """gelin-spring with its garden path barricaded (it cuts off no building: the routes go round)."""
    document = json.loads((FIXTURES / "gelin-spring" / "site.geojson").read_text())
    for feature in document["features"]:
        if feature["properties"].get("id") == "garden-path":
            feature["properties"]["closed"] = True
    return build_graph(parse_site(document))


def test_every_card_names_the_lanes_closed_today() -> None:
    site_graph, plan = _gelin()
    closed = _gelin_garden_path_closed()
    cards = len([crew for shift in plan["shifts"] for crew in shift["crews"]])
    line = "Closed today: {} (go round as the map shows)"
    name = next(lane.name for lane in closed.site.lanes if lane.id == "garden-path")
    assert cards_html(plan, closed, lang="en").count(line.format(name)) == cards
    assert cards_html(plan, closed, lang="zh").count("今天封闭的道路：") == cards
    assert "Closed today" not in cards_html(plan, site_graph, lang="en")


def _first_trip_top_mm(html: str) -> float:
    """Where the first page's first trip begins, below the page's top margin."""
    page = HTML(string=html).render().pages[0]
    top = next(
        box.position_y
        for box in page._page_box.descendants()
        if getattr(box, "element", None) is not None
        and box.element_tag == "div"
        and box.element.get("data-trip")
    )
    return float(top) * 25.4 / 96


@pytest.mark.parametrize(("lang", "paper"), [("zh", "a4"), ("en", "a5")])
def test_the_lines_on_closed_lanes_and_trips_gone_take_the_room_the_layout_leaves_them(
    lang: str, paper: str
) -> None:
    """A re-plan's card says, above its first trip, how many trips are on the road and which lanes
    are closed: one line each, as tall as the layout counts (`Paper.head_line_mm`), so the first
    trip's map, sized to fit under them, does."""
    site_graph, plan = _gelin()
    replanned = json.loads(json.dumps(plan))
    replanned["replanned_at"] = "09:10:00"
    for shift in replanned["shifts"]:
        for crew in shift["crews"]:
            crew["trips"][0]["kept"] = True
    plain = _first_trip_top_mm(cards_html(plan, site_graph, lang=lang, paper=paper, maps_as_images=True))
    html = cards_html(replanned, _gelin_garden_path_closed(), lang=lang, paper=paper, maps_as_images=True)
    assert "head-line kept" in html and "head-line closed" in html
    lines = _first_trip_top_mm(html) - plain
    assert 2 * (PAGE_LAYOUTS[paper].head_line_mm - 1) < lines <= 2 * PAGE_LAYOUTS[paper].head_line_mm
    pages, whole = _trip_pages(HTML(string=html).render())
    assert {trip: sorted(p) for trip, p in pages.items() if whole[trip] and len(p) > 1} == {}


def test_every_page_is_headed_with_the_crew_and_trip_it_continues() -> None:
    site_graph, plan = _quiet_day()
    document = HTML(
        string=cards_html(plan, site_graph, shift="morning", lang="en", maps_as_images=True)
    ).render()
    pages, _ = _trip_pages(document)
    assert any(len(p) > 1 for p in pages.values())  # a trip runs over pages
    first_row: dict[int, str] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and element.get("class") == "stop" and box.element_tag == "tr":
                first_row.setdefault(number, element.get("data-key"))
    reader = pypdf.PdfReader(io.BytesIO(document.write_pdf()))
    for number, page in enumerate(reader.pages):
        text = page.extract_text()
        assert f"{number + 1} / {len(reader.pages)}" in text
        if number in first_row:
            crew, trip, _ = first_row[number].split("/")
            assert f"Shift morning · Crew {crew} · Trip {trip}" in text, (number, first_row[number])
        else:
            assert "Sorter's load list · Shift morning" in text


def test_the_load_list_reverses_each_trips_stop_order() -> None:
    site_graph, plan = _gelin()
    [morning] = shift_documents(plan, site_graph, shift="morning", lang="en")
    names = {b.id: b.name for b in site_graph.site.buildings}
    by_trip = {
        (c.crew, t.number): [(s.name, s.parcels) for s in t.stops] for c in morning.cards for t in c.trips
    }
    assert len(morning.load_list) == len(by_trip)
    for load in morning.load_list:
        loading = [(item.name, item.parcels) for item in load.loading_order]
        assert loading == list(reversed(by_trip[(load.crew, load.number)]))
        assert not any(item.batches for item in load.loading_order)  # no count row gives `arrived`
    departures = [load.depart for load in morning.load_list]
    assert departures == sorted(departures)
    assert {item.name for item in morning.load_list[0].loading_order} <= set(names.values())


def test_the_load_list_says_which_standing_batch_to_load() -> None:
    # B1's parcels were there before the shift; B3's came in two batches that stand an hour each.
    site_graph = graph_of(three_on_a_lane())
    ops = operations(gate={"reload_s": 240, "stand_min": 60})
    the_day = day(
        ("B1", 20), ("B1", 3, None, 0, "07:00"), ("B3", 5, None, 0, "08:30"), ("B3", 10, None, 0, "06:30")
    )
    plan = plan_day(site_graph, the_day, ops, time_limit_s=1.0).to_dict()
    items = [
        item
        for shift in shift_documents(plan, site_graph, shift=None, lang="en")
        for trip in shift.load_list
        for item in trip.loading_order
    ]
    b1 = [item for item in items if item.name == "B1"]
    assert sum(item.earlier for item in b1) == 20
    assert sorted((b.at, b.parcels) for item in b1 for b in item.batches) == [("07:00", 3)]
    b3 = [item for item in items if item.name == "B3"]
    assert sorted((b.at, b.parcels) for item in b3 for b in item.batches) == [("06:30", 10), ("08:30", 5)]
    assert all(item.earlier == 0 for item in b3)
    html = cards_html(plan, site_graph, lang="en", part="load_list")
    assert "10 arrived 06:30" in html and "5 arrived 08:30" in html and "3 arrived 07:00" in html
    assert "20 there before" in html
    # A column the sorter writes in when a trip is back (then reports it on the page), a cell a trip.
    assert "Back at · brought back</th>" in html
    assert html.count('<td class="back"></td>') == html.count('class="load-trip"') > 0


def test_the_map_draws_one_route_per_trip() -> None:
    site_graph, plan = _gelin()
    trips = sum(len(crew["trips"]) for shift in plan["shifts"] for crew in shift["crews"])
    svg = day_map_svg(site_graph, plan)
    assert svg.count('class="route"') == trips
    assert svg.count('class="footprint"') == 125
    [morning] = shift_documents(plan, site_graph, shift="morning", lang="zh")
    for card in morning.cards:
        for trip in card.trips:
            assert trip.map_svg.count('class="route"') == 1
            assert trip.map_svg.count('class="stop"') == len(trip.stops)


def test_print_maps_are_the_same_svg_as_images() -> None:
    site_graph, plan = _gelin()
    inline = cards_html(plan, site_graph, shift="morning")
    printed = cards_html(plan, site_graph, shift="morning", maps_as_images=True)
    maps = re.findall(r"<svg.*?</svg>", inline, flags=re.S)
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', printed)
    assert "<svg" not in printed
    assert len(maps) == len(images) == len(_stops_in_order(plan, "morning"))
    assert [base64.b64decode(image).decode("utf-8") for image in images] == maps


def test_the_pdf_draws_image_maps_as_it_drew_inline_ones() -> None:
    inline = HTML(string=cards_html(_lane_plan(), LANE_SITE)).write_pdf()
    assert cards_pdf(_lane_plan(), LANE_SITE) == inline


def test_broken_doorbell_sealed_and_urgent_instructions_appear() -> None:
    html_zh = cards_html(_lane_plan(), LANE_SITE)
    assert "门铃坏" in html_zh and "封控楼" in html_zh and "急件2件" in html_zh
    html_en = cards_html(_lane_plan(), LANE_SITE, lang="en")
    assert "Doorbell broken" in html_en and "Sealed building" in html_en and "2 urgent" in html_en


def test_urgent_parcels_past_their_window_are_marked_so_on_the_card() -> None:
    ops = operations(fleet=[TRICYCLE_SEALED_OK], urgent_within_min=5)  # B2 is too far for 5 minutes
    plan = plan_day(LANE_SITE, day(("B1", 10), ("B2", 30, None, 2)), ops, time_limit_s=1.0).to_dict()
    assert plan["summary"]["late_urgent"] == 2
    assert "急件2件（2件已过时限），先送" in cards_html(plan, LANE_SITE)
    assert "2 urgent (2 past their window), deliver first" in cards_html(plan, LANE_SITE, lang="en")


def test_a_building_in_a_sealed_zone_is_marked_sealed_on_the_card() -> None:
    drawing = three_on_a_lane()
    drawing.zone("Z", "Zone Z", (90, 0, 110, 20), sealed=True)  # round B1 alone
    site_graph = graph_of(drawing)
    the_day = day(("B1", 10), ("B2", 5))
    ops = operations(fleet=[TRICYCLE_SEALED_OK])
    plan = json.loads(json.dumps(plan_day(site_graph, the_day, ops, time_limit_s=1.0).to_dict()))
    assert check_plan(site_graph, the_day, ops, plan) == []
    html_en = cards_html(plan, site_graph, lang="en")
    assert html_en.count("Sealed building: door delivery") == 1  # B1's stop; B2 rings as usual
    svg = day_map_svg(site_graph, plan)  # the map shows the zone and B1 sealed, B2 and B3 not
    assert 'class="zone sealed" data-zone="Z"' in svg
    assert re.findall(r'class="footprint sealed" data-building="(\w+)"', svg) == ["B1"]
    assert svg.count('class="footprint"') == 2


def test_cards_for_the_wrong_site_or_shift_are_refused() -> None:
    with pytest.raises(PlanError, match="the plan has no shift 'night'"):
        cards_html(_lane_plan(), LANE_SITE, shift="night")
    other = graph_of(three_on_a_lane())
    wrong = dict(_lane_plan(), site="elsewhere")
    with pytest.raises(PlanError, match="the plan is for site 'elsewhere'"):
        cards_html(wrong, other)
    with pytest.raises(PlanError, match="unknown card language 'fr'"):
        cards_html(_lane_plan(), LANE_SITE, lang="fr")


def test_a_trips_map_shrinks_for_its_stops_until_no_map_would_leave_them_room() -> None:
    paper = PAGE_LAYOUTS["a4"]
    short, longer, longest = (
        map_box([("1号楼", "1-101", "门铃坏：上楼敲门通知")] * stops, 1.2, paper, first=False, last=False)
        for stops in (5, 14, 40)
    )
    full = paper.map_width_mm * 1.2
    assert short == MapBox(paper.map_width_mm, full, whole=True)
    assert longer.whole and longer.height_mm < full
    assert longer.width_mm == pytest.approx(longer.height_mm / 1.2)  # the map keeps its shape
    assert longest == MapBox(paper.map_width_mm, full, whole=False)  # the table runs on instead
    first = map_box([("1号楼", "1-101", "")] * 14, 1.2, paper, first=True, last=False)
    assert first.height_mm < longer.height_mm  # the crew's title shares the first trip's page
    fewer, lined = (
        map_box([("1号楼", "1-101", "")] * 10, 1.2, paper, first=True, last=False, head_lines=lines)
        for lines in (0, 2)
    )
    assert lined.whole and lined.height_mm == pytest.approx(
        fewer.height_mm - 2 * paper.head_line_mm
    )  # its lines too


def test_notices_tell_each_contact_household_when_and_how_many() -> None:
    from optimizer.cards.notices import notices_text

    site_graph = graph_of(
        three_on_a_lane({"B1": {"contact": None}, "B2": {"contact": "2-301"}, "B3": {"sealed": True}})
    )
    ops = operations(fleet=[TRICYCLE_SEALED_OK])
    plan = json.loads(
        json.dumps(
            plan_day(
                site_graph, day(("B1", 1), ("B2", 30, None, 2), ("B3", 60)), ops, time_limit_s=1.0
            ).to_dict()
        )
    )
    stops = sorted(
        (stop["arrive"][:5], stop["building"], stop["parcels"], stop["urgent"])
        for shift in plan["shifts"]
        for crew in shift["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
    )
    notices = building_notices(plan, site_graph.site, lang="en")
    assert [(n.arrive, n.building, n.parcels, n.urgent) for n in notices] == stops
    assert {n.building: n.sealed for n in notices} == {"B1": False, "B2": False, "B3": True}

    text = notices_text(plan, site_graph.site, lang="en").splitlines()
    assert text[0] == "[Three on a lane 2022-04-28, morning shift: delivery times]"
    expected = []
    for arrive, building, parcels, urgent in stops:
        what = f"{parcels} parcel" + ("s" if parcels != 1 else "") + (f" ({urgent} urgent)" if urgent else "")
        who = {"B1": "Building lead", "B2": "2-301", "B3": "1-101"}[building]
        ask = (
            "sealed building, the designated pair brings them to your door; please stay inside."
            if building == "B3"
            else "come down to collect."
        )
        expected.append(f"About {arrive}, {building}: {what}. {who}, please tell your building: {ask}")
    assert text[1:] == expected
    # on Chinese paper a roster's English shift is named in Chinese (not "morning班"); its own as it is
    assert notices_text(plan, site_graph.site, lang="zh").startswith(
        "【Three on a lane 2022-04-28 上午班 送货时间】\n约"
    )
    # ... and its crews as people call them (上午1组), the plan's id kept where the page looks it up
    chinese = cards_html(plan, site_graph, lang="zh")
    assert 'data-running="Three on a lane · 2022-04-28 · 班次 上午 · 小组 上午1组 · 第1趟"' in chinese
    assert '<section class="page card" data-crew="morning-1">' in chinese
    assert "<b>上午1组</b>" in chinese and "上午1组 · 第1趟</td>" in chinese
    assert "morning-1" not in chinese.replace('data-crew="morning-1"', "").replace("morning-1/", "")
    assert "Crew <b>morning-1</b>" in cards_html(plan, site_graph, lang="en")
    for shift in plan["shifts"]:
        shift["id"] = "早班"
    assert notices_text(plan, site_graph.site, lang="zh").startswith(
        "【Three on a lane 2022-04-28 早班 送货时间】"
    )
    plan["date"] = None  # a day file named without its date: the head goes without one
    assert notices_text(plan, site_graph.site, lang="zh").startswith("【Three on a lane 早班 送货时间】\n")
    assert notices_text(plan, site_graph.site, lang="en").startswith(
        "[Three on a lane, 早班 shift: delivery times]\n"
    )
    with pytest.raises(PlanError, match="no shift 'night'"):
        notices_text(plan, site_graph.site, shift="night")


def test_notices_tell_a_building_whose_parcels_are_not_coming_today_not_to_wait() -> None:
    """A barricade cuts B2 and B3 off: their group chats hear, before the shift, that nothing comes
    today and why, instead of waiting downstairs for a tricycle that will not come."""
    from optimizer.cards.notices import notices_text

    site_graph = graph_of(barricaded())
    ops = operations(shifts=[{"id": "morning", "start": "08:00", "end": "10:00", "riders": 2}])
    the_day = day(("B1", 5), ("B2", 3, None, 1), ("B3", 7))
    plan = json.loads(json.dumps(plan_day(site_graph, the_day, ops, time_limit_s=1.0).to_dict()))
    assert [(u["building"], u["cause"]) for u in plan["undelivered"]] == [
        ("B2", "lane_closed"),
        ("B3", "lane_closed"),
    ]
    arrive = plan["shifts"][0]["crews"][0]["trips"][0]["stops"][0]["arrive"][:5]
    wait = "they stay safe at the gate for a later delivery; no need to wait downstairs today."
    assert notices_text(plan, site_graph.site, lang="en").splitlines() == [
        "[Barricaded 2022-04-28, morning shift: delivery times]",
        f"About {arrive}, B1: 5 parcels. 1-101, please tell your building: come down to collect.",
        f"B2: 3 parcels (1 urgent) cannot come today (the way to the building is closed today). 1-101, please tell your building: {wait}",
        f"B3: 7 parcels cannot come today (the way to the building is closed today). 1-101, please tell your building: {wait}",
    ]
    assert "B3 7件今天送不到（去本楼的路今天封闭），请 1-101 告诉本楼" in notices_text(plan, site_graph.site)

    # One line a building, whatever the causes; a shift with nothing but such lines still has its block.
    plan["undelivered"].append({**plan["undelivered"][1], "parcels": 2, "cause": "shift_capacity"})
    plan["shifts"][0]["crews"] = []
    assert notices_text(plan, site_graph.site, lang="en").splitlines()[1:] == [
        f"B2: 3 parcels (1 urgent) cannot come today (the way to the building is closed today). 1-101, please tell your building: {wait}",
        "B3: 9 parcels cannot come today (the way to the building is closed today; more than today's crews could"
        f" take). 1-101, please tell your building: {wait}",
    ]


def test_a_replans_cards_leave_out_the_trips_already_on_the_road() -> None:
    site_graph, plan = _gelin()
    replanned = json.loads(json.dumps(plan))
    replanned["replanned_at"] = "09:10:00"
    crews = replanned["shifts"][0]["crews"]
    crews[0]["trips"][0]["kept"] = True
    gone = [{**trip, "kept": True} for trip in crews[1]["trips"]]
    crews[1]["trips"] = gone
    morning = shift_documents(replanned, site_graph, shift="morning", lang="en")[0]
    printed = {(card.crew, trip.number) for card in morning.cards for trip in card.trips}
    assert (crews[0]["id"], 1) not in printed and (crews[0]["id"], 2) in printed  # numbers stay
    assert crews[1]["id"] not in {card.crew for card in morning.cards}  # nothing left to print
    assert morning.cards[0].on_the_road == 1 and morning.on_the_road == 1 + len(gone)
    assert morning.cards[0].start == crews[0]["trips"][1]["load"][:5]
    assert len(morning.load_list) == len(crews[0]["trips"]) - 1
    html = cards_html(replanned, site_graph, shift="morning", lang="en")
    assert "1 trip(s) already on the road at the 09:10 re-plan are not listed" in html
    assert f"{1 + len(gone)} trip(s) already on the road at the 09:10 re-plan are not listed" in html
    kept_stops = {s["building"] for t in [crews[0]["trips"][0], *gone] for s in t["stops"]}
    told = {n.building for n in building_notices(replanned, site_graph.site, shift="morning")}
    later = {s["building"] for t in crews[0]["trips"][1:] for s in t["stops"]}
    assert told == later and not (kept_stops - later) & told


def test_a_shift_whose_trips_are_all_on_the_road_does_not_say_it_has_no_deliveries() -> None:
    site_graph, plan = _gelin()
    replanned = json.loads(json.dumps(plan))
    replanned["replanned_at"] = "11:20:00"
    trips = [t for c in replanned["shifts"][0]["crews"] for t in c["trips"]]
    for trip in trips:
        trip["kept"] = True
    html = cards_html(replanned, site_graph, shift="morning", lang="en", part="load_list")
    assert f"{len(trips)} trip(s) already on the road at the 11:20 re-plan are not listed" in html
    assert "No deliveries this shift" not in html
