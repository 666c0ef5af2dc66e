"""The site's operations (shifts, fleet, settings): a tag to write against, and messages a
coordinator can act on in either language."""

from __future__ import annotations

import copy
import json

from fastapi.testclient import TestClient

from optimizer.operations import starting_operations
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, set_up_gelin
from tests.helpers import fleet_entry

OPS = "/sites/gelin-spring/operations"
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


def test_a_change_written_against_operations_someone_else_changed_is_refused(client: TestClient) -> None:
    set_up_gelin(client)
    read = client.get(OPS, headers=ADMIN)
    tag, stored = read.headers["ETag"], read.json()
    assert client.get(OPS, headers=ADMIN).headers["ETag"] == tag  # the same operations, the same tag

    # The district office gives the evening a fifth rider; the coordinator, who read before it,
    # sends the morning's change against the old tag and is refused, and nothing changes.
    evening = copy.deepcopy(stored)
    evening["shifts"][2]["riders"] = 5
    office = client.put(OPS, json=evening, headers={**ADMIN, "If-Match": tag})
    assert office.status_code == 200 and office.headers["ETag"] != tag
    assert office.headers["ETag"] == client.get(OPS, headers=ADMIN).headers["ETag"]
    morning = copy.deepcopy(stored)
    morning["shifts"][0]["riders"] = 3
    refused = client.put(OPS, json=morning, headers={**ZH, "If-Match": tag})
    assert refused.status_code == 412
    assert refused.json()["error"]["code"] == "operations_changed"
    assert refused.json()["error"]["message"].startswith("你打开之后，班次和车辆被别人改过")
    assert client.get(OPS, headers=ADMIN).json() == evening

    # Against the tag read again, or with none at all, the write goes through.
    fresh = client.get(OPS, headers=ADMIN).headers["ETag"]
    morning["shifts"][2]["riders"] = 5
    assert client.put(OPS, json=morning, headers={**ADMIN, "If-Match": fresh}).status_code == 200
    assert client.put(OPS, json=stored, headers=ADMIN).status_code == 200
    assert client.get(OPS, headers=ADMIN).headers["ETag"] == tag


def test_the_fields_the_page_edits_are_refused_in_chinese_naming_the_shift_or_vehicle(
    client: TestClient,
) -> None:
    set_up_gelin(client)
    stored = json.loads((GELIN / "ops-more-riders.json").read_text())
    cases = [
        (
            ("shifts", 1, "riders", -1),
            "班次 afternoon：骑手人数要至少 0，现在是 -1",
            "shift 'afternoon'.riders",
        ),
        (
            ("shifts", 0, "riders", 2.5),
            "班次 morning：骑手人数要填整数，现在是 2.5",
            "shift 'morning'.riders",
        ),
        (("shifts", 2, "sorters", None), "班次 evening：分拣人数没有填", "shift 'evening'.sorters"),
        (
            ("shifts", 0, "start", "8h"),
            "班次 morning：开始时间要写成 时:分（如 08:00），现在是 '8h'",
            "shift 'morning'.start",
        ),
        (
            ("fleet", 0, "capacity", 0),
            "车辆 tricycle：每车载件要至少 1，现在是 0",
            "fleet entry 'tricycle'.capacity",
        ),
        (
            ("shifts", 1, "start", "07:00"),
            "班次 afternoon 比前面的班次 morning 开始得早；班次请按一天里的先后排列",
            "shifts",
        ),
    ]
    for (part, number, field, value), chinese, named in cases:
        bad = copy.deepcopy(stored)
        bad[part][number][field] = value
        answer = client.put(OPS, json=bad, headers=ZH)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["message"] == chinese
        assert answer.json()["error"]["field"] == named
        english = client.put(OPS, json=bad, headers=ADMIN).json()["error"]["message"]
        assert english.isascii() and ((number == 1 and field == "start") or field in english)
    assert client.get(OPS, headers=ADMIN).json() == stored


