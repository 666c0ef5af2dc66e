"""Yesterday's undelivered parcels into today's counts through the API: held over once, planned
first, and refused with a reason that changes nothing when there is nothing to carry."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from api.db.models import PlanRow
from optimizer.check import check_plan
from optimizer.day import parse_day_json
from optimizer.graph import build_graph
from optimizer.operations import parse_operations
from optimizer.site import load_site
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, bearer, set_up_gelin, token, wait_for_job

DAY1, DAY2 = "2022-04-28", "2022-04-29"
CSV = {**ADMIN, "Content-Type": "text/csv"}
TODAY = "building,parcels,shift\n1,5,morning\n2,7,afternoon\n"
BUSY = "building,parcels\n" + "".join(f"{b},8\n" for b in range(1, 126))  # 1,000 parcels


def _counts(day: str) -> str:
    return f"/sites/gelin-spring/days/{day}/counts"


def _plan(client: TestClient, day: str, headers: dict[str, str] = ADMIN) -> dict[str, Any]:
    started = client.post(f"/sites/gelin-spring/days/{day}/plans", json={"time_limit_s": 2}, headers=headers)
    assert started.status_code == 202, started.text
    finished = wait_for_job(client, started.json()["id"], headers)
    assert finished["status"] == "done", finished
    return client.get(f"/plans/{finished['plan_id']}", headers=headers).json()  # type: ignore[no-any-return]


def _held(rows: list[dict[str, Any]]) -> dict[str, int]:
    held: dict[str, int] = {}
    for row in rows:
        if row["held_from"]:
            held[row["building"]] = held.get(row["building"], 0) + row["parcels"]
    return held


def test_yesterdays_leftovers_are_held_over_once_and_planned_first(client: TestClient) -> None:
    set_up_gelin(client, ops="ops-3x3.json")  # one tricycle a shift: 2,300 parcels do not all go
    day1 = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    assert client.put(_counts(DAY1), content=day1, headers=CSV).status_code == 200
    first = _plan(client, DAY1)
    left = first["summary"]["undelivered"]
    assert left > 0
    expected: dict[str, int] = {}
    for item in first["undelivered"]:
        expected[item["building"]] = expected.get(item["building"], 0) + item["parcels"]

    assert client.put(_counts(DAY2), content=BUSY, headers=CSV).status_code == 200
    # The district sees the compound's leftovers waiting at the gate, not in the day's counts, and
    # lists it among those needing attention though its day is not planned yet.
    district = client.get(f"/days/{DAY2}?needs_attention=true", headers=ADMIN).json()
    [waiting] = [day for day in district["sites"] if day["site"] == "gelin-spring"]
    assert waiting["left_before"] == {"date": DAY1, "parcels": left, "since": DAY1}
    sheet = client.get(f"/days/{DAY2}/overview.csv?lang=en", headers=ADMIN).content.decode("utf-8-sig")
    header, row = (line.split(",") for line in sheet.splitlines())
    assert dict(zip(header, row, strict=True))["left_before_day"] == DAY1
    assert dict(zip(header, row, strict=True))["left_before_not_added"] == str(left)
    on_day1 = client.get(f"/sites/gelin-spring/days/{DAY1}", headers=ADMIN).json()
    assert on_day1["left_before"] is None  # nothing planned before it
    _, courier = token(client, "gelin-spring", "courier")
    added = client.post(f"{_counts(DAY2)}/held-over", headers=bearer(courier))
    assert added.status_code == 200, added.text
    counts = added.json()
    assert counts["totals"]["held_over"] == left
    assert counts["totals"]["parcels"] == left + 1000
    assert _held(counts["rows"]) == expected
    assert {r["held_from"] for r in counts["rows"] if r["held_from"]} == {DAY1}
    again = client.post(f"{_counts(DAY2)}/held-over", json={"plan_id": first["id"]}, headers=ADMIN)
    assert again.status_code == 200 and again.json() == counts  # carried twice, counted once
    assert client.get(f"/sites/gelin-spring/days/{DAY2}", headers=ADMIN).json()["left_before"] is None

    second = _plan(client, DAY2)
    site_graph = build_graph(load_site(GELIN / "site.geojson"))
    operations = parse_operations(json.loads((GELIN / "ops-3x3.json").read_text()))
    the_day = parse_day_json({"date": DAY2, "counts": counts["rows"]})
    assert check_plan(site_graph, the_day, operations, second) == []
    # Not everything fits (one tricycle a shift carries 1,100-1,400), and the held-over parcels go
    # first: a far smaller share of them is left than of the day's own.
    held_left = sum(item["parcels"] for item in second["undelivered"] if item.get("held_from"))
    own_left = sum(item["parcels"] for item in second["undelivered"] if not item.get("held_from"))
    assert own_left > 0
    assert held_left / left < 0.5 * own_left / 1000, (held_left, left, own_left)
    overview = client.get(f"/sites/gelin-spring/days/{DAY2}", headers=ADMIN).json()
    assert overview["counts"]["held_over"] == left
    district = client.get(f"/days/{DAY2}", headers=ADMIN).json()
    assert district["totals"]["held_over"] == left  # the backlog across the district's compounds


def test_nothing_to_carry_is_refused_and_changes_nothing(client: TestClient) -> None:
    set_up_gelin(client)
    assert client.put(_counts(DAY1), content=TODAY, headers=CSV).status_code == 200
    before = client.get(_counts(DAY1), headers=ADMIN).json()
    refused = client.post(f"{_counts(DAY1)}/held-over", headers=ADMIN)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "no_earlier_plan"
    assert client.get(_counts(DAY1), headers=ADMIN).json() == before

    plan = _plan(client, DAY1)
    same_day = client.post(f"{_counts(DAY1)}/held-over", json={"plan_id": plan["id"]}, headers=ADMIN)
    assert same_day.status_code == 422
    assert same_day.json()["error"]["field"] == "plan_id"
    unknown = client.post(f"{_counts(DAY2)}/held-over", json={"plan_id": "nope"}, headers=ADMIN)
    assert unknown.status_code == 404
    extra = client.post(f"{_counts(DAY2)}/held-over", json={"plan": plan["id"]}, headers=ADMIN)
    assert extra.status_code == 422
    assert client.get(_counts(DAY1), headers=ADMIN).json() == before


def test_the_parcels_an_earlier_day_left_are_said_before_they_are_added(client: TestClient) -> None:
    """Opening a day tells what the gate still holds from an earlier day — without adding it — and
    stops saying so once the day's counts hold it, building by building."""
    set_up_gelin(client, ops="ops-3x3.json")
    waiting_path = f"{_counts(DAY2)}/held-over"
    assert client.put(_counts(DAY2), content=BUSY, headers=CSV).status_code == 200
    nothing = client.get(waiting_path, headers=ADMIN).json()
    assert (nothing["plan_id"], nothing["undelivered"], nothing["added"]) == (None, 0, True)

    day1 = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    assert client.put(_counts(DAY1), content=day1, headers=CSV).status_code == 200
    first = _plan(client, DAY1)
    before = client.get(_counts(DAY2), headers=ADMIN)
    _, viewer = token(client, "gelin-spring", "viewer")
    waiting = client.get(waiting_path, headers=bearer(viewer))
    assert waiting.status_code == 200, waiting.text
    said = waiting.json()
    assert said["plan_id"] == first["id"] and said["plan_date"] == DAY1
    assert said["undelivered"] == first["summary"]["undelivered"] > 0
    assert said["urgent"] == sum(item.get("urgent", 0) for item in first["undelivered"])
    assert (said["returned"], said["in_counts"], said["added"]) == (0, 0, False)
    after = client.get(_counts(DAY2), headers=ADMIN)
    assert (
        after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"]
    )  # nothing changed

    assert client.post(waiting_path, headers=ADMIN).status_code == 200
    added = client.get(waiting_path, headers=ADMIN).json()
    assert (added["in_counts"], added["added"]) == (said["undelivered"], True)

    # The earlier day planned again (a second tricycle came): the day's held-over rows no longer
    # match what the gate holds, and it says so until they are added again.
    more = (GELIN / "ops-more-riders.json").read_text()
    json_body = {**ADMIN, "Content-Type": "application/json"}
    assert client.put("/sites/gelin-spring/operations", content=more, headers=json_body).status_code == 200
    replanned = _plan(client, DAY1)
    changed = client.get(waiting_path, headers=ADMIN).json()
    assert changed["plan_id"] == replanned["id"]
    assert changed["undelivered"] == replanned["summary"]["undelivered"] < said["undelivered"]
    assert (changed["in_counts"], changed["added"]) == (said["undelivered"], False)
    # An earlier plan named: it must be one of this site's before the day.
    assert client.get(f"{waiting_path}?plan_id={first['id']}", headers=ADMIN).json()["added"] is True
    assert client.get(f"{waiting_path}?plan_id=nope", headers=ADMIN).status_code == 404
    same_day = client.get(f"{_counts(DAY1)}/held-over?plan_id={first['id']}", headers=ADMIN)
    assert same_day.status_code == 422 and same_day.json()["error"]["field"] == "plan_id"


