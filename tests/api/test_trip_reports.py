"""Trips back at the gate through the API: the sorter reports what a trip brought back, the report
outlives a re-plan that keeps the trip, and what is to go again is held over into the next day."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from optimizer.clock import parse_clock
from optimizer.names import crew_name
from tests.api.conftest import ADMIN
from tests.api.helpers import (
    SMALL_CSV,
    bearer,
    checked_against_the_counts_now,
    planned_anew,
    set_up_gelin,
    token,
)
from tests.helpers import slower_stops

DAY1, DAY2 = "2022-04-28", "2022-04-29"
CSV = {**ADMIN, "Content-Type": "text/csv"}


def _trip_to(plan: dict[str, Any], building: str) -> tuple[str, int, dict[str, Any]]:
    """The crew, the trip's number on its card and the trip that takes `building`'s parcels."""
    for shift in plan["shifts"]:
        for crew in shift["crews"]:
            for number, trip in enumerate(crew["trips"], start=1):
                if any(stop["building"] == building for stop in trip["stops"]):
                    return crew["id"], number, trip
    raise AssertionError(f"no trip to {building}")


def _plan(client: TestClient, date: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    job = client.post(
        f"/sites/gelin-spring/days/{date}/plans", json={"time_limit_s": 2, **(body or {})}, headers=ADMIN
    )
    assert job.status_code == 202, job.text
    return checked_against_the_counts_now(client, date, job.json()["id"])


def _reports(client: TestClient, date: str = DAY1) -> list[dict[str, Any]]:
    response = client.get(f"/sites/gelin-spring/days/{date}/reports", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _small_day_planned(client: TestClient) -> tuple[dict[str, Any], str, int, dict[str, Any]]:
    """gelin-spring with a small day planned; the plan, and the crew, number and trip to building 1."""
    set_up_gelin(client)
    put = client.put(f"/sites/gelin-spring/days/{DAY1}/counts", content=SMALL_CSV, headers=CSV)
    assert put.status_code == 200, put.text
    plan = _plan(client, DAY1)
    return (plan, *_trip_to(plan, "1"))


BACK = [
    {"building": "1", "parcels": 4, "reason": "no_answer"},
    {"building": "1", "parcels": 1, "reason": "refused"},
]


def test_a_trip_back_with_parcels_is_reported_kept_across_a_replan_and_held_over(client: TestClient) -> None:
    plan, crew, number, trip = _small_day_planned(client)
    _, courier = token(client, "gelin-spring", "courier")
    path = f"/plans/{plan['id']}/crews/{crew}/trips/{number}/report"

    made = client.put(
        path,
        json={"returned": BACK, "back_at": "10:00"},
        headers={**bearer(courier), "Accept-Language": "zh-CN"},
    )
    assert made.status_code == 200, made.text
    report = made.json()
    assert (report["crew"], report["trip"], report["depart"], report["parcels"]) == (
        crew,
        number,
        trip["depart"],
        trip["parcels"],
    )
    assert (report["returned_parcels"], report["reported_by"], report["plan_id"]) == (
        5,
        "courier test",
        plan["id"],
    )
    assert [(r["building"], r["parcels"], r["reason_text"]) for r in report["returned"]] == [
        ("1", 4, "没人下来取"),
        ("1", 1, "拒收，退回寄件方"),
    ]
    assert [r["crew"] for r in _reports(client)] == [crew]
    day = client.get(f"/sites/gelin-spring/days/{DAY1}", headers=ADMIN).json()
    late = (parse_clock("10:00") - parse_clock(trip["return"])) / 60  # minutes after the plan said
    assert (report["back_at"], report["planned_return"], report["late_min"]) == (
        "10:00:00",
        trip["return"],
        round(late),
    )
    assert day["back"] == {
        "trips": 1,
        "returned": 5,
        "again": 4,
        "sent_again": 0,
        "late_min": round(late, 1),
    }
    # The buildings' group chats are told: parcels safe and first next time, or refused.
    notices = client.get(f"/sites/gelin-spring/days/{DAY1}/reports/notices.txt", headers=bearer(courier))
    assert notices.status_code == 200 and notices.headers["content-type"].startswith("text/plain")
    lines = notices.text.splitlines()
    assert lines[0] == f"【格林春岸 Gelin Spring {DAY1} 没送到的件】"
    assert lines[1].startswith("1号楼 4件没送到（没人下来取），请 ") and lines[1].endswith(
        "下一趟优先送，到时请下楼取件"
    )
    assert lines[2] == "1号楼 1件被拒收，退回寄件方"
    english = client.get(f"/sites/gelin-spring/days/{DAY2}/reports/notices.txt?lang=en", headers=ADMIN).text
    assert english.splitlines()[1] == "Nothing came back this day."
    history = client.get("/sites/gelin-spring/history?lang=en", headers=ADMIN).json()
    assert history[0]["text"].startswith(
        f"reported trip {number} of crew {crew} (out at {trip['depart'][:5]})"
    )
    assert history[0]["text"].endswith("5 parcels brought back, 4 to go out again")
    chinese = client.get("/sites/gelin-spring/history", headers={**ADMIN, "Accept-Language": "zh-CN"}).json()
    assert chinese[0]["text"].startswith(
        f"报告{crew_name(crew, 'zh')}第 {number} 趟（{trip['depart'][:5]} 出发）"
    )
    assert crew_name(crew, "zh").endswith("组") and "morning" not in chinese[0]["text"]

    # A re-plan after the trip left keeps it as it was: reported again on the new plan, the trip
    # has one report, not two.
    replanned = _plan(client, DAY1, {"replan": {"now": trip["depart"][:5]}})
    again_crew, again_number, kept = _trip_to(replanned, "1")
    assert (again_crew, kept["depart"], kept.get("kept")) == (crew, trip["depart"], True)
    renewed = client.put(
        f"/plans/{replanned['id']}/crews/{crew}/trips/{again_number}/report",
        json={"returned": BACK[:1]},
        headers=bearer(courier),
    )
    assert renewed.status_code == 200, renewed.text
    assert [(r["plan_id"], r["returned_parcels"]) for r in _reports(client)] == [(replanned["id"], 4)]

    # The next day: what came back to go again is held over from the day it reached the gate.
    assert (
        client.put(
            f"/sites/gelin-spring/days/{DAY2}/counts", content="building,parcels\n2,3\n", headers=CSV
        ).status_code
        == 200
    )
    waiting = client.get(f"/sites/gelin-spring/days/{DAY2}/counts/held-over", headers=bearer(courier))
    assert waiting.status_code == 200, waiting.text
    assert {k: waiting.json()[k] for k in ("undelivered", "returned", "in_counts", "added")} == {
        "undelivered": 0,
        "returned": 4,
        "in_counts": 0,
        "added": False,
    }
    day2 = client.get(f"/sites/gelin-spring/days/{DAY2}", headers=ADMIN).json()
    assert day2["left_before"] == {"date": DAY1, "parcels": 4, "since": DAY1}  # what came back, not yet added
    held = client.post(f"/sites/gelin-spring/days/{DAY2}/counts/held-over", headers=bearer(courier))
    assert held.status_code == 200, held.text
    rows = [(r["building"], r["parcels"], r["held_from"]) for r in held.json()["rows"]]
    assert rows == [("2", 3, None), ("1", 4, DAY1)]  # the day's plan left nothing else
    assert (
        client.post(f"/sites/gelin-spring/days/{DAY2}/counts/held-over", headers=ADMIN).json()["rows"]
        == held.json()["rows"]
    )
    after = client.get(f"/sites/gelin-spring/days/{DAY2}/counts/held-over", headers=ADMIN).json()
    assert (after["returned"], after["in_counts"], after["added"]) == (4, 4, True)
    assert client.get(f"/sites/gelin-spring/days/{DAY2}", headers=ADMIN).json()["left_before"] is None
    [district_day] = [d for d in client.get("/days", headers=ADMIN).json() if d["date"] == DAY1]
    assert district_day["returned"] == 4
    sheet = (
        client.get("/sites/gelin-spring/days.csv?lang=en", headers=ADMIN)
        .content.decode("utf-8-sig")
        .splitlines()
    )
    header = sheet[0].split(",")
    first = dict(zip(header, sheet[1].split(","), strict=True))
    assert (first["date"], first["trips_back"], first["brought_back"]) == (DAY1, "1", "4")
    tomorrow = _plan(client, DAY2)  # validated against the counts with the held-over rows
    assert tomorrow["summary"]["delivered"] == 7


def test_a_report_the_trip_could_not_have_made_is_refused_and_changes_nothing(client: TestClient) -> None:
    plan, crew, number, trip = _small_day_planned(client)
    path = f"/plans/{plan['id']}/crews/{crew}/trips/{number}/report"
    assert client.put(path, json={"returned": []}, headers=ADMIN).status_code == 200  # all delivered
    before = _reports(client)

    far = client.put(path, json={"returned": [{"building": "125", "parcels": 1}]}, headers=ADMIN)
    assert far.status_code == 422
    assert far.json()["error"]["field"] == "returned[0].building"
    assert "did not go to building '125'" in far.json()["error"]["message"]
    too_many = client.put(path, json={"returned": [{"building": "1", "parcels": 13}]}, headers=ADMIN)
    assert too_many.status_code == 422 and too_many.json()["error"]["field"] == "returned[0].parcels"
    early = client.put(path, json={"back_at": "07:00"}, headers=ADMIN)
    assert early.status_code == 422 and early.json()["error"]["field"] == "back_at"
    garbled = client.put(path, json={"back_at": "ten"}, headers={**ADMIN, "Accept-Language": "zh-CN"})
    assert garbled.status_code == 422 and "时间要写成 10:42 这样" in garbled.json()["error"]["message"]
    lost = client.put(
        path, json={"returned": [{"building": "1", "parcels": 1, "reason": "lost"}]}, headers=ADMIN
    )
    assert lost.status_code == 422 and lost.json()["error"]["field"].endswith("reason")
    no_trip = client.put(f"/plans/{plan['id']}/crews/{crew}/trips/99/report", json={}, headers=ADMIN)
    assert no_trip.status_code == 422 and no_trip.json()["error"]["field"] == "trip"
    no_crew = client.put(f"/plans/{plan['id']}/crews/nobody/trips/1/report", json={}, headers=ADMIN)
    assert no_crew.status_code == 422 and no_crew.json()["error"]["field"] == "crew"
    _, viewer = token(client, "gelin-spring", "viewer")
    assert client.put(path, json={}, headers=bearer(viewer)).status_code == 403
    assert client.delete(path, headers=bearer(viewer)).status_code == 403
    assert _reports(client) == before

    # Pressed for the wrong trip: taken back, the trip is not back; taken back twice, 404.
    assert client.delete(path, headers=ADMIN).status_code == 204
    assert _reports(client) == []
    assert client.get(f"/sites/gelin-spring/days/{DAY1}", headers=ADMIN).json()["back"] is None
    assert client.delete(path, headers=ADMIN).status_code == 404
    assert trip["parcels"] >= 12


def test_what_came_back_goes_again_the_same_day_with_a_replan_and_is_then_the_counts(
    client: TestClient,
) -> None:
    plan, crew, number, trip = _small_day_planned(client)
    path = f"/plans/{plan['id']}/crews/{crew}/trips/{number}/report"
    counts = f"/sites/gelin-spring/days/{DAY1}/counts"
    nothing = client.post(f"{counts}/brought-back", headers=ADMIN)
    assert nothing.status_code == 409 and nothing.json()["error"]["code"] == "nothing_brought_back"
    assert client.put(path, json={"returned": BACK}, headers=ADMIN).status_code == 200
    _, courier = token(client, "gelin-spring", "courier")

    added = client.post(f"{counts}/brought-back", headers=bearer(courier))
    assert added.status_code == 200, added.text
    assert added.headers["ETag"] == client.get(counts, headers=ADMIN).headers["ETag"]
    rows = [(r["building"], r["parcels"], r["held_from"], r["arrived"]) for r in added.json()["rows"]]
    assert rows[-1] == ("1", 4, None, None)  # the refused one stays out; no standing again
    # Marked as back at the gate when the plan had the trip back (no time given), in its shift:
    # they go from then on, and the page keeps them apart from the day's own.
    last = added.json()["rows"][-1]
    assert (last["back_at"], last["shift"]) == (trip["return"], crew.rsplit("-", 1)[0])
    assert all(r["back_at"] is None for r in added.json()["rows"][:-1])
    assert added.json()["totals"]["parcels"] == 25 + 4
    assert client.get(f"/sites/gelin-spring/days/{DAY1}", headers=ADMIN).json()["back"] == {
        "trips": 1,
        "returned": 5,
        "again": 4,
        "sent_again": 4,
        "late_min": None,
    }
    [report] = _reports(client)
    assert report["sent_again_at"] is not None
    # Now the counts hold them: the report no longer changes, and they are not added twice.
    changed = client.put(path, json={"returned": []}, headers=ADMIN)
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "sent_again"
    assert client.delete(path, headers=ADMIN).status_code == 409
    assert client.post(f"{counts}/brought-back", headers=ADMIN).status_code == 409
    # The day's counts replaced by a sheet without those rows: added once more on asking.
    put = client.put(counts, content=SMALL_CSV, headers=CSV)
    assert put.status_code == 200 and put.json()["totals"]["parcels"] == 25
    assert client.post(f"{counts}/brought-back?again=true", headers=ADMIN).json()["totals"]["parcels"] == 29

    # A re-plan keeping the trips on the road sends them out again (validated against the counts
    # and the kept trips); the next day holds over nothing of them.
    replanned = _plan(client, DAY1, {"replan": {"now": trip["depart"][:5]}})
    assert planned_anew(replanned, "1") == 4 and replanned["summary"]["undelivered"] == 0
    assert (
        client.put(
            f"/sites/gelin-spring/days/{DAY2}/counts", content="building,parcels\n2,3\n", headers=CSV
        ).status_code
        == 200
    )
    held = client.post(f"/sites/gelin-spring/days/{DAY2}/counts/held-over", headers=ADMIN)
    assert held.status_code == 200 and held.json()["totals"]["held_over"] == 0


def test_the_trips_times_back_say_how_long_a_stop_took_and_the_wait_to_set(client: TestClient) -> None:
    """Every stop took 40 s more than planned and each trip left once the one before was back: the
    day's stop times say so once three trips are back with a time, and the wait to set is the
    plan's 60 s plus those 40."""
    set_up_gelin(client)
    day = "building,parcels\n" + "".join(f"{b},20\n" for b in range(1, 13))
    assert client.put(f"/sites/gelin-spring/days/{DAY1}/counts", content=day, headers=CSV).status_code == 200
    plan = _plan(client, DAY1)
    path = f"/sites/gelin-spring/days/{DAY1}/reports/stop-times"
    _, viewer = token(client, "gelin-spring", "viewer")
    empty = client.get(path, headers=bearer(viewer))
    assert empty.status_code == 200, empty.text
    assert empty.json() == {
        "trips": 0,
        "needed": 3,
        "stops": 0,
        "per_stop_s": None,
        "planned_wait_s": None,
        "wait_s": 60,
        "suggested_wait_s": None,
    }
    backs = slower_stops(plan, 40, reload_s=240)
    assert len(backs) >= 3
    for reported, (crew, number, at) in enumerate(backs, start=1):
        put = client.put(
            f"/plans/{plan['id']}/crews/{crew}/trips/{number}/report", json={"back_at": at}, headers=ADMIN
        )
        assert put.status_code == 200, put.text
        times = client.get(path, headers=ADMIN).json()
        assert times["trips"] == reported
        if reported < 3:
            assert times["per_stop_s"] is None and times["suggested_wait_s"] is None
    assert (times["per_stop_s"], times["planned_wait_s"], times["suggested_wait_s"]) == (40, 60, 100)
    assert times["stops"] == sum(
        len(t["stops"]) for s in plan["shifts"] for c in s["crews"] for t in c["trips"]
    )