def test_a_first_roster_sent_if_none_is_set_never_replaces_one(client: TestClient) -> None:
    site = json.loads((GELIN / "site.geojson").read_text())
    assert client.put("/sites/gelin-spring", json=site, headers=ADMIN).status_code == 201
    first = starting_operations("zh")
    created = client.put(OPS, json=first, headers={**ADMIN, "If-None-Match": "*"})
    assert created.status_code == 200 and client.get(OPS, headers=ADMIN).json() == first
    again = json.loads((GELIN / "ops-3x3.json").read_text())
    refused = client.put(OPS, json=again, headers={**ADMIN, "If-None-Match": "*"})
    assert refused.status_code == 412 and refused.json()["error"]["code"] == "operations_changed"
    assert client.get(OPS, headers=ADMIN).json() == first
    # and the starting roster plans: a day's counts go in against its Chinese shift names
    counts = "building,parcels,shift\n12,9,下午\n"
    saved = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content=counts.encode(),
        headers={**ADMIN, "Content-Type": "text/csv; charset=utf-8"},
    )
    assert saved.status_code == 200, saved.text


def test_a_roster_read_says_which_crews_each_shift_fields_and_stores_nothing(client: TestClient) -> None:
    set_up_gelin(client)
    stored = client.get(OPS, headers=ADMIN).json()
    proposed = copy.deepcopy(stored)
    proposed["shifts"][0]["riders"] = 7  # two tricycle crews, an e-bike rider, and two over
    proposed["fleet"] += [fleet_entry("ebike"), fleet_entry("pair")]
    proposed["shifts"][1]["riders"] = 1
    read = client.post(f"{OPS}/read", json=proposed, headers=ADMIN)
    assert read.status_code == 200, read.text
    assert read.json()["shifts"] == [
        {"shift": "morning", "crews": {"tricycle": 2, "ebike": 1, "pair": 1}, "idle_riders": 0},
        {"shift": "afternoon", "crews": {"ebike": 1}, "idle_riders": 0},
        # four riders: the designated pair first, then a tricycle (more than the e-bike and one idle)
        {"shift": "evening", "crews": {"tricycle": 1, "pair": 1}, "idle_riders": 0},
    ]
    proposed["shifts"][0]["riders"] = 8  # one more than every crew takes
    assert client.post(f"{OPS}/read", json=proposed, headers=ADMIN).json()["shifts"][0] == {
        "shift": "morning", "crews": {"tricycle": 2, "ebike": 1, "pair": 1}, "idle_riders": 1
    }  # fmt: skip
    proposed["shifts"][0]["riders"] = -1
    bad = client.post(f"{OPS}/read", json=proposed, headers=ZH)
    assert (
        bad.status_code == 422
        and bad.json()["error"]["message"] == "班次 morning：骑手人数要至少 0，现在是 -1"
    )
    assert client.get(OPS, headers=ADMIN).json() == stored


def test_a_roster_stored_with_nobody_sorting_takes_counts_and_refuses_to_plan(client: TestClient) -> None:
    """A shift riding with 0 sorters at a sorting pace is refused in a roster sent now; one stored
    before that check (written into the row here) still takes the day's counts — the couriers'
    data — and planning with it says what to mend."""
    from api.store import site_row

    set_up_gelin(client)
    refused = copy.deepcopy(json.loads((GELIN / "ops-more-riders.json").read_text()))
    refused["shifts"][0]["sorters"] = 0
    answer = client.put("/sites/gelin-spring/operations", json=refused, headers=ADMIN)
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "sorters"
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        row = site_row(session, "gelin-spring", lock=True)
        row.operations = refused
        session.commit()
    day = "/sites/gelin-spring/days/2022-04-28"
    counts = client.put(
        f"{day}/counts", content="building,parcels\n1,3\n", headers={**ADMIN, "Content-Type": "text/csv"}
    )
    assert counts.status_code == 200, counts.text
    planned = client.post(f"{day}/plans", json={"time_limit_s": 1}, headers=ADMIN)
    assert planned.status_code == 422
    assert planned.json()["error"]["message"].startswith("shift 'morning' has riders but no sorter")