def test_leftovers_taken_off_a_day_on_purpose_are_set_aside_not_waiting(client: TestClient) -> None:
    """The gate's leftovers fetched and sent back: taken off the day, the day is no longer said to
    lack them — on the page's note or in the district's overview — until they are added again or
    the earlier day is planned anew; a viewer cannot take them off."""
    set_up_gelin(client, ops="ops-3x3.json")
    waiting_path = f"{_counts(DAY2)}/held-over"
    day1 = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    assert client.put(_counts(DAY1), content=day1, headers=CSV).status_code == 200
    first = _plan(client, DAY1)
    assert client.put(_counts(DAY2), content=BUSY, headers=CSV).status_code == 200
    assert client.post(waiting_path, headers=ADMIN).status_code == 200
    with_held = client.get(_counts(DAY2), headers=ADMIN).json()
    assert with_held["totals"]["held_over"] == first["summary"]["undelivered"] > 0

    def left_before() -> Any:
        return client.get(f"/sites/gelin-spring/days/{DAY2}", headers=ADMIN).json()["left_before"]

    _, viewer = token(client, "gelin-spring", "viewer")
    assert client.delete(waiting_path, headers=bearer(viewer)).status_code == 403
    _, courier = token(client, "gelin-spring", "courier")
    removed = client.delete(waiting_path, headers=bearer(courier))
    assert removed.status_code == 200, removed.text
    counts = removed.json()
    assert counts["totals"]["held_over"] == 0 and counts["totals"]["parcels"] == 1_000  # the day's own stay
    assert client.get(_counts(DAY2), headers=ADMIN).headers["ETag"] == removed.headers["ETag"]
    said = client.get(waiting_path, headers=ADMIN).json()
    assert (said["plan_id"], said["set_aside"], said["added"], said["in_counts"]) == (
        first["id"],
        True,
        False,
        0,
    )
    assert left_before() is None  # not among those needing attention for it
    history = client.get("/sites/gelin-spring/history", headers=ADMIN).json()
    assert history[0]["text"].endswith(
        f"took the held-over parcels off the day: {first['summary']['undelivered']}; "
        f"those the plan of {DAY1} left set aside (fetched, sent back)"
    )

    # Added back: no longer set aside; taken off by hand (a PUT without them) is a day lacking them.
    assert client.post(waiting_path, headers=ADMIN).status_code == 200
    assert client.get(waiting_path, headers=ADMIN).json()["set_aside"] is False
    assert client.put(_counts(DAY2), content=BUSY, headers=CSV).status_code == 200
    assert client.get(waiting_path, headers=ADMIN).json()["set_aside"] is False
    assert left_before() == {"date": DAY1, "parcels": first["summary"]["undelivered"], "since": DAY1}

    # Set aside again, then the earlier day planned anew: its plan leaves other parcels, waiting.
    assert client.delete(waiting_path, headers=ADMIN).status_code == 200
    assert left_before() is None
    replanned = _plan(client, DAY1)
    again = client.get(waiting_path, headers=ADMIN).json()
    assert (again["plan_id"], again["set_aside"]) == (replanned["id"], False)
    assert left_before() == {"date": DAY1, "parcels": replanned["summary"]["undelivered"], "since": DAY1}

    # A day with no earlier plan: its held-over rows (from a sheet) come off, nothing set aside.
    sheet = "building,parcels,held_from\n1,4,2022-04-20\n2,6,\n"
    assert client.put(_counts(DAY1), content=sheet, headers=CSV).status_code == 200
    off = client.delete(f"{_counts(DAY1)}/held-over", headers=ADMIN)
    assert off.status_code == 200, off.text
    assert [(row["building"], row["parcels"]) for row in off.json()["rows"]] == [("2", 6)]


