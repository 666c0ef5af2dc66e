"""The whole flow on gelin-spring: site -> operations -> counts -> plan -> one shift's routes."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.db.models import JobRow, MapRow, PlanRow
from fixtures.generate import three_on_a_lane
from optimizer.check import check_plan
from optimizer.day import load_day, parse_day_csv
from optimizer.graph import build_graph
from optimizer.operations import load_operations, parse_operations
from optimizer.site import load_site
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, SMALL_CSV, bearer, set_up_gelin, token, wait_for_job


def test_gelin_spring_day_from_counts_to_routes(client: TestClient) -> None:
    set_up_gelin(client)
    _, courier = token(client, "gelin-spring", "courier")
    headers = {**bearer(courier), "Content-Type": "text/csv"}
    day_file = GELIN / "days" / "2022-04-28-2300.csv"
    counts = client.put(
        "/sites/gelin-spring/days/2022-04-28/counts", content=day_file.read_bytes(), headers=headers
    )
    assert counts.status_code == 200, counts.text
    assert counts.json()["totals"]["parcels"] == 2300

    job = client.post(
        "/sites/gelin-spring/days/2022-04-28/plans", json={"time_limit_s": 4}, headers=bearer(courier)
    )
    assert job.status_code == 202, job.text
    assert job.json()["status"] in ("queued", "running")
    finished = wait_for_job(client, job.json()["id"], bearer(courier))
    assert finished["status"] == "done", finished
    assert finished["progress"]["elapsed_s"] is not None

    plan = client.get(f"/plans/{finished['plan_id']}", headers=bearer(courier)).json()
    site_graph = build_graph(load_site(GELIN / "site.geojson"))
    ops = load_operations(GELIN / "ops-more-riders.json")
    assert check_plan(site_graph, load_day(day_file), ops, plan) == []
    assert plan["summary"]["delivered"] + plan["summary"]["undelivered"] == 2300

    latest = client.get("/sites/gelin-spring/days/2022-04-28/plans/latest", headers=bearer(courier)).json()
    assert latest["id"] == plan["id"]
    morning = client.get(f"/plans/{plan['id']}/shifts/morning", headers=bearer(courier))
    assert morning.status_code == 200
    assert morning.json()["shift"] == plan["shifts"][0]
    assert client.get(f"/plans/{plan['id']}/shifts/night", headers=bearer(courier)).status_code == 404

    # A plan is a snapshot: new counts for the day leave it as it was.
    client.put("/sites/gelin-spring/days/2022-04-28/counts", content=SMALL_CSV, headers=headers)
    assert client.get(f"/plans/{plan['id']}", headers=bearer(courier)).json() == plan
    # Its inputs are kept once, with the plan (the finished job holds no second copy), and the
    # map once for every plan made from it.
    again = wait_for_job(
        client,
        client.post(
            "/sites/gelin-spring/days/2022-04-28/plans", json={"time_limit_s": 1}, headers=ADMIN
        ).json()["id"],
        ADMIN,
    )
    notices = f"/plans/{plan['id']}/notices.txt"
    text = client.get(notices, headers=bearer(courier)).text
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        stored = session.get(PlanRow, plan["id"])
        later = session.get(PlanRow, again["plan_id"])
        job_row = session.get(JobRow, job.json()["id"])
        assert stored is not None and later is not None and job_row is not None
        assert set(stored.snapshot) == {"site_id", "date", "site_tag", "operations", "counts", "policy"}
        assert stored.snapshot["site_tag"] == later.snapshot["site_tag"] and job_row.snapshot == {}
        [kept] = session.scalars(select(MapRow)).all()
        assert kept.geojson == json.loads((GELIN / "site.geojson").read_text())
        # A plan stored before maps were kept once holds its map itself, and reads as it did.
        stored.snapshot = {**stored.snapshot, "site": kept.geojson}
        del stored.snapshot["site_tag"]
        session.commit()
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        old_style = session.get(PlanRow, plan["id"])
        assert old_style is not None and "site_tag" not in old_style.snapshot and "site" in old_style.snapshot
    assert client.get(notices, headers=bearer(courier)).text == text
    assert client.get(f"/plans/{plan['id']}/cards.html", headers=bearer(courier)).status_code == 200


def test_counts_replace_append_and_survive_a_bad_upload(client: TestClient) -> None:
    set_up_gelin(client)
    path = "/sites/gelin-spring/days/2022-04-25/counts"
    csv = {**ADMIN, "Content-Type": "text/csv"}
    assert client.put(path, content=SMALL_CSV, headers=csv).json()["totals"] == {
        "rows": 3,
        "parcels": 25,
        "urgent": 0,
        "buildings": 3,
        "held_over": 0,
    }
    wave = {
        "date": "2022-04-25",
        "counts": [{"building": "9", "parcels": 4, "shift": "afternoon", "urgent": 1}],
    }
    appended = client.post(path, json=wave, headers=ADMIN).json()
    assert appended["totals"] == {"rows": 4, "parcels": 29, "urgent": 1, "buildings": 4, "held_over": 0}
    bad = client.put(path, content="building,parcels\n1,5\n999,3\n", headers=csv)
    assert bad.status_code == 422
    assert (
        bad.json()["error"]["message"]
        == "line 3: unknown building '999' (site 'gelin-spring' has no building of that id or name)"
    )
    assert client.get(path, headers=ADMIN).json()["totals"]["parcels"] == 29  # nothing changed
    upload = client.put(
        path, files={"file": ("day.csv", b"building,parcels\n5,7\n", "text/csv")}, headers=ADMIN
    )
    assert upload.status_code == 200 and upload.json()["rows"] == [
        {
            "building": "5",
            "parcels": 7,
            "shift": None,
            "urgent": 0,
            "arrived": None,
            "held_from": None,
            "back_at": None,
        }
    ]
    # A coordinator's file may be called anything: by name, else by part type, else by content.
    for name, body, part_type in (
        ("counts", b"building,parcels\n6,2\n", "application/octet-stream"),
        ("export.dat", b'{"counts": [{"building": "6", "parcels": 3}]}', "application/octet-stream"),
        ("wave", b'{"counts": [{"building": "6", "parcels": 4}]}', "application/json"),
    ):
        named = client.put(path, files={"file": (name, body, part_type)}, headers=ADMIN)
        assert named.status_code == 200, named.json()
        assert named.json()["rows"][0]["building"] == "6"


def test_a_change_made_from_stale_counts_is_refused_and_changes_nothing(client: TestClient) -> None:
    """The sorter at the gate and the coordinator on a phone both keep the day's counts: a client
    that sends back the ETag it read (If-Match) cannot overwrite counts the other saved since."""
    set_up_gelin(client)
    path = "/sites/gelin-spring/days/2022-04-25/counts"
    csv = {**ADMIN, "Content-Type": "text/csv"}
    empty = client.get(path, headers=ADMIN).headers["ETag"]
    first = client.put(path, content="building,parcels\n1,5\n", headers={**csv, "If-Match": empty})
    assert first.status_code == 200 and first.headers["ETag"] != empty
    read = client.get(path, headers=ADMIN)
    assert read.headers["ETag"] == first.headers["ETag"]  # the same counts, the same tag

    # the other client still holds the empty day's tag: refused, in either method, nothing changes
    for send in (client.put, client.post):
        stale = send(path, content="building,parcels\n2,7\n", headers={**csv, "If-Match": empty})
        assert stale.status_code == 412
        assert stale.json()["error"]["code"] == "counts_changed"
        assert "open the day again" in stale.json()["error"]["message"]
    assert client.get(path, headers=ADMIN).json()["rows"][0]["building"] == "1"
    chinese = client.put(
        path, content="building,parcels\n2,7\n", headers={**csv, "If-Match": empty, "Accept-Language": "zh"}
    )
    assert chinese.json()["error"]["message"].startswith("你打开这一天之后，件数被别人改过")

    # with the current tag, or "*", or none at all (a client that does not ask), the change goes in
    current = read.headers["ETag"]
    appended = client.post(path, content="building,parcels\n2,7\n", headers={**csv, "If-Match": current})
    assert appended.status_code == 200 and appended.json()["totals"]["parcels"] == 12
    assert (
        client.put(path, content="building,parcels\n3,1\n", headers={**csv, "If-Match": "*"}).status_code
        == 200
    )
    assert client.put(path, content="building,parcels\n4,2\n", headers=csv).status_code == 200
    assert client.get(path, headers=ADMIN).json()["totals"]["parcels"] == 2


def test_of_changes_sent_at_once_from_the_same_counts_one_goes_in(client: TestClient) -> None:
    set_up_gelin(client)
    path = "/sites/gelin-spring/days/2022-04-25/counts"
    tag = client.get(path, headers=ADMIN).headers["ETag"]

    def send(building: int) -> int:
        body = f"building,parcels\n{building},1\n"
        headers = {**ADMIN, "Content-Type": "text/csv", "If-Match": tag}
        return client.put(path, content=body, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(send, range(1, 7)))
    assert statuses == [200, 412, 412, 412, 412, 412]
    assert len(client.get(path, headers=ADMIN).json()["rows"]) == 1


def test_parcels_that_arrived_late_stand_at_the_gate_before_the_plan_loads_them(client: TestClient) -> None:
    set_up_gelin(client)
    operations = json.loads((GELIN / "ops-more-riders.json").read_text())
    operations["gate"] = {**operations.get("gate", {}), "stand_min": 90}
    assert client.put("/sites/gelin-spring/operations", json=operations, headers=ADMIN).status_code == 200
    path = "/sites/gelin-spring/days/2022-04-25/counts"
    csv_text = "building,parcels,arrived\n1,12,\n2,8,08:45\n"
    counts = client.put(path, content=csv_text, headers={**ADMIN, "Content-Type": "text/csv"}).json()
    assert [row["arrived"] for row in counts["rows"]] == [None, "08:45:00"]
    bad = client.put(
        path, content="building,parcels,arrived\n1,12,soon\n", headers={**ADMIN, "Content-Type": "text/csv"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "arrived"
    job = client.post("/sites/gelin-spring/days/2022-04-25/plans", json={"time_limit_s": 2}, headers=ADMIN)
    finished = wait_for_job(client, job.json()["id"], ADMIN)
    plan = client.get(f"/plans/{finished['plan_id']}", headers=ADMIN).json()
    loads = {
        stop["building"]: trip["load"]
        for shift in plan["shifts"]
        for crew in shift["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
    }
    assert loads["2"] >= "10:15:00"  # 08:45 + 90 min standing
    site_graph = build_graph(load_site(GELIN / "site.geojson"))
    day = parse_day_csv(csv_text, date="2022-04-25")
    assert check_plan(site_graph, day, parse_operations(operations), plan) == []


def test_a_retried_post_with_the_same_idempotency_key_returns_the_same_job(client: TestClient) -> None:
    set_up_gelin(client)
    client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content=SMALL_CSV,
        headers={**ADMIN, "Content-Type": "text/csv"},
    )
    headers = {**ADMIN, "Idempotency-Key": "morning-run-1"}
    first = client.post(
        "/sites/gelin-spring/days/2022-04-25/plans", json={"time_limit_s": 1}, headers=headers
    )
    second = client.post(
        "/sites/gelin-spring/days/2022-04-25/plans", json={"time_limit_s": 1}, headers=headers
    )
    assert first.json()["id"] == second.json()["id"]
    assert wait_for_job(client, first.json()["id"], ADMIN)["status"] == "done"
    other = client.post("/sites/gelin-spring/days/2022-04-25/plans", json={"time_limit_s": 1}, headers=ADMIN)
    assert other.json()["id"] != first.json()["id"]
    wait_for_job(client, other.json()["id"], ADMIN)


def test_a_day_the_fleet_cannot_reach_is_refused_before_solving(client: TestClient) -> None:
    set_up_gelin(client)
    site = client.get("/sites/gelin-spring", headers=ADMIN).json()
    for feature in site["features"]:
        if feature["properties"]["kind"] == "lane" and feature["properties"]["id"] == "row-1":
            feature["properties"]["modes"] = ["foot"]
    assert client.put("/sites/gelin-spring", json=site, headers=ADMIN).status_code == 200
    csv = {**ADMIN, "Content-Type": "text/csv"}
    client.put("/sites/gelin-spring/days/2022-04-25/counts", content="building,parcels\n1,3\n", headers=csv)
    response = client.post(
        "/sites/gelin-spring/days/2022-04-25/plans", json={"time_limit_s": 1}, headers=ADMIN
    )
    assert response.status_code == 422
    assert (
        "building '1' has parcels but no vehicle in the fleet can reach it"
        in response.json()["error"]["message"]
    )
    in_chinese = client.post(
        "/sites/gelin-spring/days/2022-04-25/plans",
        json={"time_limit_s": 1},
        headers={**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"},
    )
    assert in_chinese.status_code == 422
    assert in_chinese.json()["error"]["message"].startswith(
        "楼 1 有件，但车队里没有一辆车能从大门走到这栋楼（现有：三轮车）"
    )
    # The lane open to tricycles again: the check reads the map as it is now, not as it was.
    for feature in site["features"]:
        if feature["properties"]["id"] == "row-1":
            feature["properties"].pop("modes")
    assert client.put("/sites/gelin-spring", json=site, headers=ADMIN).status_code == 200
    again = client.post("/sites/gelin-spring/days/2022-04-25/plans", json={"time_limit_s": 1}, headers=ADMIN)
    assert again.status_code == 202, again.text
    assert wait_for_job(client, again.json()["id"], ADMIN)["status"] == "done"


def test_cards_of_a_plan_as_pdf_and_html(client: TestClient) -> None:
    set_up_gelin(client)
    client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content=SMALL_CSV,
        headers={**ADMIN, "Content-Type": "text/csv"},
    )
    job = client.post(
        "/sites/gelin-spring/days/2022-04-25/plans", json={"time_limit_s": 1}, headers=ADMIN
    ).json()
    plan_id = wait_for_job(client, job["id"], ADMIN)["plan_id"]
    pdf = client.get(f"/plans/{plan_id}/cards.pdf", params={"shift": "morning"}, headers=ADMIN)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = client.get(f"/plans/{plan_id}/cards.html", params={"lang": "en"}, headers=ADMIN)
    assert html.status_code == 200 and "Route card" in html.text and "Sorter" in html.text
    load_list = client.get(
        f"/plans/{plan_id}/cards.html", params={"lang": "en", "part": "load_list"}, headers=ADMIN
    )
    assert "Sorter" in load_list.text and 'class="page card"' not in load_list.text
    notices = client.get(
        f"/plans/{plan_id}/notices.txt", params={"shift": "morning", "lang": "en"}, headers=ADMIN
    )
    assert notices.status_code == 200 and notices.headers["content-type"].startswith("text/plain")
    assert notices.text.startswith("[") and "morning shift: delivery times]" in notices.text.splitlines()[0]
    assert len(notices.text.splitlines()) == 1 + sum(  # a line per stop of the morning
        len(trip["stops"])
        for crew in client.get(f"/plans/{plan_id}/shifts/morning", headers=ADMIN).json()["shift"]["crews"]
        for trip in crew["trips"]
    )
    missing = client.get(f"/plans/{plan_id}/cards.pdf", params={"shift": "night"}, headers=ADMIN)
    assert missing.status_code == 422 and "no shift 'night'" in missing.json()["error"]["message"]
    assert missing.json()["error"]["field"] == "shift"
    missing = client.get(  # drawn in a worker process: the error comes back whole, its Chinese too
        f"/plans/{plan_id}/cards.pdf",
        params={"shift": "night"},
        headers={**ADMIN, "Accept-Language": "zh-CN"},
    )
    assert (
        missing.json()["error"]["message"] == "路线计划里没有班次 night；有的是 morning, afternoon, evening"
    )
    assert (
        client.put("/sites/three-on-a-lane", json=three_on_a_lane().document(), headers=ADMIN).status_code
        == 201
    )
    _, stranger = token(client, "three-on-a-lane", "courier")
    assert client.get(f"/plans/{plan_id}/cards.pdf", headers=bearer(stranger)).status_code == 404
    assert client.get(f"/plans/{plan_id}/notices.txt", headers=bearer(stranger)).status_code == 404
    assert client.get(f"/plans/{plan_id}/cards.pdf").status_code == 401
