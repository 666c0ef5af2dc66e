"""A compound's days one after another (`GET /sites/{site}/days`): whether the team keeps up —
parcels counted, held over, delivered and left for the next day."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from api.store import FORGOTTEN_DAYS, count_rows, site_row, snapshot
from bench.served import store_as_planned
from tests.api.conftest import ADMIN
from tests.api.helpers import (
    GELIN,
    SMALL_CSV,
    bearer,
    checked_against_the_counts_now,
    set_up_gelin,
    set_up_second_site,
    token,
)

CSV = {**ADMIN, "Content-Type": "text/csv"}
DAYS = "/sites/gelin-spring/days"


def _plan(client: TestClient, date: str) -> dict[str, object]:
    job = client.post(f"{DAYS}/{date}/plans", json={"time_limit_s": 2}, headers=ADMIN)
    assert job.status_code == 202, job.text
    return checked_against_the_counts_now(client, date, job.json()["id"])


def test_the_days_show_a_backlog_carried_from_one_day_to_the_next(client: TestClient) -> None:
    set_up_gelin(client, ops="ops-3x3.json")  # one tricycle a shift: 2,300 parcels do not all go
    assert client.get(DAYS, headers=ADMIN).json() == []  # nothing yet: no days
    busy = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    assert client.put(f"{DAYS}/2022-04-05/counts", content=SMALL_CSV, headers=CSV).status_code == 200
    assert client.put(f"{DAYS}/2022-04-25/counts", content=busy, headers=CSV).status_code == 200
    left = _plan(client, "2022-04-25")["summary"]["undelivered"]  # type: ignore[index]
    assert left > 0
    assert client.put(f"{DAYS}/2022-04-26/counts", content=SMALL_CSV, headers=CSV).status_code == 200
    assert client.post(f"{DAYS}/2022-04-26/counts/held-over", headers=ADMIN).status_code == 200

    _, viewer = token(client, "gelin-spring", "viewer")
    days = client.get(DAYS, headers=bearer(viewer)).json()  # the fortnight to the latest day
    assert [(d["date"], d["status"]) for d in days] == [
        ("2022-04-25", "undelivered"),
        ("2022-04-26", "not_planned"),
    ]
    assert days[0]["plan"]["undelivered"] == left and days[0]["counts"]["parcels"] == 2300
    assert days[1]["counts"]["held_over"] == left and days[1]["counts"]["parcels"] == left + 25
    for day in days:  # each as the day's own line says it
        assert client.get(f"{DAYS}/{day['date']}", headers=ADMIN).json() == day

    april = client.get(f"{DAYS}?from=2022-04-01&to=2022-04-25", headers=ADMIN).json()
    assert [d["date"] for d in april] == ["2022-04-05", "2022-04-25"]
    since = client.get(f"{DAYS}?from=2022-04-26", headers=ADMIN).json()
    assert [d["date"] for d in since] == ["2022-04-26"]
    # after the latest day: nothing on it but the parcels 04-25 left, which 04-26 (never planned) holds
    after = client.get(f"{DAYS}?from=2022-05-01", headers=ADMIN).json()
    assert [(d["date"], d["counts"], d["plan"], d["left_before"]["parcels"]) for d in after] == [
        ("2022-05-01", None, None, left)
    ]

    sheet = client.get(f"{DAYS}.csv?lang=en&from=2022-04-01", headers=ADMIN).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(sheet)))
    assert [(r["date"], r["parcels"], r["held_over"], r["undelivered"]) for r in rows] == [
        ("2022-04-05", "25", "0", ""),
        ("2022-04-25", "2300", "0", str(left)),
        ("2022-04-26", str(left + 25), str(left), ""),
    ]
    chinese = client.get(f"{DAYS}.csv", headers=ADMIN).content.decode("utf-8-sig")
    assert chinese.splitlines()[0].startswith("日期,状态,件数,之前留下,已送达,未送达")
    assert chinese.splitlines()[1].startswith("2022-04-25,有未送达,2300,0,")


def test_the_span_asked_for_is_checked_and_the_compound_must_be_the_tokens_own(client: TestClient) -> None:
    set_up_gelin(client)
    set_up_second_site(client)
    zh = {**ADMIN, "Accept-Language": "zh"}
    for query, field, message in [
        ("from=2022-04-26&to=2022-04-25", "from", "开始的日期 2022-04-26 在结束的日期 2022-04-25 之后"),
        ("from=2022-01-01&to=2022-04-25", "from", "从 2022-01-01 到 2022-04-25 共 115 天：一次最多看 92 天"),
        ("to=2022-02-30", "to", "'2022-02-30' 不是日期（要写成 年-月-日，如 2022-04-28）"),
        ("from=2022-4-1", "from", "from（从哪天）：日期要写成 2022-04-25 这样，写的是「2022-4-1」"),
    ]:
        response = client.get(f"{DAYS}?{query}", headers=zh)
        assert response.status_code == 422, query
        assert response.json()["error"] == {"code": "invalid", "message": message, "field": field}
    assert client.get(f"{DAYS}?from=2022-01-26&to=2022-04-27", headers=ADMIN).status_code == 200  # 92 days
    assert client.get("/sites/gelin-x/days", headers=ADMIN).status_code == 404
    _, other = token(client, "gelin-b", "coordinator")
    assert client.get(DAYS, headers=bearer(other)).status_code == 404  # another's: not to be probed
    assert client.get(f"{DAYS}.csv", headers=bearer(other)).status_code == 404
    assert client.get("/sites/gelin-b/days", headers=bearer(other)).json() == []


def test_a_district_sees_its_compounds_day_by_day_summed(client: TestClient) -> None:
    set_up_gelin(client)
    set_up_second_site(client)
    assert client.get("/days", headers=ADMIN).json() == []  # no counts anywhere yet
    heavy = "building,parcels,urgent\n120,6000,4\n"  # more than one tricycle a shift carries
    for site, date, body in (
        ("gelin-spring", "2022-04-25", SMALL_CSV),
        ("gelin-b", "2022-04-25", heavy),
        ("gelin-b", "2022-04-26", SMALL_CSV),
    ):
        put = client.put(f"/sites/{site}/days/{date}/counts", content=body, headers=CSV)
        assert put.status_code == 200, put.text
    job = client.post("/sites/gelin-b/days/2022-04-25/plans", json={"time_limit_s": 2}, headers=ADMIN)
    plan = checked_against_the_counts_now(client, "2022-04-25", job.json()["id"], "gelin-b")
    left = plan["summary"]["undelivered"]
    assert left > 0
    held = client.post("/sites/gelin-b/days/2022-04-26/counts/held-over", headers=ADMIN)
    assert held.status_code == 200, held.text

    days = client.get("/days", headers=ADMIN).json()
    assert days == [
        {
            "date": "2022-04-25",
            "sites": 2,
            "counted_sites": 2,
            "parcels": 25 + 6000,
            "held_over": 0,
            "planned_sites": 1,
            "delivered": 6000 - left,
            "undelivered": left,
            "urgent_undelivered": sum(item.get("urgent", 0) for item in plan["undelivered"]),
            "late_urgent": plan["summary"]["late_urgent"],
            "returned": 0,
            "left_before": 0,
        },
        {
            "date": "2022-04-26",
            "sites": 2,
            "counted_sites": 1,
            "parcels": 25 + left,
            "held_over": left,
            "planned_sites": 0,
            "delivered": 0,
            "undelivered": 0,
            "urgent_undelivered": 0,
            "late_urgent": 0,
            "returned": 0,
            "left_before": 0,  # the leftovers were added
        },
    ]
    # each day as the day overview sums it
    for day in days:
        totals = client.get(f"/days/{day['date']}", headers=ADMIN).json()["totals"]
        assert (totals["parcels"], totals["held_over"], totals["delivered"], totals["undelivered"]) == (
            day["parcels"],
            day["held_over"],
            day["delivered"],
            day["undelivered"],
        )
    # a site's token sees its own compound's; a district's its district's; the span is checked
    _, own = token(client, "gelin-spring", "viewer")
    assert [
        (d["date"], d["sites"], d["parcels"]) for d in client.get("/days", headers=bearer(own)).json()
    ] == [("2022-04-25", 1, 25)]
    sheet = client.get("/days.csv", headers=ADMIN).content.decode("utf-8-sig").splitlines()
    assert (
        sheet[0]
        == "日期,小区数,报了件数的小区,件数,之前留下,有计划的小区,已送达,未送达,加急未送达,加急超时送达,带回件数,"
        "之前留下未加入的件数"
    )
    assert sheet[1] == ",".join(str(v) for v in days[0].values())
    assert client.get("/days?from=2022-04-26&to=2022-04-20", headers=ADMIN).status_code == 422
    assert [d["date"] for d in client.get("/days?from=2022-04-26", headers=ADMIN).json()] == ["2022-04-26"]


def test_the_districts_days_count_the_urgent_parcels_their_plans_bring_late(client: TestClient) -> None:
    set_up_gelin(client)
    set_up_second_site(client)
    # 3 urgent parcels at each of 60 buildings: more than one trip brings in the first hour
    rows = "".join(f"{n},3,morning,3\n" for n in range(1, 61))
    for site in ("gelin-spring", "gelin-b"):
        put = client.put(
            f"/sites/{site}/days/2022-04-25/counts",
            content="building,parcels,shift,urgent\n" + rows,
            headers=CSV,
        )
        assert put.status_code == 200, put.text
    late = []
    for site in ("gelin-spring", "gelin-b"):
        job = client.post(f"/sites/{site}/days/2022-04-25/plans", json={"time_limit_s": 2}, headers=ADMIN)
        late.append(
            checked_against_the_counts_now(client, "2022-04-25", job.json()["id"], site)["summary"][
                "late_urgent"
            ]
        )
    assert min(late) > 0
    [day] = client.get("/days", headers=ADMIN).json()
    assert (day["late_urgent"], day["urgent_undelivered"]) == (sum(late), 0)
    assert client.get("/days/2022-04-25", headers=ADMIN).json()["totals"]["late_urgent"] == sum(late)
    sheet = list(
        csv.DictReader(io.StringIO(client.get("/days.csv?lang=en", headers=ADMIN).text.lstrip("\ufeff")))
    )
    assert [row["late_urgent"] for row in sheet] == [str(sum(late))]


def test_a_day_planned_without_the_leftovers_before_it_says_how_many_waited(client: TestClient) -> None:
    set_up_gelin(client, ops="ops-3x3.json")  # one tricycle a shift: 2,300 parcels do not all go
    busy = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    for date, body in (("2022-04-25", busy), ("2022-04-26", SMALL_CSV), ("2022-04-27", SMALL_CSV)):
        assert client.put(f"{DAYS}/{date}/counts", content=body, headers=CSV).status_code == 200
    left = _plan(client, "2022-04-25")["summary"]["undelivered"]  # type: ignore[index]
    assert left > 0
    left_again = _plan(client, "2022-04-26")["summary"]["undelivered"]  # planned without them

    days = client.get(DAYS, headers=ADMIN).json()
    assert [(d["date"], d["left_before"]) for d in days] == [
        ("2022-04-25", None),
        ("2022-04-26", {"date": "2022-04-25", "parcels": left, "since": "2022-04-25"}),
        ("2022-04-27", {"date": "2022-04-26", "parcels": left + left_again, "since": "2022-04-25"}),
    ]
    for day in days:  # each as the day's own line says it
        assert client.get(f"{DAYS}/{day['date']}", headers=ADMIN).json() == day
    district = client.get("/days", headers=ADMIN).json()
    assert [(d["date"], d["left_before"]) for d in district] == [
        ("2022-04-25", 0),
        ("2022-04-26", left),
        ("2022-04-27", left + left_again),
    ]
    sheet = client.get(f"{DAYS}.csv?lang=en", headers=ADMIN).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(sheet)))
    assert [(r["date"], r["left_before_not_added"], r["left_before_since"]) for r in rows] == [
        ("2022-04-25", "0", ""),
        ("2022-04-26", str(left), "2022-04-25"),
        ("2022-04-27", str(left + left_again), "2022-04-25"),
    ]
    assert "sealed_buildings_now" not in rows[0]  # the map as it is now: for one day's sheet alone
    district_sheet = client.get("/days.csv?lang=en", headers=ADMIN).content.decode("utf-8-sig")
    assert [r["left_before_not_added"] for r in csv.DictReader(io.StringIO(district_sheet))] == [
        "0",
        str(left),
        str(left + left_again),
    ]

    # 04-27 adds them: none waits there; 04-26 was still planned without them
    assert client.post(f"{DAYS}/2022-04-27/counts/held-over", headers=ADMIN).status_code == 200
    days = client.get(DAYS, headers=ADMIN).json()
    assert [d["left_before"] and d["left_before"]["parcels"] for d in days] == [None, left, None]
    assert [d["left_before"] for d in client.get("/days", headers=ADMIN).json()] == [0, left, 0]


def test_the_day_looked_at_shows_what_waits_for_it_before_its_counts_come(client: TestClient) -> None:
    """Today, before its counts come, has nothing of its own: its line in the fortnights is there
    when earlier days left parcels waiting for it, so the red "left, not added" shows on the day
    they wait for — and not when nothing waits."""
    set_up_gelin(client, ops="ops-3x3.json")  # one tricycle a shift: 2,300 parcels do not all go
    assert client.put(f"{DAYS}/2022-04-05/counts", content=SMALL_CSV, headers=CSV).status_code == 200
    assert _plan(client, "2022-04-05")["summary"]["undelivered"] == 0  # type: ignore[index]
    quiet = client.get(f"{DAYS}?from=2022-04-01&to=2022-04-06", headers=ADMIN).json()
    assert [d["date"] for d in quiet] == ["2022-04-05"]  # nothing waits for 04-06: no line
    assert [d["date"] for d in client.get("/days?from=2022-04-01&to=2022-04-06", headers=ADMIN).json()] == [
        "2022-04-05"
    ]

    busy = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    assert client.put(f"{DAYS}/2022-04-25/counts", content=busy, headers=CSV).status_code == 200
    left = _plan(client, "2022-04-25")["summary"]["undelivered"]  # type: ignore[index]
    assert left > 0
    days = client.get(f"{DAYS}?to=2022-04-26", headers=ADMIN).json()
    assert [(d["date"], d["status"]) for d in days] == [
        ("2022-04-25", "undelivered"),
        ("2022-04-26", "no_counts"),
    ]
    assert days[-1]["left_before"] == {"date": "2022-04-25", "parcels": left, "since": "2022-04-25"}
    assert days[-1] == client.get(f"{DAYS}/2022-04-26", headers=ADMIN).json()  # as its own line says
    district = client.get("/days?to=2022-04-26", headers=ADMIN).json()
    assert [(d["date"], d["counted_sites"], d["planned_sites"], d["left_before"]) for d in district] == [
        ("2022-04-25", 1, 1, 0),
        ("2022-04-26", 0, 0, left),
    ]
    sheet = client.get(f"{DAYS}.csv?lang=en&to=2022-04-26", headers=ADMIN).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(sheet)))
    assert [(r["date"], r["parcels"], r["left_before_not_added"]) for r in rows][-1] == (
        "2022-04-26",
        "",
        str(left),
    )

    # added: the day has counts holding them, and nothing waits
    assert client.post(f"{DAYS}/2022-04-26/counts/held-over", headers=ADMIN).status_code == 200
    days = client.get(f"{DAYS}?to=2022-04-26", headers=ADMIN).json()
    assert days[-1]["counts"]["held_over"] == left and days[-1]["left_before"] is None


def test_each_day_of_a_long_span_follows_back_its_own_fortnight_of_planned_days(client: TestClient) -> None:
    set_up_gelin(client, ops="ops-3x3.json")
    busy = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    assert client.put(f"{DAYS}/2022-04-01/counts", content=busy, headers=CSV).status_code == 200
    plan = _plan(client, "2022-04-01")
    left = plan["summary"]["undelivered"]  # type: ignore[index]
    assert left > 0
    dates = [f"2022-04-{day:02d}" for day in range(2, 19)]  # 17 more days planned alike, none adding
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        frozen = snapshot(
            session,
            site_row(session, "gelin-spring"),
            "2022-04-01",
            count_rows(session, "gelin-spring", "2022-04-01"),
            None,
        )
        for date in dates:
            store_as_planned(session, "gelin-spring", date, plan, frozen)
        session.commit()
    assert client.put(f"{DAYS}/2022-04-19/counts", content=SMALL_CSV, headers=CSV).status_code == 200

    days = client.get(f"{DAYS}?from=2022-04-01&to=2022-04-19", headers=ADMIN).json()
    assert [d["date"] for d in days] == ["2022-04-01", *dates, "2022-04-19"]
    for day in days:  # each as its own line, which follows back 14 planned days, says it
        assert client.get(f"{DAYS}/{day['date']}", headers=ADMIN).json() == day
    waiting = [(d["left_before"] or {}).get("parcels", 0) for d in days]
    assert waiting == [left * min(k, FORGOTTEN_DAYS) for k in range(len(days))]
    assert days[-1]["left_before"]["since"] == "2022-04-05"  # the oldest of the 14 followed