def test_leftovers_a_day_was_planned_without_are_carried_on_to_the_next(client: TestClient) -> None:
    """A day planned without the day before's leftovers (the note ignored, or they were added only
    after its plan was made): they are still at the gate, so the next day's held-over parcels carry
    them on with that day's own, until a day's plan is made with them or a day sets them aside."""
    set_up_gelin(client, ops="ops-3x3.json")
    day3 = "2022-04-30"
    day1 = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    assert client.put(_counts(DAY1), content=day1, headers=CSV).status_code == 200
    first = _plan(client, DAY1)
    assert client.put(_counts(DAY2), content=BUSY, headers=CSV).status_code == 200
    second = _plan(client, DAY2)  # without the first day's leftovers
    # Added to its counts only after it was planned: its plan still never took them out.
    assert client.post(f"{_counts(DAY2)}/held-over", headers=ADMIN).status_code == 200
    assert client.put(_counts(day3), content=TODAY, headers=CSV).status_code == 200
    waiting_path = f"{_counts(day3)}/held-over"

    said = client.get(waiting_path, headers=ADMIN).json()
    assert (said["plan_id"], said["undelivered"]) == (second["id"], second["summary"]["undelivered"])
    assert (said["forgotten"], said["forgotten_from"]) == (first["summary"]["undelivered"], DAY1)
    assert said["urgent"] == sum(
        item.get("urgent", 0) for item in first["undelivered"] + second["undelivered"]
    )
    assert said["added"] is False

    # The district's overview counts them too, and says since when.
    def left_before() -> Any:
        return client.get(f"/sites/gelin-spring/days/{day3}", headers=ADMIN).json()["left_before"]

    both = second["summary"]["undelivered"] + first["summary"]["undelivered"]
    assert left_before() == {"date": DAY2, "parcels": both, "since": DAY1}

    added = client.post(waiting_path, headers=ADMIN)
    assert added.status_code == 200, added.text
    rows = added.json()["rows"]
    assert _held([r for r in rows if r["held_from"] == DAY1]) == _held(
        [{**item, "held_from": DAY1} for item in first["undelivered"]]
    )
    assert added.json()["totals"]["held_over"] == said["undelivered"] + said["forgotten"]
    assert client.get(waiting_path, headers=ADMIN).json()["added"] is True
    assert left_before() is None

    # Set aside on the day planned without them: no longer carried on.
    assert client.delete(f"{_counts(DAY2)}/held-over", headers=ADMIN).status_code == 200
    assert client.get(waiting_path, headers=ADMIN).json()["forgotten"] == 0
    assert client.put(_counts(day3), content=TODAY, headers=CSV).status_code == 200
    assert second["summary"]["undelivered"] == 0  # the busy day's own parcels all went
    assert left_before() is None