def test_a_trip_of_a_plan_made_afresh_never_replaces_the_report_of_the_trip_that_went(
    client: TestClient,
) -> None:
    """The day planned afresh after its trips left gives crew morning-1 a trip out at the same
    time to other parcels: that trip never went, so neither reporting it nor taking its report
    back may replace the report of the trip that did — its parcels brought back would be lost."""
    plan, crew, number, trip = _small_day_planned(client)
    path = f"/plans/{plan['id']}/crews/{crew}/trips/{number}/report"
    assert client.put(path, json={"returned": BACK}, headers=ADMIN).status_code == 200
    afresh = "building,parcels,shift\n1,13,morning\n2,8,morning\n3,5,afternoon\n"
    assert (
        client.put(f"/sites/gelin-spring/days/{DAY1}/counts", content=afresh, headers=CSV).status_code == 200
    )
    again = _plan(client, DAY1)
    crew_again, number_again, trip_again = _trip_to(again, "1")
    assert (crew_again, trip_again["depart"]) == (crew, trip["depart"]) and trip_again["parcels"] != trip[
        "parcels"
    ]
    other = f"/plans/{again['id']}/crews/{crew}/trips/{number_again}/report"
    for refused in (
        client.put(other, json={"returned": []}, headers=ADMIN),
        client.delete(other, headers=ADMIN),
    ):
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "another_trip_reported"
        assert f"out at {trip['depart'][:5]} is not the trip the crew made" in error["message"]
        assert "with 5 parcels brought back" in error["message"]
    [kept] = _reports(client)
    assert (kept["plan_id"], kept["returned_parcels"]) == (plan["id"], 5)
    # The trip that went is still reported on its own plan.
    assert client.put(path, json={"returned": BACK[:1]}, headers=ADMIN).status_code == 200
    assert [r["returned_parcels"] for r in _reports(client)] == [4]
