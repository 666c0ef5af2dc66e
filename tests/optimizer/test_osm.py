"""A site map from an OpenStreetMap export (`onebell site-from-osm`): the compound's buildings and
lanes, checked by the site parser and planned on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape

from fixtures.osm_export import osm_export
from optimizer.cli import main
from optimizer.day import load_day
from optimizer.errors import SiteError
from optimizer.graph import build_graph
from optimizer.operations import load_operations
from optimizer.osm import read_households, site_from_osm
from optimizer.planner import plan_day
from tests.helpers import FIXTURES, assert_valid, day, fleet_entry, operations

GARDEN = FIXTURES / "osm" / "test-garden.osm"
GELIN = FIXTURES / "gelin-spring"


def _by_kind(document: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {f["properties"]["id"]: f for f in document["features"] if f["properties"]["kind"] == kind}


def test_the_compound_in_an_export_becomes_a_site_that_plans() -> None:
    with pytest.raises(SiteError) as two_gates:  # the south and the north gate: which one?
        site_from_osm(GARDEN)
    assert "Gates found: n1 南门; n3 北门" in two_gates.value.message
    made = site_from_osm(GARDEN, gate="n1")
    assert made.document["site"] == {"id": "test-garden", "name": "试验花园"}
    buildings = _by_kind(made.document, "building")
    # "3号" is building 3, "2号楼" by its name is 2; number 99 stands outside the compound
    # the garage, the guards' hut and building 5, still under construction, are left out
    assert list(buildings) == ["1", "2", "3", "4", "w306"]
    assert {
        k: (b["properties"]["households"], b["properties"].get("floors")) for k, b in buildings.items()
    } == {
        "1": (24, 6),
        "2": (0, None),
        "3": (0, None),
        "4": (0, 11),
        "w306": (0, None),
    }
    assert made.without_households == ["2", "3", "4", "w306"]
    assert made.unnumbered == ["w306"] and buildings["w306"]["properties"]["name"] == "w306"
    # building 2's doors are on its outline: the main one is its entrance, and neither is a gate
    assert buildings["2"]["properties"]["entrance"] == [121.4416, 31.1703]
    assert "entrance" not in buildings["1"]["properties"]  # the footprint's point nearest a lane
    with pytest.raises(SiteError, match="no gate node 'n325'"):
        site_from_osm(GARDEN, gate="n325")
    courtyard = shape(buildings["4"]["geometry"])  # a multipolygon building: its outline, no courtyard
    assert courtyard.geom_type == "Polygon" and not courtyard.interiors
    lanes = _by_kind(made.document, "lane")
    assert {k: lane["properties"].get("modes") for k, lane in lanes.items()} == {
        "w200": None,
        "w201": None,
        "w202": ["foot"],  # steps; the main road outside is no lane
    }
    assert _by_kind(made.document, "gate")["n1"]["properties"]["name"] == "南门"

    assert made.no_tricycle == ["4"]  # its nearest lane is the steps: on foot only

    site_graph = build_graph(made.site)
    the_day = day(("1", 30), ("2", 12), ("3", 7), ("4", 6))
    shifts = [
        {"id": "morning", "start": "08:00", "end": "10:00", "riders": 3}
    ]  # a tricycle's two, one on foot
    ops = operations(shifts=shifts, fleet=[fleet_entry("tricycle"), fleet_entry("foot")])
    plan = assert_valid(site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=1))
    assert plan["summary"]["delivered"] == 55
    crews = [crew for shift in plan["shifts"] for crew in shift["crews"]]
    on_foot = {
        stop["building"] for c in crews if c["mode"] == "foot" for t in c["trips"] for stop in t["stops"]
    }
    assert "4" in on_foot


def test_a_mapped_compound_comes_back_from_its_export_and_plans_as_well(tmp_path: Path) -> None:
    drawn = json.loads((GELIN / "site.geojson").read_text())
    export = tmp_path / "gelin.osm"
    export.write_text(osm_export(drawn, "格林春岸"), encoding="utf-8")
    made = site_from_osm(export, compound="格林春岸", site_id="gelin-spring")
    before, after = _by_kind(drawn, "building"), _by_kind(made.document, "building")
    assert list(after) == sorted(before, key=int) and made.without_households == []
    assert all(after[b]["properties"]["households"] == before[b]["properties"]["households"] for b in before)
    assert all(after[b]["properties"]["floors"] == before[b]["properties"].get("floors", 1) for b in before)

    the_day = load_day(GELIN / "days" / "2022-04-08-600.csv")
    ops = load_operations(GELIN / "ops-more-riders.json")
    plans = {}
    for name, site in (("drawn", json.loads((GELIN / "site.geojson").read_text())), ("osm", made.document)):
        from optimizer.site import parse_site

        site_graph = build_graph(parse_site(site))
        plans[name] = assert_valid(
            site_graph, the_day, ops, plan_day(site_graph, the_day, ops, time_limit_s=2)
        )
    assert plans["osm"]["summary"]["delivered"] == plans["drawn"]["summary"]["delivered"] == 600
    # the entrances are where the lanes meet the footprints rather than drawn: the crews' time is close
    assert plans["osm"]["summary"]["crew_s"] == pytest.approx(plans["drawn"]["summary"]["crew_s"], rel=0.1)


def test_households_the_map_lacks_come_from_a_sheet_and_shared_numbers_are_renamed(tmp_path: Path) -> None:
    sheet = tmp_path / "households.csv"
    sheet.write_text("楼号,户数\n2号楼,30\n3,18\n", encoding="utf-8")
    made = site_from_osm(GARDEN, gate="n1", households=read_households(sheet))
    assert made.without_households == ["4", "w306"]
    assert _by_kind(made.document, "building")["2"]["properties"]["households"] == 30
    sheet.write_text("building,households\n2,thirty\n", encoding="utf-8")
    with pytest.raises(SiteError) as bad:
        read_households(sheet)
    assert (
        bad.value.field == "line 2" and "households must be a whole number, got 'thirty'" in bad.value.message
    )

    # a building named as the compound is not the compound; a second compound of the name is asked about
    with pytest.raises(SiteError, match="no compound outline"):
        site_from_osm(
            GARDEN.read_text(encoding="utf-8")
            .replace('"residential"/><tag k="name"', '"park"/><tag k="name"')
            .encode()
        )
    named = GARDEN.read_text(encoding="utf-8").replace(
        '<tag k="name" v="2号楼"/>', '<tag k="name" v="Test Garden"/>'
    )
    assert site_from_osm(named.encode(), compound="Test Garden", gate="n1").site.name == "试验花园"
    text = GARDEN.read_text(encoding="utf-8").replace('v="2号楼"', 'v="1号楼"')
    export = tmp_path / "same-number.osm"
    export.write_text(text, encoding="utf-8")
    renamed = site_from_osm(export, gate="n1")
    assert list(_by_kind(renamed.document, "building")) == [
        "1",
        "1-2",
        "3",
        "4",
        "w306",
    ] and renamed.renamed == ["1-2"]


def test_the_command_writes_the_site_and_names_what_to_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site.geojson"
    assert main(["site-from-osm", str(GARDEN), "--gate", "n1", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"site test-garden (试验花园) written to {out}: 5 buildings, 3 lanes, gate n1" in said
    assert "4 buildings have no households in the map" in said and ": 2, 3, 4, w306" in said
    assert "by their OSM id: w306" in said
    written = out.read_text(encoding="utf-8")
    assert main(["site-from-osm", str(GARDEN), "--gate", "n1", "--out", str(out)]) == 2  # not replaced
    assert out.read_text(encoding="utf-8") == written
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    capsys.readouterr()
    assert (
        main(["site-from-osm", str(GARDEN), "--compound", "东方花园", "--out", str(tmp_path / "x.geojson")])
        == 2
    )
    assert (
        "导出的地图里找不到「东方花园」：请写小区名或它的 OpenStreetMap 编号。找到的住宅区：w100 试验花园"
        in capsys.readouterr().err
    )
    assert main(["site-from-osm", str(GELIN / "site.geojson"), "--out", str(tmp_path / "x.geojson")]) == 2
    assert "不是能读的 OpenStreetMap 文件" in capsys.readouterr().err
    assert not (tmp_path / "x.geojson").exists()


def _without_nodes(*node_ids: str) -> bytes:
    """The fixture export as an extract cut at its edge leaves it: the nodes gone, every way still
    naming them."""
    lines = GARDEN.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not any(f'<node id="{n}"' in line for n in node_ids)).encode()


def test_an_export_cut_at_its_edge_keeps_what_it_holds_and_names_what_it_cut_off() -> None:
    # the footway's end (node 12) is outside the extract: its part inside stays, the steps (12-13) go
    made = site_from_osm(_without_nodes("12"), gate="n1")
    lanes = _by_kind(made.document, "lane")
    assert list(lanes) == ["w200", "w201"]
    assert lanes["w201"]["geometry"]["coordinates"] == ((121.4402, 31.1709), (121.441, 31.1709))
    assert made.cut_off == []
    # a building's corner is outside: the building is left out, and said so
    made = site_from_osm(_without_nodes("362"), gate="n1")
    assert list(_by_kind(made.document, "building")) == ["1", "2", "3", "4"] and made.cut_off == ["w306"]

    # ... a building drawn as a multipolygon too, placed by the nodes its member way still holds
    def as_relation(export: bytes) -> bytes:
        text = export.decode()
        way = text[text.index('<way id="306">') :]
        way = way[: way.index("</way>")]
        return (
            text.replace(way, way.replace('<tag k="building" v="yes"/>', ""))
            .replace(
                "</osm>",
                '<relation id="901"><member type="way" ref="306" role="outer"/><tag k="type" v="multipolygon"/>'
                '<tag k="building" v="yes"/></relation></osm>',
            )
            .encode()
        )

    assert site_from_osm(as_relation(_without_nodes("362")), gate="n1").cut_off == ["r901"]
    whole = site_from_osm(as_relation(_without_nodes()), gate="n1")
    assert whole.cut_off == [] and "r901" in _by_kind(whole.document, "building")
    # the compound's own outline is cut: no site from half a compound, and why
    with pytest.raises(SiteError) as cut:
        site_from_osm(_without_nodes("102"), gate="n1")
    assert cut.value.field == "compound" and cut.value.message.startswith(
        "the export holds only part of the compound's outline (w100 试验花园)"
    )
    assert "请导出包含整个小区的范围" in (cut.value.zh or "")
    with pytest.raises(SiteError, match="only part of the compound's outline"):
        site_from_osm(_without_nodes("102"), compound="Test Garden", gate="n1")
    # the outline drawn as a multipolygon whose way is cut: refused the same way, naming the relation
    relation = (
        _without_nodes("102")
        .decode()
        .replace(
            '<tag k="landuse" v="residential"/><tag k="name" v="试验花园"/><tag k="name:en" v="Test Garden"/>',
            "",
        )
        .replace(
            "</osm>",
            '<relation id="900"><member type="way" ref="100" role="outer"/><tag k="type" v="multipolygon"/>'
            '<tag k="landuse" v="residential"/><tag k="name" v="试验花园"/></relation></osm>',
        )
    )
    with pytest.raises(SiteError, match=r"only part of the compound's outline \(r900 试验花园\)"):
        site_from_osm(relation.encode(), gate="n1")