def test_a_plan_stored_without_its_counts_is_set_beside_the_counts_stored(client: TestClient) -> None:
    """A plan kept from before plans kept their counts (no snapshot counts, `held_in` None) is set
    beside the day's counts as stored, by the page's note and the overview alike: leftovers stored
    in that day's counts are not said to be forgotten."""
    set_up_gelin(client, ops="ops-3x3.json")
    day3 = "2022-04-30"
    day1 = (GELIN / "days" / "2022-04-28-2300.csv").read_text()
    assert client.put(_counts(DAY1), content=day1, headers=CSV).status_code == 200
    _plan(client, DAY1)
    assert client.put(_counts(DAY2), content=BUSY, headers=CSV).status_code == 200
    second = _plan(client, DAY2)  # without the first day's leftovers
    assert client.post(f"{_counts(DAY2)}/held-over", headers=ADMIN).status_code == 200
    assert client.put(_counts(day3), content=TODAY, headers=CSV).status_code == 200
    left = client.get(f"/sites/gelin-spring/days/{day3}", headers=ADMIN).json()["left_before"]
    assert left is not None and left["since"] == DAY1  # its plan was made without them

    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        stored = session.get(PlanRow, second["id"])
        stored.snapshot = {key: value for key, value in stored.snapshot.items() if key != "counts"}
        stored.held_in = None
        session.commit()
    assert client.get(f"{_counts(day3)}/held-over", headers=ADMIN).json()["forgotten"] == 0
    assert second["summary"]["undelivered"] == 0
    assert client.get(f"/sites/gelin-spring/days/{day3}", headers=ADMIN).json()["left_before"] is None
