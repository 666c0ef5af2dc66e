"""The coordinator's page in a real browser (headless Chromium driven by Playwright).

Needs Debian's chromium (`.ci/run` installs it); without it the test is skipped with a message.
Set ONEBELL_SCREENSHOTS=DIR to also save desktop and phone screenshots there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from fixtures.generate import barricaded
from optimizer.clock import format_clock, parse_clock
from optimizer.operations import starting_operations
from tests.api.conftest import ADMIN
from tests.api.helpers import GELIN, planned_anew, set_up_gelin, set_up_second_site, token, wait_for_job
from tests.helpers import FIXTURES, slower_stops, workbook
from tests.server import Server

if TYPE_CHECKING:
    from playwright.sync_api import Route

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OSM_EXPORT = FIXTURES / "osm" / "test-garden.osm"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="no Chromium at /usr/bin/chromium (apt-get install chromium)"
)


def _gelin_server(tmp_path: Path, **env: str) -> Iterator[tuple[Server, httpx.Client]]:
    running = Server(f"sqlite:///{tmp_path / 'web.sqlite3'}", tmp_path)
    running.env.update(env)
    client = running.start()
    set_up_gelin(client)  # type: ignore[arg-type]
    yield running, client
    running.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, httpx.Client]]:
    """gelin-spring on a server whose plans search 1 s (the page asks for the server's default):
    these tests check what the page does with a plan, not how good the plan is."""
    yield from _gelin_server(tmp_path, ONEBELL_DEFAULT_TIME_LIMIT_S="1")


@pytest.fixture
def one_plan_at_a_time(tmp_path: Path) -> Iterator[tuple[Server, httpx.Client]]:
    """A server whose queue has room for one planning job at a time (of 1 s, not 10)."""
    yield from _gelin_server(tmp_path, ONEBELL_MAX_QUEUED_JOBS="1", ONEBELL_DEFAULT_TIME_LIMIT_S="1")


@pytest.fixture
def coordinator(server: tuple[Server, httpx.Client]) -> str:
    """A coordinator token for gelin-spring, the site every test here starts with."""
    return token(server[1], "gelin-spring", "coordinator")[1]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """One Chromium for the module's tests (launching it took 0.7 s a test)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium: Any) -> Iterator[object]:
    """The shared Chromium, every page a test opened closed after it: each page has a browser
    context of its own (cookies, storage), so no test sees another's."""
    yield chromium
    for context in chromium.contexts:
        context.close()


def _day_csv() -> str:
    rows = (GELIN / "days" / "2022-04-28-2300.csv").read_text().splitlines()[1:]
    totals: dict[str, int] = {}
    for row in rows:
        building, parcels = row.split(",")[:2]
        totals[building] = totals.get(building, 0) + int(parcels)
    return "building,parcels\n" + "\n".join(f"{b},{n}" for b, n in totals.items() if n % 3 == 0)


def _sign_in(page: object, url: str, secret: str, lang: str = "en") -> None:
    page.goto(f"{url}/?lang={lang}")  # type: ignore[attr-defined]
    page.fill("#token", secret)  # type: ignore[attr-defined]
    page.press("#token", "Enter")  # type: ignore[attr-defined]
    page.wait_for_selector(".cell input")  # type: ignore[attr-defined]


def _signed_in(browser: object, url: str, secret: str) -> Any:
    """A desktop-sized page of the coordinator's page, signed in with `secret`."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    _sign_in(page, url, secret)
    return page


def _open_date(page: object, date: str) -> None:
    page.fill("#date", date)  # type: ignore[attr-defined]
    page.dispatch_event("#date", "change")  # type: ignore[attr-defined]


def _slow(page: object, *endings: str) -> None:
    """Reads (GET) of paths ending so reach the page 1.5 s late (a phone in a stairwell);
    `window.slowCame` turns true a moment after the last of them has."""
    page.evaluate(  # type: ignore[attr-defined]
        """(endings) => {
             const fetched = window.fetch;
             window.slowCame = false;
             window.fetch = (url, options) => endings.some((e) => String(url).endsWith(e)) && !(options && options.method)
               ? new Promise((resolve) => setTimeout(resolve, 1500)).then(() => fetched(url, options))
                   .then((response) => { setTimeout(() => { window.slowCame = true; }, 300); return response; })
               : fetched(url, options);
           }""",
        list(endings),
    )


def _cells(page: object, table: str) -> list[list[str]]:
    """A table's body, row by row, each cell's text: read from the cells, not from the rows' laid-out
    text (which loses its tabs between cells if read while Chromium is not rendering the row)."""
    rows: list[list[str]] = page.eval_on_selector_all(  # type: ignore[attr-defined]
        f"{table} tbody tr", "rows => rows.map((row) => [...row.cells].map((cell) => cell.textContent))"
    )
    return rows


def _planned(client: httpx.Client, date: str, counts_csv: str) -> str:
    """gelin-spring with these counts on `date`, planned through the API; the plan's id."""
    days = f"/sites/gelin-spring/days/{date}"
    client.put(f"{days}/counts", content=counts_csv, headers={**ADMIN, "Content-Type": "text/csv"})
    job = client.post(f"{days}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
    done = wait_for_job(client, job["id"], ADMIN)  # type: ignore[arg-type]
    assert done["status"] == "done", done
    return str(done["plan_id"])


def test_sign_in_paste_plan_print(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    page = _signed_in(browser, running.url, coordinator)
    assert page.locator(".cell").count() == 125
    assert not page.is_visible("#help li")  # how it works: folded until asked
    page.click("#help summary")
    second = page.locator("#help li").nth(1).inner_text()
    assert second.startswith('Press "Plan routes"')
    assert "In about 1 s " in second  # the server's search time (this server's is 1 s), not a fixed 10
    page.click("#help summary")  # folded again

    page.click("#paste-box summary")
    page.fill("#paste", _day_csv())
    page.click(
        "#apply-paste"
    )  # applied once the day's own counts are in: the page may still be fetching them
    expected_total = sum(int(line.split(",")[1]) for line in _day_csv().splitlines()[1:])
    page.wait_for_function(f"document.querySelector('#total').textContent === '{expected_total}'")

    # A bad count is shown next to its field, and nothing is planned.
    page.fill("#b-12", "-3")
    page.press("#b-12", "Enter")
    error = page.locator('.cell[data-building="12"] .error')
    assert "Parcels" in error.inner_text()
    assert page.locator("#result").is_hidden()
    page.fill("#b-12", "")

    page.press("#b-7", "Enter")  # Enter plans
    page.wait_for_selector("#result:not([hidden])", timeout=90_000)
    plan_id = page.evaluate("currentPlan.id")
    plan = client.get(f"/plans/{plan_id}", headers=ADMIN).json()
    planned = {
        stop["building"]
        for s in plan["shifts"]
        for c in s["crews"]
        for t in c["trips"]
        for stop in t["stops"]
    }
    shown = set(page.eval_on_selector_all("#stops li", "items => items.map(i => i.dataset.building)"))
    assert planned and shown == planned
    assert page.is_visible("#stops-head")
    # the map is fetched after the plan is shown: wait for it rather than race it
    trips = sum(len(c["trips"]) for s in plan["shifts"] for c in s["crews"])
    page.wait_for_function(f"document.querySelectorAll('#map path.route').length === {trips}", timeout=30_000)
    assert page.locator("#map path.route").count() == trips

    with page.expect_response(lambda r: "cards.pdf" in r.url) as response_info:
        page.locator("button.print-cards").first.click()
    response = response_info.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    with page.expect_response(lambda r: "notices.txt" in r.url) as notices_info:
        page.locator("button.notices").first.click()
    notices = notices_info.value
    assert notices.status == 200 and notices.headers["content-type"].startswith("text/plain")
    assert "lang=en" in notices.url and "shift=" in notices.url

    # The next day: this plan left nothing at the gate, and adding what earlier days left says so
    assert plan["summary"]["undelivered"] == 0
    next_day = dt.date.fromisoformat(page.input_value("#date")) + dt.timedelta(days=1)
    _open_date(page, next_day.isoformat())
    page.wait_for_selector("#held-over:not([disabled])")
    assert page.is_hidden("#stops-head")  # no plan: no list, no heading over nothing
    page.click("#held-over")
    page.wait_for_function("document.querySelector('#held-over-status').textContent !== ''")
    assert page.inner_text("#held-over-status") == (
        "The latest plan before this day left nothing at the gate: nothing to add"
    )

    shots = os.environ.get("ONEBELL_SCREENSHOTS")
    if shots:
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(shots) / "web-desktop.png"), full_page=False)
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)  # type: ignore[attr-defined]
        phone.goto(f"{running.url}/")
        phone.fill("#token", coordinator)
        phone.press("#token", "Enter")
        phone.wait_for_selector(".cell input")
        phone.screenshot(path=str(Path(shots) / "web-phone.png"), full_page=False)
    json.dumps(plan)  # the plan is plain JSON all the way through


def test_planning_from_the_page_keeps_what_an_upload_said_of_untouched_buildings(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    date = "2022-04-25"
    path = f"/sites/gelin-spring/days/{date}/counts"
    uploaded = "building,parcels,shift,urgent,arrived\n1,12,afternoon,2,13:10\n1,3,,,\n2,8,,,\n"
    assert (
        client.put(path, content=uploaded, headers={**ADMIN, "Content-Type": "text/csv"}).status_code == 200
    )
    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, date)
    page.wait_for_function("document.querySelector('#b-1').value === '15'")
    page.fill("#b-2", "9")  # the coordinator changes building 2 only
    page.press("#b-2", "Enter")
    page.wait_for_selector("#result:not([hidden])", timeout=90_000)
    rows = client.get(path, headers=ADMIN).json()["rows"]
    assert rows == [
        {
            "building": "1",
            "parcels": 12,
            "shift": "afternoon",
            "urgent": 2,
            "arrived": "13:10:00",
            "held_from": None,
            "back_at": None,
        },
        *(
            {
                "building": b,
                "parcels": n,
                "shift": None,
                "urgent": 0,
                "arrived": None,
                "held_from": None,
                "back_at": None,
            }
            for b, n in (("1", 3), ("2", 9))
        ),
    ]


def test_the_sheet_to_fill_in_downloads_and_uploads_back(
    server: tuple[Server, httpx.Client], browser: object, tmp_path: Path
) -> None:
    running, client = server
    _, courier = token(client, "gelin-spring", "courier")  # type: ignore[arg-type]
    page = _signed_in(browser, running.url, courier)
    _open_date(page, "2022-04-26")
    page.fill("#b-9", "2")  # the uploaded sheet replaces what it lists, and it lists every building
    page.click("#paste-box summary")
    with page.expect_download() as download:
        page.click("#download-sheet")
    assert download.value.suggested_filename == "gelin-spring-2022-04-26.csv"
    sheet = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert (
        sheet.startswith("building,parcels\n1号楼,\n") and len(sheet.splitlines()) == 126
    )  # the page is in English
    filled = tmp_path / "filled.csv"
    filled.write_text(sheet.replace("\n3号楼,\n", "\n3号楼,6\n").replace("\n8号楼,\n", "\n8号楼,1\n"))
    page.set_input_files("#upload", str(filled))
    page.wait_for_function("document.querySelector('#total').textContent === '7'")
    assert [page.input_value(f"#b-{b}") for b in ("3", "8", "9")] == ["6", "1", ""]
    assert page.inner_text("#paste-error") == ""

    # the same filled in and saved by Excel as a workbook: read by the server, nothing stored
    book = tmp_path / "filled.xlsx"
    book.write_bytes(workbook(("楼号", "件数"), ("3号楼", 2), (10, 5)))
    page.set_input_files("#upload", str(book))
    page.wait_for_function("document.querySelector('#total').textContent === '8'")
    assert [page.input_value(f"#b-{b}") for b in ("3", "8", "10")] == ["2", "1", "5"]
    assert client.get("/sites/gelin-spring/days/2022-04-26/counts", headers=ADMIN).json()["rows"] == []
    book.write_bytes(workbook(("楼号", "件数"), ("3号楼", 2), (10, None)))  # 10 cleared in Excel
    page.set_input_files("#upload", str(book))
    page.wait_for_function("document.querySelector('#total').textContent === '3'")
    assert [page.input_value(f"#b-{b}") for b in ("3", "8", "10")] == ["2", "1", ""]
    book.write_bytes(workbook(("楼号", "件数"), ("3号楼", 4), ("77x", 5)))
    page.set_input_files("#upload", str(book))
    page.wait_for_function(
        "document.querySelector('#paste-error').textContent.includes(\"unknown building '77x'\")"
    )
    assert page.input_value("#b-3") == "2"  # a workbook with a bad row changes nothing

    chinese = browser.new_page()  # type: ignore[attr-defined]
    # Signed in on the page in Chinese, the server words its message about the sheet in Chinese.
    _sign_in(chinese, running.url, courier, "zh")
    # What a request's schema refuses comes in the page's language too, naming the field.
    refused = chinese.evaluate("async () => errorMessage(await api('/sites/gelin-spring/history?limit=0'))")
    assert refused == "limit（条数）：不能小于 1，写的是「0」"
    chinese.click("#help summary")  # how it works, its steps naming the page's own buttons
    steps = chinese.locator("#help li").all_inner_texts()
    assert len(steps) == 8 and not any("{" in step for step in steps)
    assert "「队伍的令牌（发给分拣、骑手和只看的人）」" in steps[7]
    assert "按「下载填写表（每栋楼一行）」" in steps[0] and steps[1].startswith("按「生成路线」")
    assert "大约 1 秒后" in steps[1]
    _open_date(chinese, "2022-04-26")
    chinese.click("#paste-box summary")
    chinese.set_input_files("#upload", str(book))  # the workbook with building 77x
    chinese.wait_for_function("document.querySelector('#paste-error').textContent.includes('77x')")
    assert chinese.inner_text("#paste-error").endswith(
        "第 3 行：没有「77x」这栋楼（小区 gelin-spring 没有这个楼号或楼名）"
    )
    assert (
        page.evaluate(
            "errorMessage(new Response(JSON.stringify({error: {code: 'no_counts', message: 'm'}})))"
        )
        == "m"
    )


def test_an_uploaded_sheet_of_waves_sums_per_building_and_is_saved_row_for_row(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str, tmp_path: Path
) -> None:
    running, client = server
    sheet = (GELIN / "days" / "2022-04-28-2300.csv").read_text()  # three waves a building
    assert sheet.startswith("building,parcels,shift,urgent\n")
    # as a coordinator's Excel saves it: Chinese headers, GBK,
    upload = tmp_path / "今日件数.csv"
    # with building 1 named as on the map (the site's id is "1")
    as_saved = sheet.replace("building,parcels,shift,urgent", "楼号,件数,班次,加急", 1).replace(
        "\n1,", "\n1号楼,"
    )
    upload.write_bytes(as_saved.encode("gbk"))
    page = _signed_in(browser, running.url, coordinator)
    page.click("#paste-box summary")
    # The day's stored counts come slowly (a phone in a stairwell): a sheet uploaded meanwhile
    # must not be replaced by them when they arrive.
    _slow(page, "/counts")
    _open_date(page, "2022-04-28")
    page.set_input_files("#upload", str(upload))
    page.wait_for_function("document.querySelector('#total').textContent === '2300'")
    page.wait_for_function("window.slowCame")
    rows = sheet.splitlines()[1:]
    building_1 = sum(int(line.split(",")[1]) for line in rows if line.split(",")[0] == "1")
    assert page.input_value("#b-1") == str(building_1)
    page.press("#b-7", "Enter")
    page.wait_for_selector("#result:not([hidden])", timeout=90_000)
    saved = client.get("/sites/gelin-spring/days/2022-04-28/counts", headers=ADMIN).json()["rows"]
    expected = []
    for line in rows:
        building, parcels, shift, urgent = line.split(",")
        if int(parcels) > 0:
            expected.append([building, int(parcels), shift, int(urgent)])
    assert [[r["building"], r["parcels"], r["shift"], r["urgent"]] for r in saved] == expected


def test_planning_before_the_days_counts_have_come_keeps_them(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = server
    _, courier = token(client, "gelin-spring", "courier")  # type: ignore[arg-type]
    where = "/sites/gelin-spring/days/2022-04-27/counts"
    stored = "building,parcels,shift,urgent\n1,5,morning,1\n2,7,morning,0\n"
    assert client.put(where, content=stored, headers={**ADMIN, "Content-Type": "text/csv"}).status_code == 200
    page = _signed_in(browser, running.url, courier)
    _slow(page, "/counts")
    _open_date(page, "2022-04-27")
    page.fill("#b-2", "3")  # typed while the counts come: it stays, a correction of building 2's 7
    page.click("#plan")  # at once: the grid is still empty
    page.wait_for_selector("#result:not([hidden])", timeout=90_000)
    rows = client.get(where, headers=ADMIN).json()["rows"]
    assert [(r["building"], r["parcels"], r["urgent"]) for r in rows] == [("1", 5, 1), ("2", 3, 0)]
    assert page.inner_text("#total") == "8" and page.input_value("#b-2") == "3"


def test_enter_in_the_date_field_opens_the_day_and_plans_nothing(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    stored = "building,parcels,shift\n1,5,morning\n2,7,morning\n"
    where = "/sites/gelin-spring/days/2022-04-27/counts"
    assert client.put(where, content=stored, headers={**ADMIN, "Content-Type": "text/csv"}).status_code == 200
    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, "2022-04-26")
    page.wait_for_function("document.querySelector('#total').textContent === '0'")
    posted: list[str] = []
    page.on(  # type: ignore[attr-defined]
        "request",  # anything but reads (and the roster's check, which stores nothing)
        lambda request: (
            None
            if request.method == "GET" or request.url.endswith("/operations/read")
            else posted.append(f"{request.method} {request.url}")
        ),
    )
    # typed in, as a keyboard does, and Enter before the field's change has opened it
    page.evaluate("document.querySelector('#date').value = '2022-04-27'")
    page.press("#date", "Enter")
    page.wait_for_function("document.querySelector('#total').textContent === '12'")
    assert page.input_value("#b-2") == "7"
    page.press("#date", "Enter")  # again, on the day open: nothing
    page.wait_for_timeout(500)
    assert posted == [] and page.is_hidden("#result")
    assert client.get(where, headers=ADMIN).json()["rows"][1]["parcels"] == 7


def test_counts_typed_and_not_saved_are_not_given_up_unasked(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, _ = server
    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, "2022-04-25")
    page.fill("#b-3", "5")
    page.once("dialog", lambda dialog: dialog.dismiss())
    _open_date(page, "2022-04-26")  # asked, and the answer is to stay
    assert page.input_value("#date") == "2022-04-25" and page.input_value("#b-3") == "5"
    page.once("dialog", lambda dialog: dialog.accept())
    _open_date(page, "2022-04-26")  # asked, and the answer is to go
    page.wait_for_function("document.querySelector('#total').textContent === '0'")
    assert page.input_value("#b-3") == ""

    page.fill("#b-4", "2")
    page.click("#plan")  # saved: another day opens without asking (an unanswered dialog says no)
    page.wait_for_selector("#result:not([hidden])", timeout=90_000)
    _open_date(page, "2022-04-25")
    page.wait_for_function("document.querySelector('#total').textContent === '0'")

    # Closing the page asks (the browser's own question) while counts are not saved.
    leaving = """() => { const event = new Event("beforeunload", { cancelable: true });
                        window.dispatchEvent(event); return event.defaultPrevented; }"""
    assert page.evaluate(leaving) is False
    page.fill("#b-5", "1")
    assert page.evaluate(leaving) is True


def test_two_people_keeping_the_same_day_never_overwrite_each_other_unawares(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    _, courier = token(client, "gelin-spring", "courier")  # type: ignore[arg-type]
    date, where = "2022-04-27", "/sites/gelin-spring/days/2022-04-27/counts"
    phone, gate = _signed_in(browser, running.url, coordinator), _signed_in(browser, running.url, courier)
    for page in (phone, gate):
        _open_date(page, date)
        page.wait_for_function("countsTag !== null")  # the day's counts (none) are in
    gate.fill("#b-1", "6")  # the sorter at the gate saves first
    gate.click("#plan")
    gate.wait_for_selector("#result:not([hidden])", timeout=90_000)
    phone.fill("#b-2", "4")  # the coordinator's grid was loaded before: saving it is refused
    phone.click("#plan")
    phone.wait_for_function(
        "document.querySelector('#form-error').textContent.includes('open the day again')"
    )
    assert [(r["building"], r["parcels"]) for r in client.get(where, headers=ADMIN).json()["rows"]] == [
        ("1", 6)
    ]
    phone.once("dialog", lambda dialog: dialog.accept())  # the 4 typed is not saved: asked first
    _open_date(phone, "2022-04-26")
    _open_date(phone, date)  # opened again: the gate's 6 is there to add to
    phone.wait_for_function("document.querySelector('#b-1').value === '6' && currentPlan !== null")
    gates_plan = phone.evaluate("currentPlan.id")  # the day opens with the gate's plan shown
    phone.fill("#b-2", "4")
    phone.click("#plan")
    phone.wait_for_function(f"currentPlan.id !== {json.dumps(gates_plan)}", timeout=90_000)  # a new plan
    rows = client.get(where, headers=ADMIN).json()["rows"]
    assert sorted((r["building"], r["parcels"]) for r in rows) == [("1", 6), ("2", 4)]


def test_a_planned_day_opens_with_its_plan_and_says_when_the_counts_changed(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    date, csv = "2022-04-25", {**ADMIN, "Content-Type": "text/csv"}
    days = f"/sites/gelin-spring/days/{date}"
    plan_id = _planned(client, date, "building,parcels\n1,12\n2,8\n")

    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, date)
    page.wait_for_selector("#result:not([hidden])", timeout=30_000)
    assert page.evaluate("currentPlan.id") == plan_id
    assert page.input_value("#b-1") == "12" and page.inner_text("#total") == "20"
    assert "Plan made at" in page.inner_text("#plan-note")
    assert "plan again" not in page.inner_text("#plan-note")
    assert page.locator("button.print-cards").count() >= 1  # the cards can be printed again

    _open_date(page, "2022-04-26")  # a day without a plan shows none
    page.wait_for_function(
        "document.querySelector('#result').hidden && document.querySelector('#total').textContent === '0'"
    )

    client.post(f"{days}/counts", content="building,parcels\n4,7\n", headers=csv)  # a later wave
    _open_date(page, date)
    page.wait_for_selector("#plan-note.outdated", timeout=30_000)
    assert "the counts, a building or the crews changed since: plan again before printing" in page.inner_text(
        "#plan-note"
    )
    assert page.inner_text("#total") == "27"


def test_a_district_token_picks_its_compound_and_the_page_remembers_it(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    set_up_second_site(client, name="Another compound")

    page = _signed_in(browser, running.url, coordinator)  # a site's own token: no choice to make
    assert page.locator("#site-choice").is_hidden() and page.locator("#overview").is_hidden()
    page.click("#sign-out")

    _sign_in(page, running.url, ADMIN["Authorization"].removeprefix("Bearer "))
    assert page.locator("#site-choice").is_visible()
    options = page.eval_on_selector_all("#site-pick option", "items => items.map(i => i.value)")
    assert options == ["gelin-b", "gelin-spring"]  # by name: "Another compound" first
    first_name = page.inner_text("#site-name")
    assert first_name == "Another compound"
    page.select_option("#site-pick", "gelin-spring")
    page.wait_for_function(f"document.querySelector('#site-name').textContent !== {json.dumps(first_name)}")
    chosen = page.inner_text("#site-name")
    page.reload()
    page.wait_for_selector(".cell input")
    assert page.inner_text("#site-name") == chosen
    assert page.input_value("#site-pick") == "gelin-spring"


def test_a_new_district_office_adds_its_first_compound_from_an_openstreetmap_export(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = server
    made = client.post("/districts/minhang-3/tokens", json={"label": "Minhang office"}, headers=ADMIN)
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{running.url}/?lang=en")
    page.fill("#token", made.json()["token"])
    page.press("#token", "Enter")
    page.wait_for_selector("#no-compounds:not([hidden])")  # signed in with nothing to open yet
    assert (
        page.locator("#workspace").is_hidden() and page.locator("#add-compound").get_attribute("open") == ""
    )
    page.set_input_files("#osm-file", str(FIXTURES / "osm" / "test-garden.osm"))
    page.fill("#osm-id", "test-garden")
    page.click("#osm-read")
    page.wait_for_selector("#osm-error:text('gate')")  # two gates on the outline: which one?
    assert "n1 南门; n3 北门" in page.inner_text("#osm-error")
    page.fill("#osm-gate", "n1")
    page.fill("#osm-id", "gelin-spring")  # another district's compound: its id is not to be taken
    page.click("#osm-read")
    page.wait_for_selector("#osm-error:text('not found')")  # not its own: never replaced
    assert client.get("/sites/gelin-spring", headers=ADMIN).json()["site"]["id"] == "gelin-spring"
    page.fill("#osm-id", "test-garden")
    page.click("#osm-read")
    page.wait_for_selector("#osm-add:not([hidden])")
    assert page.inner_text("#osm-summary") == "试验花园: 5 buildings, 3 lanes, gate n1"
    notes = page.locator("#osm-notes li").all_inner_texts()
    assert notes[0].endswith(": 2, 3, 4, w306") and notes[1].endswith(": 4") and notes[2].endswith(": w306")
    assert client.get("/sites/test-garden", headers=ADMIN).status_code == 404  # only read so far
    page.click("#osm-add")
    page.wait_for_selector(".cell input")
    assert page.inner_text("#site-name") == "试验花园"
    assert page.eval_on_selector_all(".cell input", "items => items.map(i => i.id)") == [
        "b-1",
        "b-2",
        "b-3",
        "b-4",
        "b-w306",
    ]
    assert client.get("/sites/test-garden", headers=ADMIN).json()["site"]["name"] == "试验花园"
    assert client.get("/sites?archived=true", headers=ADMIN).json()[-1]["district"] == "minhang-3"


def test_a_district_viewer_sees_the_day_and_the_cards_and_nothing_to_press(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = server
    date = "2022-04-25"
    set_up_second_site(client, name="Another compound")
    for site_id in ("gelin-spring", "gelin-b"):
        client.put(f"/sites/{site_id}/district", json={"district": "xuhui-1"}, headers=ADMIN)
    plan_id = _planned(client, date, "building,parcels\n1,12\n2,8\n")
    made = client.post("/districts/xuhui-1/tokens", json={"role": "viewer"}, headers=ADMIN).json()

    page = _signed_in(browser, running.url, made["token"])
    page.select_option("#site-pick", "gelin-spring")
    _open_date(page, date)
    page.wait_for_selector("#result:not([hidden])", timeout=30_000)
    assert page.evaluate("currentPlan.id") == plan_id
    assert "changes nothing" in page.inner_text("#read-only-note")
    assert page.locator("#overview").is_visible() and page.locator("button.print-cards").count() >= 1
    for control in (
        "#plan",
        "#plan-all",
        "#plan-all-held",
        "#paste-box",
        "#held-over",
        "#building-edit",
        "#roster-edit",
        "#replan-row",
        "#team-tokens",
    ):
        assert page.locator(control).is_hidden(), control
    assert page.input_value("#b-1") == "12"
    page.type("#b-1", "5")  # a read-only cell takes nothing
    page.press("#b-1", "Enter")  # and Enter in it asks for no plan
    assert page.input_value("#b-1") == "12"
    page.wait_for_timeout(500)
    day = client.get(f"/sites/gelin-spring/days/{date}", headers=ADMIN).json()
    assert day["job"]["status"] == "done" and day["plan"]["id"] == plan_id and day["counts"]["parcels"] == 20


def test_the_coordinator_hands_out_a_courier_token_and_takes_it_back_from_the_page(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    page = _signed_in(browser, running.url, coordinator)
    page.click("#team-tokens summary")
    page.wait_for_selector("#tokens-table tbody tr")
    assert page.inner_text("#tokens-table tbody").count("the one in use here") == 1  # not to be taken back
    assert page.locator("#tokens-table button.revoke").count() == 0
    page.fill("#token-new-label", "gate sorter")
    page.select_option("#token-new-role", "courier")
    page.click("#token-make")
    page.wait_for_selector("#token-made:not([hidden])")
    secret = page.input_value("#token-secret")
    assert secret.startswith("ob_")
    page.wait_for_function("document.querySelectorAll('#tokens-table tbody tr').length === 2")
    assert "gate sorter\tCourier" in page.inner_text("#tokens-table tbody")

    gate = _signed_in(browser, running.url, secret)  # the sorter signs in with it
    assert gate.locator("#team-tokens").is_hidden() and gate.locator("#roster-edit").is_hidden()
    assert gate.locator("#plan").is_visible()
    listed = client.get("/sites/gelin-spring/tokens", headers=ADMIN).json()
    assert [(t["label"], t["role"], t["revoked"]) for t in listed if t["label"] == "gate sorter"] == [
        ("gate sorter", "courier", False)
    ]

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#tokens-table button.revoke")
    page.wait_for_function("document.querySelector('#tokens-table tr.revoked') !== null")
    assert "taken back" in page.inner_text("#tokens-table tr.revoked")
    assert httpx.get(f"{running.url}/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    gate.reload()  # the sorter's page can no longer sign in with it
    gate.wait_for_function("document.querySelector('#sign-in-error').textContent !== ''")
    assert gate.inner_text("#sign-in-error") == "Unknown token"


def test_the_days_history_says_who_sent_the_counts_and_asked_for_the_plan(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running = server[0]
    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, "2022-04-25")
    page.click("#history summary")
    page.wait_for_function(
        "document.querySelector('#history-list').textContent.includes('created the compound')"
    )
    page.fill("#b-1", "5")
    page.click("#plan")
    page.wait_for_function("document.querySelector('#history-list').textContent.includes('asked for a plan')")
    lines = page.inner_text("#history-list").splitlines()
    assert lines[0].endswith("coordinator test: asked for a plan"), lines  # newest first
    assert lines[1].endswith("coordinator test: sent the day's counts: 5 parcels in 1 rows"), lines
    assert lines[-1].endswith("admin: created the compound"), lines
    with page.expect_download() as saved:  # type: ignore[attr-defined]
        page.click("#history-download")
    sheet = Path(saved.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert sheet[0] == "at,date,who,role,action,what" and sheet[1].endswith(
        ",admin,admin,site_created,created the compound"
    )
    page.wait_for_selector("#result:not([hidden])", timeout=60_000)


def test_urgent_parcels_gone_late_are_said_in_red_at_their_buildings_and_on_the_overview(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    # 3 urgent parcels at each of 60 buildings: more than one trip brings in the first hour
    rows = "".join(f"{n},3,morning,3\n" for n in range(1, 61))
    plan_id = _planned(client, "2022-04-23", "building,parcels,shift,urgent\n" + rows)
    plan = client.get(f"/plans/{plan_id}", headers=ADMIN).json()
    late = plan["summary"]["late_urgent"]
    assert late > 0
    late_at = {
        stop["building"]: stop["late_urgent"]
        for shift in plan["shifts"]
        for crew in shift["crews"]
        for trip in crew["trips"]
        for stop in trip["stops"]
        if stop.get("late_urgent")
    }
    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, "2022-04-23")
    page.wait_for_selector("#result:not([hidden]) #late-urgent:not([hidden])")
    assert page.inner_text("#late-urgent").startswith(f"{late} urgent parcels cannot reach their buildings")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('#late-urgent')).color") == "rgb(179, 38, 30)"
    )
    shown = dict(
        page.eval_on_selector_all(
            "#stops li", "items => items.map((li) => [li.dataset.building, li.innerText])"
        )
    )
    for building, count in late_at.items():
        assert f"({count} urgent past their window)" in shown[building]
    on_time = next(b for b in shown if b not in late_at and b in {str(n) for n in range(1, 61)})
    assert "past their window" not in shown[on_time]
    # On a phone in Chinese the shifts' table keeps 上午班 and its headings on one line each, and
    # stays within the screen (its buttons stack); the plan's time is written 24-hour.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="en-US")  # type: ignore[attr-defined]
    _sign_in(phone, running.url, coordinator, "zh")
    _open_date(phone, "2022-04-23")
    phone.wait_for_selector("#result:not([hidden]) #shifts tbody tr")
    heights = phone.eval_on_selector_all(
        "#shifts th, #shifts tbody td:first-child",
        "cells => cells.map((c) => c.getBoundingClientRect().height)",
    )
    line = phone.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#shifts th')).lineHeight) || 24"
    )
    assert max(heights[:5]) < 2 * line, heights  # the headings: one line each
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert re.fullmatch(r"\d\d:\d\d 生成的计划", phone.inner_text("#plan-note")), phone.inner_text(
        "#plan-note"
    )
    # The district's overview tags the compound whose medicine goes late, and sums it ...
    set_up_second_site(client)  # an office seeing several compounds
    # ... among those needing attention, although its plan is up to date and leaves nothing
    overview = client.get("/days/2022-04-23?needs_attention=true", headers=ADMIN).json()
    [mine] = [day for day in overview["sites"] if day["site"] == "gelin-spring"]
    assert (mine["status"], mine["plan"]["late_urgent"]) == ("ok", late)
    office = _admin_at_the_overview(browser, running.url, "2022-04-23")
    tag = office.locator("#overview-table tr[data-site='gelin-spring'] .tag.late")
    tag.wait_for()
    assert tag.inner_text() == f"{late} urgent late"
    assert f"{late} urgent late" in office.inner_text("#overview-totals")


def test_the_last_two_weeks_show_the_backlog_and_a_date_opens_its_day(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    # one building's 6,000 parcels are more than the day's crews carry: some are left for the next
    plan_id = _planned(client, "2022-04-24", "building,parcels\n120,6000\n")
    left = client.get(f"/plans/{plan_id}", headers=ADMIN).json()["summary"]["undelivered"]
    assert left > 0
    days = "/sites/gelin-spring/days/2022-04-25/counts"
    client.put(days, content="building,parcels\n1,5\n", headers={**ADMIN, "Content-Type": "text/csv"})
    assert client.post(f"{days}/held-over", headers=ADMIN).status_code == 200
    first = client.get(f"/plans/{plan_id}", headers=ADMIN).json()["shifts"][0]["crews"][0]["id"]
    # nobody came down for 2 of them: they go again, and 04-25's counts lack them
    back = {"returned": [{"building": "120", "parcels": 2, "reason": "no_answer"}]}
    assert (
        client.put(f"/plans/{plan_id}/crews/{first}/trips/1/report", json=back, headers=ADMIN).status_code
        == 200
    )

    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, "2022-04-25")
    page.click("#day-by-day summary")
    page.wait_for_selector("#days-table tbody tr[data-date='2022-04-24']")
    rows = _cells(page, "#days-table")
    assert [row[:6] for row in rows] == [  # newest first: counted, held over, not added, delivered, left
        ["2022-04-25", str(left + 5), str(left), "2", "", ""],  # the 2 brought back, not added
        ["2022-04-24", "6000", "0", "", str(6000 - left), str(left)],
    ]
    assert [row[6] for row in rows] == ["", "2"]  # brought back by the day's trips
    assert page.locator("#days-table td.waiting").all_inner_texts() == ["2"]  # in red
    assert page.get_attribute("#days-table tbody tr.current", "data-date") == "2022-04-25"
    with page.expect_download() as saved:  # type: ignore[attr-defined]
        page.click("#days-download")
    sheet = Path(saved.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert sheet[0].startswith("date,status,parcels,held_over") and sheet[2].startswith("2022-04-25,")
    page.click("#days-table button:text('2022-04-24')")  # the day before opens, with its plan
    page.wait_for_function("document.querySelector('#date').value === '2022-04-24'")
    page.wait_for_selector("#result:not([hidden]) #undelivered li")
    assert page.input_value("#b-120") == "6000"
    page.wait_for_selector("#days-table tbody tr.current[data-date='2022-04-24']")
    # A day with nothing yet but what earlier days left waiting for it has its line, on top, in red.
    _open_date(page, "2022-04-26")
    page.wait_for_selector("#days-table tbody tr.current[data-date='2022-04-26']")
    waiting = client.get("/sites/gelin-spring/days/2022-04-26", headers=ADMIN).json()["left_before"][
        "parcels"
    ]
    top = _cells(page, "#days-table")[0]
    assert top[:4] == ["2022-04-26", "", "", str(waiting)] and top[8] == "no counts"
    assert page.locator("#days-table tr[data-date='2022-04-26'] td.waiting").inner_text() == str(waiting)

    # The district's fortnight: the compounds' days summed, on the overview of a token seeing several.
    set_up_second_site(client)
    client.put(
        "/sites/gelin-b/days/2022-04-25/counts",
        content="building,parcels\n3,11\n",
        headers={**ADMIN, "Content-Type": "text/csv"},
    )
    office = _admin_at_the_overview(browser, running.url, "2022-04-25")
    office.click("#district-days summary")
    office.wait_for_selector("#district-days-table tbody tr[data-date='2022-04-24']")
    rows = _cells(office, "#district-days-table")
    assert [row[:7] for row in rows] == [
        ["2022-04-25", "2 / 2", str(left + 16), str(left), "2", "0", "0"],
        ["2022-04-24", "1 / 2", "6000", "0", "0", str(6000 - left), str(left)],
    ]
    assert [row[7] for row in rows] == ["0", "2"]
    with office.expect_download() as saved:
        office.click("#district-days-download")
    sheet = Path(saved.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert sheet[0].startswith("date,compounds,with_counts,parcels") and sheet[2].startswith(
        "2022-04-25,2,2,"
    )


def test_planning_right_after_switching_compound_never_writes_one_compounds_counts_into_another(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = server
    set_up_second_site(client, name="Another compound")  # the same buildings, ids and all
    date, csv = "2022-04-27", {**ADMIN, "Content-Type": "text/csv"}
    client.put(f"/sites/gelin-b/days/{date}/counts", content="building,parcels\n5,9\n", headers=csv)
    client.put(f"/sites/gelin-spring/days/{date}/counts", content="building,parcels\n1,4\n", headers=csv)
    page = _signed_in(browser, running.url, ADMIN["Authorization"].removeprefix("Bearer "))
    _open_date(page, date)  # "Another compound" (gelin-b) opens first
    page.wait_for_function("document.querySelector('#total').textContent === '9'")
    _slow(page, "/buildings", "/counts")
    page.select_option("#site-pick", "gelin-spring")
    page.click("#plan")  # at once: the grid on the page is still gelin-b's
    page.wait_for_selector("#result:not([hidden])", timeout=90_000)

    def counts(site: str) -> list[tuple[str, int]]:
        rows = client.get(f"/sites/{site}/days/{date}/counts", headers=ADMIN).json()["rows"]
        return [(r["building"], r["parcels"]) for r in rows]

    assert counts("gelin-spring") == [("1", 4)] and counts("gelin-b") == [("5", 9)]
    assert page.inner_text("#total") == "4"

    # The building details form, saved while another compound opens, writes to neither.
    page.click("#building-edit summary")
    page.select_option("#edit-building", "1")
    page.fill("#edit-contact", "301 Wang")
    _slow(page, "/buildings", "/counts")
    page.select_option("#site-pick", "gelin-b")
    page.click("#edit-save")  # the form still shows gelin-spring's building 1
    page.wait_for_function("window.slowCame && document.querySelector('#total').textContent === '9'")
    for site in ("gelin-spring", "gelin-b"):
        listed = client.get(f"/sites/{site}/buildings", headers=ADMIN).json()
        assert next(b for b in listed if b["id"] == "1")["contact"] != "301 Wang", site


def _two_compounds(client: httpx.Client, gelin_b_counts: str) -> str:
    """gelin-spring (4 parcels) and a second compound, gelin-b, with these counts, on one day; the day."""
    set_up_second_site(client, name="Another compound")
    date, csv = "2022-04-26", {**ADMIN, "Content-Type": "text/csv"}
    for site, counts in (("gelin-b", gelin_b_counts), ("gelin-spring", "building,parcels\n1,4\n")):
        assert client.put(f"/sites/{site}/days/{date}/counts", content=counts, headers=csv).status_code == 200
    return date


ROWS = "document.querySelectorAll('#overview-table tbody tr').length === {}"


def _admin_at_the_overview(browser: object, url: str, date: str) -> Any:
    """The admin's page on `_two_compounds`' day, both compounds in the overview's table."""
    page = _signed_in(browser, url, ADMIN["Authorization"].removeprefix("Bearer "))
    _open_date(page, date)
    page.wait_for_function(ROWS.format(2))
    return page


def test_a_compound_whose_lockdown_lifted_is_archived_and_brought_back_from_the_page(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = server
    date = _two_compounds(client, "building,parcels\n5,9\n")
    page = _admin_at_the_overview(browser, running.url, date)
    page.select_option("#site-pick", "gelin-b")
    page.wait_for_function("site.id === 'gelin-b'")
    page.click("#site-archive summary")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#archive")
    page.wait_for_selector("#archive-archived:not([hidden])")
    page.wait_for_function(ROWS.format(1))  # out of the day's overview
    assert page.inner_text("#site-pick option[value='gelin-b']") == "Another compound (gelin-b) · archived"
    assert client.get(f"/days/{date}", headers=ADMIN).json()["totals"]["sites"] == 1
    page.reload()  # listed last, marked, and its counts still there
    page.wait_for_selector(".cell input")
    options = page.eval_on_selector_all("#site-pick option", "items => items.map(i => i.value)")
    assert options == ["gelin-spring", "gelin-b"]
    _open_date(page, date)
    page.wait_for_function("document.querySelector('#total').textContent === '9'")
    page.click("#site-archive summary")
    page.click("#unarchive")
    page.wait_for_selector("#archive-active:not([hidden])")
    page.wait_for_function(ROWS.format(2))
    assert [s["archived"] for s in client.get("/sites", headers=ADMIN).json()] == [False, False]


def test_a_district_office_plans_every_compound_that_needs_it_with_one_press(
    one_plan_at_a_time: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = one_plan_at_a_time  # the second compound waits for the first's plan
    date = _two_compounds(client, "building,parcels\n5,9\n")
    usual = client.get("/sites/gelin-b/operations", headers=ADMIN).json()
    assert client.put(f"/sites/gelin-b/days/{date}/operations", json=usual, headers=ADMIN).status_code == 200
    sealed = client.patch("/sites/gelin-spring/buildings/100", json={"sealed": True}, headers=ADMIN)
    assert sealed.status_code == 200  # no parcels for it today: the plans are as they were
    page = _admin_at_the_overview(browser, running.url, date)
    tag = "#overview-table tr[data-site='{}'] .tag.{}"
    assert page.inner_text(tag.format("gelin-b", "own")) == "this day's own"  # its own crews today
    assert page.locator(tag.format("gelin-spring", "own")).count() == 0
    assert page.inner_text(tag.format("gelin-spring", "sealed")) == "1 sealed"  # as the map is now
    assert page.locator(tag.format("gelin-b", "sealed")).count() == 0
    assert page.locator("#overview-table .tag.closed").count() == 0
    page.click("#plan-all")
    page.wait_for_function(
        "document.querySelector('#plan-all-status').textContent.startsWith('Plans asked for: 1 · 1 more wait')"
    )
    # the server starts the second once the first is done; the overview follows both, and both
    # leave the "needs attention" list once planned
    page.wait_for_function(
        "document.querySelectorAll('#overview-table tbody tr').length === 0", timeout=90_000
    )
    assert "2 compounds · 13 parcels · 13 delivered · 0 undelivered" in page.inner_text("#overview-totals")
    assert page.inner_text("#overview-error") == ""
    days = client.get(f"/days/{date}", headers=ADMIN).json()
    assert {d["site"]: d["status"] for d in days["sites"]} == {"gelin-b": "ok", "gelin-spring": "ok"}
    page.click("#plan-all")  # again: nothing needs a plan
    page.wait_for_function(
        "document.querySelector('#plan-all-status').textContent === 'No compound needs a plan'"
    )


def test_a_district_office_takes_back_the_plans_still_waiting(
    one_plan_at_a_time: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = one_plan_at_a_time
    date = _two_compounds(client, "building,parcels\n5,9\n")
    page = _admin_at_the_overview(browser, running.url, date)
    page.click("#plan-all")
    page.wait_for_selector("#plan-all-cancel:not([hidden])")
    page.click("#plan-all-cancel")
    page.wait_for_function(
        "document.querySelector('#plan-all-status').textContent === '1 waiting taken back'"
    )
    assert page.locator("#plan-all-cancel").is_hidden()
    # the one started is planned; the other is back to "not planned", nothing waiting for it
    page.wait_for_function(
        "document.querySelectorAll('#overview-table tbody tr').length === 1", timeout=90_000
    )
    days = {d["site"]: d["status"] for d in client.get(f"/days/{date}", headers=ADMIN).json()["sites"]}
    assert days == {"gelin-b": "ok", "gelin-spring": "not_planned"}


def test_a_coordinators_plan_waits_in_a_full_queue_and_is_taken_back_from_the_page(
    one_plan_at_a_time: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = one_plan_at_a_time
    date = _two_compounds(client, _day_csv())
    # Another compound's plan fills the queue (room for one) for the next 20 s.
    other = client.post(f"/sites/gelin-b/days/{date}/plans", json={"time_limit_s": 20}, headers=ADMIN).json()
    assert other["status"] == "queued"
    page = _signed_in(browser, running.url, token(client, "gelin-spring", "coordinator")[1])  # type: ignore[arg-type]
    _open_date(page, date)
    page.wait_for_function("document.querySelector('.cell[data-building=\"1\"] input').value === '4'")
    page.click("#plan")
    page.wait_for_selector("#plan-cancel:not([hidden])")
    assert (
        page.inner_text("#progress") == "Waiting in the queue, 1 ahead: starts by itself once they are done"
    )
    assert page.is_disabled("#plan")
    page.click("#plan-cancel")
    page.wait_for_function(
        "document.querySelector('#progress').textContent === 'Taken back; the day is as it was'"
    )
    assert page.locator("#plan-cancel").is_hidden() and not page.is_disabled("#plan")
    assert page.inner_text("#form-error") == ""
    day = client.get(f"/sites/gelin-spring/days/{date}", headers=ADMIN).json()
    assert (day["status"], day["job"]) == ("not_planned", None)
    # untouched: still on its way (its solver process may not have started yet on a busy machine)
    assert client.get(f"/jobs/{other['id']}", headers=ADMIN).json()["status"] in ("queued", "running")


def test_a_district_token_sees_every_compounds_day_and_opens_one_from_it(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = server
    set_up_second_site(client, name="Another compound")
    other = json.loads((GELIN / "site.geojson").read_text())
    other["site"].update(id="elsewhere", name="Another district's compound")
    assert client.put("/sites/elsewhere", json=other, headers=ADMIN).status_code == 201
    for site_id, district in (("gelin-spring", "xuhui-1"), ("gelin-b", "xuhui-1"), ("elsewhere", "xuhui-2")):
        assert (
            client.put(f"/sites/{site_id}/district", json={"district": district}, headers=ADMIN).status_code
            == 200
        )
    office = client.post("/districts/xuhui-1/tokens", json={"label": "office"}, headers=ADMIN).json()["token"]
    date = "2022-04-25"
    _planned(client, date, "building,parcels\n12,9\n")

    page = _signed_in(browser, running.url, office)  # the district's two compounds, not the third
    _open_date(page, date)

    def rows() -> list[list[str]]:
        return _cells(page, "#overview-table")

    page.wait_for_function("document.querySelectorAll('#overview-table tbody tr').length === 1")
    picker = page.eval_on_selector_all("#site-pick option", "options => options.map(o => o.value)")
    assert sorted(picker) == ["gelin-b", "gelin-spring"]
    assert rows() == [["Another compound", "no counts", "—", "—", "—"]]  # needs attention; gelin-spring is ok
    assert "2 compounds · 9 parcels · 9 delivered · 0 undelivered" in page.inner_text("#overview-totals")
    page.uncheck("#attention-only")
    page.wait_for_function("document.querySelectorAll('#overview-table tbody tr').length === 2")
    [_, gelin] = rows()
    assert gelin[1:] == ["ok", "9", "9", "0"]
    with page.expect_download() as download:  # the same for the district's report
        page.click("#download-overview")
    assert download.value.suggested_filename == f"onebell-{date}.csv"
    sheet = Path(download.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert [line.split(",")[:7] for line in sheet] == [
        ["site", "name", "status", "parcels", "held_over", "delivered", "undelivered"],
        ["gelin-b", "Another compound", "no counts", "", "", "", ""],
        ["gelin-spring", "格林春岸 Gelin Spring", "ok", "9", "0", "9", "0"],
    ]
    page.click('#overview-table tr[data-site="gelin-spring"]')
    page.wait_for_selector("#result:not([hidden])", timeout=30_000)
    assert page.input_value("#site-pick") == "gelin-spring" and page.input_value("#b-12") == "9"
    assert page.locator('#overview-table tr.current[data-site="gelin-spring"]').count() == 1


def test_the_coordinator_seals_a_building_and_the_plan_shown_turns_outdated(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    date = "2022-04-25"
    _planned(client, date, "building,parcels\n12,9\n")

    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, date)
    page.wait_for_selector("#result:not([hidden])", timeout=30_000)
    page.fill("#b-3", "5")  # typed, not yet saved: it must stay
    page.click("#building-edit summary")
    page.select_option("#edit-building", "12")
    page.fill("#edit-contact", "301 Wang")
    page.check("#edit-sealed")
    page.click("#edit-save")
    page.wait_for_selector("#plan-note.outdated", timeout=30_000)
    assert page.inner_text("#edit-status") == "Saved"
    assert page.inner_text('.cell[data-building="12"] .tag.sealed') == "sealed"
    assert page.input_value("#b-3") == "5" and page.input_value("#b-12") == "9"
    [b12] = [b for b in client.get("/sites/gelin-spring/buildings", headers=ADMIN).json() if b["id"] == "12"]
    assert (b12["sealed"], b12["contact"], b12["doorbell"]) == (True, "301 Wang", "working")

    # another building's details show as the map has them; a courier sees the tags, not the editor
    page.select_option("#edit-building", "13")
    assert page.input_value("#edit-contact") != "301 Wang" and not page.is_checked("#edit-sealed")

    # Sealed meanwhile by someone else (the district office): a new contact saved from this page,
    # which still shows building 13 unsealed, leaves the seal alone.
    sealed = client.patch("/sites/gelin-spring/buildings/13", json={"sealed": True}, headers=ADMIN)
    assert sealed.status_code == 200
    page.fill("#edit-contact", "502 Li")
    page.fill("#edit-households", "31")  # a map read from OpenStreetMap often has none
    page.click("#edit-save")
    page.wait_for_function("document.querySelector('#edit-status').textContent === 'Saved'")
    [b13] = [b for b in client.get("/sites/gelin-spring/buildings", headers=ADMIN).json() if b["id"] == "13"]
    assert (b13["sealed"], b13["contact"], b13["households"]) == (True, "502 Li", 31)
    assert page.is_checked("#edit-sealed")  # the form shows the building as stored now
    _, courier = token(client, "gelin-spring", "courier")  # type: ignore[arg-type]
    asked: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("#sign-out")  # building 3's 5 is typed and not saved: asked first, and stays
    assert asked == [
        "The counts here are not saved yet (Plan routes saves them) and would be lost. Leave anyway?"
    ]
    assert page.is_visible("#workspace") and page.input_value("#b-3") == "5"
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("#sign-out")
    _sign_in(page, running.url, courier)
    assert page.inner_text('.cell[data-building="12"] .tag.sealed') == "sealed"
    assert page.locator("#building-edit").is_hidden()  # a courier token may not change them


def test_the_coordinator_seals_a_small_zone_and_closes_a_lane(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    world = GELIN.parent / "world-garden"
    drawn = json.loads((world / "site.geojson").read_text())
    for feature in drawn["features"]:  # two pieces of one street, as a map from OpenStreetMap has
        if feature["properties"]["id"] in ("A-7", "A-8"):
            feature["properties"]["name"] = "Back lane"
    assert client.put("/sites/world-garden", json=drawn, headers=ADMIN).status_code == 201
    assert (
        client.put(
            "/sites/world-garden/operations", json=json.loads((world / "ops.json").read_text()), headers=ADMIN
        ).status_code
        == 200
    )
    zones = {z["id"]: z for z in client.get("/sites/world-garden/zones", headers=ADMIN).json()}
    court, in_b = zones["D-court"]["buildings"], zones["B"]["buildings"]

    gelin = _signed_in(browser, running.url, coordinator)
    gelin.click("#building-edit summary")
    assert gelin.locator("#zone-edit").is_hidden()  # a compound drawn without zones

    page = _signed_in(browser, running.url, token(client, "world-garden", "coordinator")[1])  # type: ignore[arg-type]
    page.click("#building-edit summary")
    page.wait_for_selector("#zone-edit:not([hidden])")
    assert page.is_checked('#zone-switches input[data-id="D-court"]') and not page.is_checked(
        '#zone-switches input[data-id="B"]'
    )
    assert page.locator(f'.cell[data-building="{court[0]}"] .tag.sealed').count() == 1  # sealed by its zone
    assert page.locator(f'.cell[data-building="{in_b[0]}"] .tag.sealed').count() == 0
    page.check('#zone-switches input[data-id="B"]')
    page.click("#zone-save")
    page.wait_for_function("document.querySelector('#zone-status').textContent === 'Saved'")
    assert page.inner_text("#zone-error") == ""
    assert all(page.locator(f'.cell[data-building="{b}"] .tag.sealed').count() == 1 for b in in_b)
    assert {z["id"]: z["sealed"] for z in client.get("/sites/world-garden/zones", headers=ADMIN).json()} == {
        "A": False, "B": True, "D": False, "D-court": True
    }  # fmt: skip

    # A barricade: the coordinator closes a lane, and the page says what it cuts off.
    lanes = {lane["id"]: lane for lane in client.get("/sites/world-garden/lanes", headers=ADMIN).json()}
    lane = lanes["A-1"]
    assert page.locator('#lane-switches label:has(input[data-id="A-7"])').inner_text().strip() == (
        "Back lane [A-7]"  # a name two lanes share is told apart by the id; it cuts off nothing
    )
    box = f'#lane-switches input[data-id="{lane["id"]}"]'
    label = f'#lane-switches label:has(input[data-id="{lane["id"]}"])'
    assert not page.is_checked(box)
    assert "closing it cuts off" in page.locator(label).inner_text()
    page.check(box)
    page.click("#lane-save")
    page.wait_for_function("document.querySelector('#lane-status').textContent === 'Saved'")
    assert page.inner_text("#lane-error") == ""
    assert page.is_checked(box)
    assert f"{lane['name']} (cuts off" in page.locator(label).inner_text()
    closed = [
        lane["id"] for lane in client.get("/sites/world-garden/lanes", headers=ADMIN).json() if lane["closed"]
    ]
    assert closed == [lane["id"]]

    # A day planned with it closed: what it held up is listed, and the lanes are one press away.
    date, cut_off = "2022-04-25", lane["cut_off"]
    counts = f"building,parcels\n{cut_off[0]},6\n{lanes['B-1']['cut_off'][0]},4\n"
    days = f"/sites/world-garden/days/{date}"
    client.put(f"{days}/counts", content=counts, headers={**ADMIN, "Content-Type": "text/csv"})
    job = client.post(f"{days}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
    assert wait_for_job(client, job["id"], ADMIN)["status"] == "done"  # type: ignore[arg-type]
    page.click("#building-edit summary")  # folded again
    _open_date(page, date)
    page.wait_for_selector("#result:not([hidden])", timeout=30_000)
    assert "runs along a lane closed today (A-1)" in page.inner_text("#undelivered")
    assert page.locator("#more-crews").is_hidden()  # more crews would not help
    page.click("#closed-lanes")
    assert page.evaluate("document.querySelector('#building-edit').open")
    assert page.evaluate("document.activeElement.dataset.id") == "A-1"


def test_a_later_wave_is_planned_from_the_page_keeping_the_trips_on_the_road(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    date = "2022-04-25"
    morning = "building,parcels,shift\n" + "".join(f"{b},10,morning\n" for b in range(1, 21))
    first_id = _planned(client, date, morning)
    first = client.get(f"/plans/{first_id}", headers=ADMIN).json()
    departures = sorted(t["depart"] for s in first["shifts"] for c in s["crews"] for t in c["trips"])
    now = format_clock((parse_clock(departures[0]) or 0) + 60)[:5]  # the first trip is on the road
    client.post(
        f"/sites/gelin-spring/days/{date}/counts",
        content="building,parcels,shift\n40,12,morning\n",
        headers={**ADMIN, "Content-Type": "text/csv"},
    )

    page = _signed_in(browser, running.url, coordinator)
    assert page.locator("#replan-row").is_hidden()  # no day open, nothing to keep
    _open_date(page, date)
    page.wait_for_selector("#plan-note.outdated", timeout=30_000)
    assert page.locator("#replan-row").is_visible()
    page.check("#keep-departed")
    assert page.input_value("#replan-now")  # filled with the time now, to correct
    page.fill("#replan-now", now)
    page.click("#plan")
    page.wait_for_function("currentPlan && currentPlan.replanned_at", timeout=60_000)
    assert f"re-planned at {now}: 1 trip(s) on the road kept" in page.inner_text("#plan-note")
    assert not page.is_checked("#keep-departed")  # the next plan starts afresh unless asked again

    replanned = client.get(f"/sites/gelin-spring/days/{date}/plans/latest", headers=ADMIN).json()
    assert replanned["replanned_from"] == first_id and replanned["summary"]["delivered"] == 212
    kept = [t for s in replanned["shifts"] for c in s["crews"] for t in c["trips"] if t.get("kept")]
    assert [t["depart"] for t in kept] == departures[:1]


def _office_left_tag(browser: object, url: str, client: httpx.Client, date: str) -> tuple[Any, str]:
    """The district office's page on `date` (the table needs a second compound, added here), and
    what its table tags gelin-spring with for an earlier day's leftovers."""
    set_up_second_site(client)
    office = _signed_in(browser, url, ADMIN["Authorization"].removeprefix("Bearer "))
    _open_date(office, date)
    tag = '#overview-table tr[data-site="gelin-spring"] .tag.left'
    office.wait_for_selector(tag)
    return office, str(office.inner_text(tag))


def test_leftovers_a_day_was_planned_without_are_said_with_the_day_they_were_left(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    """A day planned without the day before's leftovers hands them on: the next day's note counts
    them in and says since when, and the district office's tag says since when too."""
    running, client = server
    ops = json.loads((GELIN / "ops-3x3.json").read_text())
    assert client.put("/sites/gelin-spring/operations", json=ops, headers=ADMIN).status_code == 200
    first_id = _planned(client, "2022-04-23", (GELIN / "days" / "2022-04-28-2300.csv").read_text())
    first = client.get(f"/plans/{first_id}", headers=ADMIN).json()
    second_id = _planned(client, "2022-04-24", "building,parcels\n1,5\n")  # without them
    second = client.get(f"/plans/{second_id}", headers=ADMIN).json()
    left = first["summary"]["undelivered"]
    assert left > 0 and second["summary"]["undelivered"] == 0

    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, "2022-04-25")
    page.wait_for_selector("#held-waiting:not([hidden])")
    urgent = sum(item.get("urgent", 0) for item in first["undelivered"])
    assert page.inner_text("#held-waiting-text") == (
        f"{left} parcels have been at the gate since 2022-04-23"
        + (f" ({urgent} of them urgent)" if urgent else "")
        + ": 2022-04-24 was planned without them, and they are not in this day's counts yet."
    )
    # 2022-04-24 planned again, busy (still without them): it leaves parcels of its own too.
    second_id = _planned(client, "2022-04-24", (GELIN / "days" / "2022-04-28-2300.csv").read_text())
    second = client.get(f"/plans/{second_id}", headers=ADMIN).json()
    waiting = left + second["summary"]["undelivered"]
    assert waiting > left
    _open_date(page, "2022-04-24")
    _open_date(page, "2022-04-25")
    page.wait_for_function(
        "document.querySelector('#held-waiting-text').textContent.startsWith(\"2022-04-24's plan\")"
    )
    urgent = sum(item.get("urgent", 0) for item in first["undelivered"] + second["undelivered"])
    assert page.inner_text("#held-waiting-text") == (
        f"2022-04-24's plan left {waiting} parcels at the gate"
        + (f" ({urgent} of them urgent)" if urgent else "")
        + " that are not in this day's counts yet."
        + f" {left} of them have been at the gate since 2022-04-23: a later day was planned without them."
    )
    office, tag = _office_left_tag(browser, running.url, client, "2022-04-25")
    assert tag == f"{waiting} left since 04-23 not added"
    # The office's one press adds them before planning the day (the box is ticked unless unticked).
    client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content="building,parcels\n1,5\n",
        headers={**ADMIN, "Content-Type": "text/csv"},
    )
    assert office.is_checked("#plan-all-held")
    office.click("#plan-all")
    office.wait_for_function(
        "document.querySelector('#plan-all-status').textContent.includes('held-over parcels added at 1 compound(s)')"
    )
    assert f"({waiting} held over in their days)" in office.inner_text("#plan-all-status")
    counts = client.get("/sites/gelin-spring/days/2022-04-25/counts", headers=ADMIN).json()
    assert counts["totals"]["held_over"] == waiting
    office.close()


def test_the_parcels_the_day_before_left_are_added_from_the_page_and_kept_when_planning(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    # The day before: 2,300 parcels and one tricycle a shift, so parcels are left at the gate.
    ops = json.loads((GELIN / "ops-3x3.json").read_text())
    assert client.put("/sites/gelin-spring/operations", json=ops, headers=ADMIN).status_code == 200
    plan_id = _planned(client, "2022-04-24", (GELIN / "days" / "2022-04-28-2300.csv").read_text())
    before = client.get(f"/plans/{plan_id}", headers=ADMIN).json()
    left = before["summary"]["undelivered"]
    assert left > 0
    # a building the day before left parcels at (which ones depends on the search)
    mine = str(before["undelivered"][-1]["building"])

    # On the page in Chinese, the day before says in Chinese why its parcels were left.
    chinese = browser.new_page()  # type: ignore[attr-defined]
    _sign_in(chinese, running.url, coordinator, "zh")
    _open_date(chinese, "2022-04-24")
    chinese.wait_for_selector("#result:not([hidden]) #undelivered li")
    # one line per shift and reason, its buildings and what each left under it
    groups = before["undelivered_groups"]
    assert sum(g["parcels"] for g in groups) == left and len(groups) < len(before["undelivered"])
    lines = chinese.locator("#undelivered li")
    shown = lines.evaluate_all("items => items.map((li) => li.firstChild.textContent)")
    assert shown == [group["reason_zh"] for group in groups]
    assert "在各组的时间里送不完" in shown[0]
    left_at = {(i["shift"], i["cause"], i["building"]): i["parcels"] for i in before["undelivered"]}
    for number, group in enumerate(groups):
        if len(group["buildings"]) == 1:
            assert lines.nth(number).locator(".left-buildings").count() == 0
            continue
        each = lines.nth(number).locator(".left-buildings").inner_text().split(" · ")
        assert [int(text.rsplit("×", 1)[1]) for text in each] == [
            left_at[group["shift"], group["cause"], b] for b in group["buildings"]
        ]
        assert [text.rsplit(" ×", 1)[0] for text in each] == [f"{b}号楼" for b in group["buildings"]]
    # The roster's English shifts and crews as the Chinese cards call them; the ids stay the keys.
    assert [row[0] for row in _cells(chinese, "#shifts")] == ["上午班", "下午班", "晚上班"]
    # each building once, in the order their numbers go, with when its parcels come and what cannot
    first = before["shifts"][0]["crews"][0]["trips"][0]["stops"][0]
    listed = chinese.eval_on_selector_all(
        "#stops li", "items => items.map((li) => [li.dataset.building, li.innerText])"
    )
    ids = [building for building, _ in listed]
    assert ids == sorted(ids, key=int) and len(ids) == len(set(ids))
    shown = dict(listed)
    assert f"{first['arrive'][:5]} 上午1组 ×{first['parcels']}" in shown[first["building"]]
    not_today: dict[str, int] = {}
    for item in before["undelivered"]:
        not_today[item["building"]] = not_today.get(item["building"], 0) + item["parcels"]
    for building, parcels in not_today.items():
        assert shown[building].endswith(f"还有 {parcels} 件今天送不了")
    assert "morning" not in chinese.inner_text("#result")
    assert chinese.evaluate("L.back_other.replace('{crew}', crewName('morning-2'))").startswith(
        "另一份路线里上午2组的第 {n} 趟"
    )
    # Left for want of crews: one press opens the crews, at the riders of a shift that was short.
    chinese.click("#more-crews")
    short = next(i["shift"] for i in before["undelivered"] if i["cause"] in ("shift_capacity", "no_crew"))
    assert chinese.locator("#roster-edit").get_attribute("open") is not None
    focused = chinese.evaluate(
        "[document.activeElement.className, document.activeElement.closest('tr').dataset.shift]"
    )
    assert focused == ["riders", short]
    labels = {"morning": "上午班 (morning)", "afternoon": "下午班 (afternoon)", "evening": "晚上班 (evening)"}
    assert chinese.locator(f"#roster-shifts tr[data-shift='{short}'] th").inner_text() == labels[short]
    chinese.close()

    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, "2022-04-25")
    page.wait_for_selector("#held-over:not([disabled])")
    # Opening the day says at the top what the day before left at the gate, before anything is
    # added, with the button that adds it.
    page.wait_for_selector("#held-waiting:not([hidden])")
    urgent = sum(item.get("urgent", 0) for item in before["undelivered"])
    assert page.inner_text("#held-waiting-text") == (
        f"2022-04-24's plan left {left} parcels at the gate"
        + (f" ({urgent} of them urgent)" if urgent else "")
        + " that are not in this day's counts yet."
    )
    # ... and the district office sees them waiting in its table (its overview needs a second compound)
    office, tag = _office_left_tag(browser, running.url, client, "2022-04-25")
    assert tag == f"{left} left from 04-24 not added"
    office.close()
    page.fill(f"#b-{mine}", "7")  # typed, not yet saved: adding the held-over parcels must not lose it
    page.click("#held-waiting-add")
    page.wait_for_function(f"document.querySelector('#held-over-status').textContent.includes('{left}')")
    assert page.is_hidden("#held-waiting")  # the day holds them now
    rows = client.get("/sites/gelin-spring/days/2022-04-25/counts", headers=ADMIN).json()
    assert rows["totals"]["held_over"] == left and rows["totals"]["parcels"] == 7 + left
    assert page.inner_text("#held-total") == f"(of which {left} held over from earlier days)"
    # a building's box holds its own parcels, the held-over ones are shown under it
    held: dict[str, int] = {}
    for r in rows["rows"]:
        if r["held_from"]:
            held[r["building"]] = held.get(r["building"], 0) + r["parcels"]
    assert page.input_value(f"#b-{mine}") == "7"
    assert page.inner_text(f'.cell[data-building="{mine}"] .held') == f"+{held[mine]} held over"
    assert page.inner_text("#total") == str(7 + left)

    # Correcting a count, typed or pasted, leaves the building's held-over parcels held over.
    page.fill(f"#b-{mine}", "9")
    other = next(b for b in sorted(held, key=int) if b != mine)
    page.click("#paste-box summary")
    page.fill("#paste", f"{other},4")
    page.click("#apply-paste")
    page.wait_for_function(f"document.querySelector('#b-{other}').value === '4'")
    assert page.inner_text(f'.cell[data-building="{other}"] .held') == f"+{held[other]} held over"
    assert page.inner_text("#total") == str(9 + 4 + left)
    page.click("#plan")  # planning from the page sends the held-over rows back as they were
    page.wait_for_selector("#result:not([hidden])", timeout=90_000)
    again = client.get("/sites/gelin-spring/days/2022-04-25/counts", headers=ADMIN).json()

    def key(row: dict[str, Any]) -> tuple[str, str, int]:
        return (row["building"], row["held_from"] or "", row["parcels"])

    expected = [r for r in rows["rows"] if r["held_from"]]
    expected += [{**r, "parcels": 9} for r in rows["rows"] if not r["held_from"]]  # `mine`'s 7
    expected += [{**expected[-1], "building": other, "parcels": 4}]
    assert sorted(again["rows"], key=key) == sorted(expected, key=key)  # in grid order
    assert again["totals"]["held_over"] == left

    # Held-over parcels fetched at the gate come off the day; the day's own counts stay, and the
    # day is no longer said to lack them.
    assert page.is_visible("#held-clear")
    page.click("#held-clear")
    page.wait_for_function(
        f"document.querySelector('#held-over-status').textContent === '{left} held-over parcels removed'"
    )
    cleared = client.get("/sites/gelin-spring/days/2022-04-25/counts", headers=ADMIN).json()
    assert cleared["totals"]["held_over"] == 0 and cleared["totals"]["parcels"] == 9 + 4
    assert page.inner_text("#total") == "13" and page.inner_text("#held-total") == ""
    assert page.is_hidden("#held-clear") and page.inner_text(f'.cell[data-building="{mine}"] .held') == ""
    page.wait_for_selector("#held-waiting.set-aside:not([hidden])")
    assert page.inner_text("#held-waiting-text") == (
        f"The {left} parcels 2022-04-24's plan left were taken off this day (fetched, sent back)."
    )
    assert page.eval_on_selector("#held-waiting-text", "e => getComputedStyle(e).fontWeight") == "400"
    page.click("#held-over")  # and come back as the earlier plan left them
    page.wait_for_function(f"document.querySelector('#held-over-status').textContent.includes('{left}')")
    assert (
        client.get("/sites/gelin-spring/days/2022-04-25/counts", headers=ADMIN).json()["totals"]["held_over"]
        == left
    )
    page.wait_for_selector("#held-waiting", state="hidden")

    # The district office sees the backlog in the totals, and nothing left waiting.
    district = _signed_in(browser, running.url, ADMIN["Authorization"].removeprefix("Bearer "))
    _open_date(district, "2022-04-25")
    district.wait_for_function(
        f"document.querySelector('#overview-totals').textContent.includes('{left} of them held over')"
    )
    assert district.locator("#overview-table .tag.left").count() == 0


def test_the_coordinator_changes_the_days_crews_and_vehicles_and_the_plan_uses_them(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    date = "2022-04-25"
    _planned(client, date, "building,parcels\n12,9\n40,30\n")
    stored = client.get("/sites/gelin-spring/operations", headers=ADMIN).json()

    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, date)
    page.wait_for_selector("#result:not([hidden])", timeout=30_000)
    assert page.locator("#more-crews").is_hidden()  # every parcel goes out: no call for crews
    page.click("#roster-edit summary")
    page.wait_for_selector('#roster-shifts tr[data-shift="morning"]')
    morning = '#roster-shifts tr[data-shift="morning"]'
    assert page.input_value(f"{morning} input.riders") == "4"
    assert page.input_value(f"{morning} input.start") == "08:00"
    page.wait_for_function(f"document.querySelector('{morning} .made').textContent !== ''")
    assert page.inner_text(f"{morning} .made") == "2 × tricycle"  # what four riders make, as typed
    page.fill(f"{morning} input.riders", "5")
    page.wait_for_function(f"document.querySelector('{morning} .made').textContent.includes('without')")
    assert page.inner_text(f"{morning} .made") == "2 × tricycle · 1 without a vehicle"
    # Typed, not saved: a plan or a staffing answer would leave the fifth rider out, so both
    # presses wait for Save, which they point to, and nothing is asked of the server.
    latest = client.get(f"/sites/gelin-spring/days/{date}/plans/latest", headers=ADMIN).json()["id"]
    unsaved = (
        "The changes under Crews and vehicles are not saved yet, and plans use the saved ones: "
        "press Save there first (or put them back)"
    )
    for press, error in (("#plan", "#form-error"), ("#staffing-ask", "#roster-error")):
        page.evaluate("document.getElementById('roster-error').textContent = ''")
        page.click(press)
        page.wait_for_function("document.querySelector('#roster-error').textContent !== ''")
        assert page.inner_text(error) == unsaved and page.inner_text("#roster-error") == unsaved
        assert page.evaluate("document.activeElement.id") == "roster-save"  # type: ignore[attr-defined]
    assert page.locator("#staffing-table").is_hidden() and page.inner_text("#staffing-status") == ""
    assert client.get(f"/sites/gelin-spring/days/{date}/plans/latest", headers=ADMIN).json()["id"] == latest
    assert client.get(f"/sites/gelin-spring/days/{date}/staffing/latest", headers=ADMIN).status_code == 404
    page.fill(f"{morning} input.riders", "4")
    assert page.input_value('#roster-fleet tr[data-vehicle="tricycle"] input.count') == "2"

    # A bad value: the error names the shift and the field, and nothing is stored.
    page.fill(f"{morning} input.end", "07:00")
    page.click("#roster-save")
    page.wait_for_function("document.querySelector('#roster-error').textContent !== ''")
    assert page.inner_text("#roster-error") == "shift 'morning' ends (07:00) before it starts (08:00)"
    assert client.get("/sites/gelin-spring/operations", headers=ADMIN).json() == stored

    # Someone else gives the evening a fifth rider and runs it to midnight in the usual roster
    # meanwhile; this page, which still shows four there, changes the morning for this day only,
    # takes a tricycle off and adds an e-bike — and leaves the evening as the other saved it.
    later = {"riders": 5, "end": "24:00"}
    evening = {**stored, "shifts": [s | later if s["id"] == "evening" else s for s in stored["shifts"]]}
    assert client.put("/sites/gelin-spring/operations", json=evening, headers=ADMIN).status_code == 200
    page.fill(f"{morning} input.end", "11:30")
    page.fill(f"{morning} input.riders", "3")
    page.fill('#roster-fleet tr[data-vehicle="tricycle"] input.count', "1")
    page.select_option("#add-mode", "ebike")
    ebike = '#roster-fleet tr[data-vehicle="ebike"]'
    assert (
        page.input_value(f"{ebike} input.capacity") == "30"
        and page.input_value(f"{ebike} input.count") == "1"
    )
    page.press(f"{ebike} input.count", "Enter")  # Enter saves the crews, not the counts
    page.wait_for_selector("#plan-note.outdated", timeout=30_000)
    assert page.inner_text("#roster-status") == "Saved"
    own = f"/sites/gelin-spring/days/{date}/operations"
    now = client.get(own, headers=ADMIN).json()
    assert client.get("/sites/gelin-spring/operations", headers=ADMIN).json() == evening  # the usual stays
    assert [(s["id"], s["start"], s["end"], s["riders"]) for s in now["shifts"]] == [
        ("morning", "08:00", "11:30", 3),
        ("afternoon", "13:00", "16:30", 4),
        ("evening", "18:00", "24:00", 5),
    ]
    assert [(v["id"], v["mode"], v["count"], v["capacity"], v["crew"]) for v in now["fleet"]] == [
        ("tricycle", "tricycle", 1, 80, 2),
        ("ebike", "ebike", 1, 30, 1),
    ]
    assert now["stop"] == stored["stop"] and now["gate"] == stored["gate"]  # untouched settings stay
    assert page.input_value('#roster-shifts tr[data-shift="evening"] input.riders') == "5"  # as stored
    assert (
        page.input_value('#roster-shifts tr[data-shift="evening"] input.end') == "24:00"
    )  # no time field shows it
    page.fill('#roster-shifts tr[data-shift="afternoon"] input.sorters', "2")
    page.click("#roster-save")  # the evening's 24:00, shown as text, is not sent back changed
    page.wait_for_function("document.querySelector('#roster-status').textContent === 'Saved'")
    assert page.inner_text("#roster-error") == ""
    now["shifts"][1]["sorters"] = 2
    assert client.get(own, headers=ADMIN).json() == now  # the day's own roster, saved again
    assert page.locator("#roster-own").is_visible() and page.locator("#roster-scope").is_hidden()
    assert page.inner_text("#roster-own-tag") == "this day's own"  # in the heading, seen folded
    page.select_option("#add-mode", "tricycle")  # a kind the fleet has: one more of it, not a new entry
    assert page.input_value('#roster-fleet tr[data-vehicle="tricycle"] input.count') == "2"
    assert page.locator('#roster-fleet tr[data-vehicle="tricycle-2"]').count() == 0

    # The next plan sends the morning's one tricycle crew and an e-bike out with 200 parcels.
    plan_id = _planned(client, date, "building,parcels\n" + "".join(f"{b},10\n" for b in range(1, 21)))
    plan = client.get(f"/plans/{plan_id}", headers=ADMIN).json()
    [first] = [s for s in plan["shifts"] if s["id"] == "morning"]
    assert sorted(c["vehicle"] for c in first["crews"]) == ["ebike", "tricycle"]

    # The next day has the usual crews and vehicles; a change saved as the usual settings holds
    # for every day without its own.
    _open_date(page, "2022-04-26")
    page.wait_for_function("document.querySelector('#roster-date').textContent === '(2022-04-26)'")
    assert page.input_value('#roster-fleet tr[data-vehicle="tricycle"] input.count') == "2"
    assert page.locator('#roster-fleet tr[data-vehicle="ebike"]').count() == 0
    assert page.locator("#roster-own").is_hidden()
    page.fill('#roster-shifts tr[data-shift="afternoon"] input.riders', "6")
    page.check('input[name="roster-scope"][value="usual"]')
    page.click("#roster-save")
    page.wait_for_function("document.querySelector('#roster-status').textContent === 'Saved'")
    usual = client.get("/sites/gelin-spring/operations", headers=ADMIN).json()
    assert usual["shifts"][1]["riders"] == 6 and usual["shifts"][2] == evening["shifts"][2]
    assert client.get("/sites/gelin-spring/days/2022-04-26/operations", headers=ADMIN).status_code == 404
    assert client.get(own, headers=ADMIN).json() == now  # the day with its own keeps it

    # Back on the first day, its own roster goes: the usual one shows, and the plan is outdated.
    _open_date(page, date)
    page.wait_for_selector("#roster-own:not([hidden])")
    page.click("#roster-usual")
    page.wait_for_selector("#roster-scope:not([hidden])")
    assert page.input_value('#roster-shifts tr[data-shift="afternoon"] input.riders') == "6"
    assert page.locator('#roster-fleet tr[data-vehicle="ebike"]').count() == 0
    assert client.get(own, headers=ADMIN).status_code == 404
    page.wait_for_selector("#plan-note.outdated", timeout=30_000)

    # A courier sees no editor; the same page in Chinese words a bad value in Chinese.
    _, courier = token(client, "gelin-spring", "courier")  # type: ignore[arg-type]
    other = _signed_in(browser, running.url, courier)
    assert other.locator("#roster-edit").is_hidden()
    page.goto(f"{running.url}/?lang=zh")
    page.wait_for_selector(".cell input")
    page.click("#roster-edit summary")
    page.fill('#roster-shifts tr[data-shift="afternoon"] input.end', "12:00")
    page.click("#roster-save")
    page.wait_for_function("document.querySelector('#roster-error').textContent !== ''")
    assert page.inner_text("#roster-error") == "班次 afternoon 的结束时间（12:00）不在开始时间（13:00）之后"
    assert client.get("/sites/gelin-spring/operations", headers=ADMIN).json() == usual
    assert client.get("/sites/gelin-spring/days/2022-04-25/operations", headers=ADMIN).status_code == 404


def _site_without_operations(client: httpx.Client, site_id: str) -> str:
    """gelin-spring's map again as `site_id`, with no operations yet; a coordinator token for it."""
    site = json.loads((GELIN / "site.geojson").read_text())
    site["site"]["id"] = site_id
    assert client.put(f"/sites/{site_id}", json=site, headers=ADMIN).status_code == 201
    return token(client, site_id, "coordinator")[1]  # type: ignore[arg-type]


def test_the_coordinator_asks_how_many_riders_the_day_needs_and_finds_the_answer_again(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    date = "2022-04-25"
    # 60 morning parcels (one tricycle's trip), 90 in the afternoon, half of them for building 80,
    # sealed with no designated pair on the roster: the answer borrows one, whose two riders
    # carry the other half too, in loads of their own 20; none at night
    sealed = client.patch("/sites/gelin-spring/buildings/80", json={"sealed": True}, headers=ADMIN)
    assert sealed.status_code == 200, sealed.text
    counts = "building,parcels,shift\n12,20,morning\n40,40,morning\n30,45,afternoon\n80,45,afternoon\n"
    client.put(
        f"/sites/gelin-spring/days/{date}/counts",
        content=counts,
        headers={**ADMIN, "Content-Type": "text/csv"},
    )
    page = _signed_in(browser, running.url, coordinator)
    asked: list[dict[str, Any]] = []

    def quick(route: Route) -> None:  # 0.3 s a try instead of 3: the test checks the page, not the plans
        body = json.loads(route.request.post_data or "{}")
        asked.append(body)
        route.continue_(post_data=json.dumps({**body, "try_s": 0.3}))

    page.route("**/staffing", quick)  # type: ignore[attr-defined]
    _open_date(page, date)
    page.click("#roster-edit summary")
    page.click("#staffing-ask")
    page.wait_for_function(
        "document.querySelector('#staffing-status').textContent.startsWith('Worked out')", timeout=60_000
    )
    assert asked == [{}]  # the roster's own policy
    cells = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#staffing-table tbody tr", "rows => rows.map((r) => [...r.cells].map((c) => c.textContent))"
    )
    # shift, parcels, riders, vehicles, last back, crew-hours, note
    assert [[row[i] for i in (0, 1, 2, 3, 6)] for row in cells] == [
        ["morning", "60", "2", "tricycle ×1", "enough"],
        [
            "afternoon",
            "90",
            "2",
            "designated pair ×1",
            "enough with designated pair +1 more borrowed",
        ],
        ["evening", "0", "0", "—", "enough"],
    ]
    assert "08:00" < cells[0][4] <= "11:30" and "13:00" < cells[1][4] <= "16:30" and cells[2][4] == "—"
    classes = page.eval_on_selector_all("#staffing-table tbody tr", "rows => rows.map((r) => r.className)")  # type: ignore[attr-defined]
    assert classes == ["", "", ""]  # every shift clears

    # the answer is the day's: another day shows none, and the day opened again shows it again
    _open_date(page, "2022-04-24")
    page.wait_for_function("document.querySelector('#staffing-table').hidden")
    # ... and parcels no more crews would take are said so, in red: that day's sorter takes 10
    # minutes a parcel (its own roster), so the sorter, not the crews, keeps parcels back
    slow = client.get("/sites/gelin-spring/operations", headers=ADMIN).json()
    slow["gate"]["sort_s_per_parcel"] = 600
    assert (
        client.put("/sites/gelin-spring/days/2022-04-24/operations", json=slow, headers=ADMIN).status_code
        == 200
    )
    _planned(client, "2022-04-24", "building,parcels,shift\n12,20,morning\n40,40,morning\n")
    _open_date(page, date)
    page.wait_for_selector("#staffing-table:not([hidden])")
    _open_date(page, "2022-04-24")
    page.wait_for_function("document.querySelector('#staffing-table').hidden")
    # the plan's parcels left for the sorter: one press goes to the morning's sorters, not riders
    page.wait_for_selector("#more-crews:not([hidden])", timeout=30_000)
    assert page.inner_text("#more-crews") == "Sorting too slow? Add a sorter"
    page.click("#more-crews")
    focused = page.evaluate(  # type: ignore[attr-defined]
        "[document.activeElement.className, document.activeElement.closest('tr').dataset.shift]"
    )
    assert focused == ["sorters", "morning"]
    page.click("#staffing-ask")
    page.wait_for_function(
        "document.querySelector('#staffing-status').textContent.startsWith('Worked out')", timeout=60_000
    )
    first = page.locator("#staffing-table tbody tr").first
    assert re.fullmatch(
        r"\d+ parcels no more crews take: the sorter cannot keep up, add one",
        first.locator("td").nth(6).inner_text(),
    )
    assert first.get_attribute("class") == "short"
    _open_date(page, date)
    page.wait_for_selector("#staffing-table:not([hidden])")
    assert page.locator("#staffing-table tbody tr").count() == 3
    assert not page.is_disabled("#staffing-ask")  # type: ignore[attr-defined]


def test_a_new_compound_starts_its_roster_from_the_usual_day_on_the_page(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = server
    page = _signed_in(browser, running.url, _site_without_operations(client, "gelin-new"))
    page.wait_for_selector("#roster-start:not([hidden])")
    assert page.locator("#roster-edit").get_attribute("open") is not None  # opened: nothing works without it
    assert (
        page.inner_text("#roster-error")
        == "The compound has no shifts and vehicles yet: set them before the counts"
    )
    page.click("#roster-start")
    page.wait_for_selector('#roster-shifts tr[data-shift="evening"]')
    assert page.inner_text("#roster-status") == "Saved" and page.locator("#roster-start").is_hidden()
    stored = client.get("/sites/gelin-new/operations", headers=ADMIN).json()
    assert stored == starting_operations("en")
    assert page.input_value('#roster-shifts tr[data-shift="morning"] input.riders') == "2"

    # Two riders were never enough: four come, every day. Then the day's counts go in and are planned.
    page.fill('#roster-shifts tr[data-shift="morning"] input.riders', "4")
    page.check('input[name="roster-scope"][value="usual"]')
    page.click("#roster-save")
    page.wait_for_function("document.querySelector('#roster-status').textContent === 'Saved'")
    assert client.get("/sites/gelin-new/operations", headers=ADMIN).json()["shifts"][0]["riders"] == 4
    days = "/sites/gelin-new/days/2022-04-25"
    counts = client.put(
        f"{days}/counts", content="building,parcels\n12,9\n", headers={**ADMIN, "Content-Type": "text/csv"}
    )
    assert counts.status_code == 200, counts.text
    job = client.post(f"{days}/plans", json={"time_limit_s": 1}, headers=ADMIN).json()
    assert wait_for_job(client, job["id"], ADMIN)["status"] == "done"  # type: ignore[arg-type]

    # Set by someone else while the page offered the start: the page shows theirs, replaces nothing.
    other = _signed_in(browser, running.url, _site_without_operations(client, "gelin-other"))
    other.wait_for_selector("#roster-start:not([hidden])")
    theirs = json.loads((GELIN / "ops-3x3.json").read_text())
    assert client.put("/sites/gelin-other/operations", json=theirs, headers=ADMIN).status_code == 200
    other.click("#roster-start")
    other.wait_for_selector('#roster-shifts tr[data-shift="morning"]')
    assert client.get("/sites/gelin-other/operations", headers=ADMIN).json() == theirs
    assert other.inner_text("#roster-status") == "" and other.inner_text("#roster-error") == ""


def test_a_sealed_building_left_for_want_of_a_designated_pair_gets_one_from_the_page(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    assert (
        client.patch("/sites/gelin-spring/buildings/12", json={"sealed": True}, headers=ADMIN).status_code
        == 200
    )
    date, counts = "2022-04-25", "building,parcels\n12,9\n40,30\n"
    first = client.get(f"/plans/{_planned(client, date, counts)}", headers=ADMIN).json()
    assert [(i["building"], i["cause"]) for i in first["undelivered"]] == [("12", "no_sealed_team")]

    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, date)
    page.wait_for_selector("#more-crews:not([hidden])", timeout=30_000)
    page.click("#more-crews")
    morning = '#roster-shifts tr[data-shift="morning"]'
    assert page.evaluate("document.activeElement.closest('tr').dataset.shift") == "morning"
    page.select_option("#add-mode", "sealed-pair")
    pair = '#roster-fleet tr[data-vehicle="sealed-pair"]'
    assert page.inner_text(f"{pair} th").startswith("Designated pair")
    made = f"document.querySelector('{morning} .made').textContent"
    page.wait_for_function(f"{made}.startsWith('1 × tricycle · 1 × Designated pair')")  # the pair first
    page.fill(f"{morning} input.riders", "6")  # two more: the second tricycle goes out again
    page.wait_for_function(f"{made}.startsWith('2 × tricycle · 1 × Designated pair')")
    assert page.input_value(f"{pair} input.crew") == "2"
    page.click("#roster-save")
    page.wait_for_selector("#plan-note.outdated", timeout=30_000)
    fleet = client.get(f"/sites/gelin-spring/days/{date}/operations", headers=ADMIN).json()["fleet"]
    assert fleet[-1] == {
        "id": "sealed-pair", "mode": "foot", "speed_kmh": 4, "sealed_ok": True, "capacity": 20, "crew": 2, "count": 1
    }  # fmt: skip

    again = client.get(f"/plans/{_planned(client, date, counts)}", headers=ADMIN).json()
    assert again["undelivered"] == [] and again["summary"]["delivered"] == 39
    [door] = [
        c
        for s in again["shifts"]
        for c in s["crews"]
        for t in c["trips"]
        for x in t["stops"]
        if x["building"] == "12"
    ]
    assert door["vehicle"] == "sealed-pair"

    # Kept to the sealed buildings: a box in the pair's row (a tricycle's has none), saved as the
    # roster's sealed_only; the next plan sends the pair to building 12 only.
    assert page.locator('#roster-fleet tr[data-vehicle="tricycle"] input.sealed_only').count() == 0
    assert not page.is_checked(f"{pair} input.sealed_only")
    page.check(f"{pair} input.sealed_only")
    page.evaluate("document.getElementById('roster-status').textContent = ''")
    page.click("#roster-save")
    page.wait_for_function("document.querySelector('#roster-status').textContent === 'Saved'")
    kept = client.get(f"/sites/gelin-spring/days/{date}/operations", headers=ADMIN).json()["fleet"]
    assert kept == [*fleet[:-1], {**fleet[-1], "sealed_only": True}]
    assert page.is_checked(f"{pair} input.sealed_only")  # as stored, once the page shows it again
    only = client.get(f"/plans/{_planned(client, date, counts)}", headers=ADMIN).json()
    assert only["undelivered"] == []
    assert {
        x["building"]
        for s in only["shifts"]
        for c in s["crews"]
        if c["vehicle"] == "sealed-pair"
        for t in c["trips"]
        for x in t["stops"]
    } == {"12"}


def test_a_vehicle_lent_for_one_shift_is_shown_so_and_kept_so_when_the_roster_is_saved(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    stored = client.get("/sites/gelin-spring/operations", headers=ADMIN).json()
    ebike = {"id": "ebike", "mode": "ebike", "count": 1, "capacity": 30, "crew": 1, "speed_kmh": 12}
    lent = {**stored, "fleet": [*stored["fleet"], {**ebike, "shifts": ["afternoon"]}]}
    lent["shifts"] = [{**s, "riders": 5} for s in stored["shifts"]]
    assert client.put("/sites/gelin-spring/operations", json=lent, headers=ADMIN).status_code == 200

    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, "2022-04-25")
    page.click("#roster-edit summary")
    row = '#roster-fleet tr[data-vehicle="ebike"]'
    page.wait_for_function("document.querySelector('#roster-date').textContent === '(2022-04-25)'")
    page.wait_for_selector(row)
    page.wait_for_load_state("networkidle")  # the date's roster in: a reload after typing would undo it
    assert page.inner_text(f"{row} th").endswith("only in afternoon")
    made = "document.querySelector('#roster-shifts tr[data-shift=\"{}\"] .made').textContent"
    page.wait_for_function(f"{made.format('afternoon')} !== ''")
    assert page.inner_text('#roster-shifts tr[data-shift="afternoon"] .made') == "1 × e-bike · 2 × tricycle"
    assert (
        page.inner_text('#roster-shifts tr[data-shift="morning"] .made')
        == "2 × tricycle · 1 without a vehicle"
    )
    page.fill(f"{row} input.count", "2")
    page.locator('input[name="roster-scope"][value="usual"]').check()
    assert page.input_value(f"{row} input.count") == "2"
    page.click("#roster-save")
    page.wait_for_function("document.querySelector('#roster-status').textContent !== ''")
    saved = client.get("/sites/gelin-spring/operations", headers=ADMIN).json()["fleet"][-1]
    assert saved == {**ebike, "count": 2, "shifts": ["afternoon"]}


def test_the_sorter_reports_a_trip_back_with_parcels_and_takes_a_wrong_report_back(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = server
    plan_id = _planned(client, "2022-04-28", "building,parcels\n1,12\n2,8\n")
    sorter = token(client, "gelin-spring", "courier")[1]  # type: ignore[arg-type]
    page = _signed_in(browser, running.url, sorter)
    _open_date(page, "2022-04-28")
    page.wait_for_selector("#result:not([hidden])")
    page.click("#trips-back summary")
    page.wait_for_selector("#back-table tbody tr")
    assert set(page.locator("#back-table tbody td:nth-child(5)").all_inner_texts()) == {"not back yet"}
    assert "(0 of" in page.inner_text("#back-of")
    trip = page.locator("#back-table tbody tr", has_text="1号楼 ×12")
    trip.locator(".back-press").click()
    assert page.inner_text(".back-save") == "Everything delivered: save"  # no line yet: all delivered
    page.click(".back-add")
    page.click(".back-add")  # one line too many, removed again
    page.locator(".back-line").nth(1).locator(".back-drop").click()
    line = page.locator(".back-line")
    line.locator(".back-building").select_option("1")
    line.locator(".back-count").fill("3")
    line.locator(".back-reason").select_option("no_answer")
    assert page.inner_text(".back-save") == "Save"
    assert page.input_value(".back-at") == ""  # not today: the time from the load list, if any
    page.fill(".back-at", "11:00")
    page.click(".back-save")
    page.wait_for_function("document.querySelector('#back-table').textContent.includes('3 brought back')")
    assert "nobody came down for them" in trip.inner_text()
    assert "back at 11:00" in trip.inner_text() and "min after the plan" in trip.inner_text()
    assert "on average" in page.inner_text("#back-of")
    # Text for the group chat of the building the parcels came back from.
    with page.expect_response(lambda r: "reports/notices.txt" in r.url) as told:
        page.click("button.back-notices")
    assert told.value.status == 200 and "lang=en" in told.value.url
    text = client.get("/sites/gelin-spring/days/2022-04-28/reports/notices.txt?lang=en", headers=ADMIN).text
    assert "1号楼: 3 parcels came back (nobody came down for them)" in text
    assert "(1 of" in page.inner_text("#back-of")
    reports = client.get("/sites/gelin-spring/days/2022-04-28/reports", headers=ADMIN).json()
    assert [(r["plan_id"], r["returned_parcels"], r["reported_by"]) for r in reports] == [
        (plan_id, 3, "courier test")
    ]
    assert [(r["building"], r["parcels"], r["reason"]) for r in reports[0]["returned"]] == [
        ("1", 3, "no_answer")
    ]
    # Pressed on the wrong trip: taken back, the trip is not back.
    trip.locator(".back-undo").click()
    page.wait_for_function("!document.querySelector('#back-table').textContent.includes('brought back')")
    assert client.get("/sites/gelin-spring/days/2022-04-28/reports", headers=ADMIN).json() == []
    # Too many for the building: the server's words, the report unchanged.
    trip.locator(".back-press").click()
    page.click(".back-add")
    page.locator(".back-line .back-building").select_option("1")
    page.locator(".back-line .back-count").fill("13")
    page.click(".back-save")
    page.wait_for_function("document.querySelector('#back-error').textContent.includes('took 12 parcels')")
    assert client.get("/sites/gelin-spring/days/2022-04-28/reports", headers=ADMIN).json() == []
    # Reported, then the day planned afresh (another count): the trip with that crew and time is
    # not the one reported, so the report is shown apart, not beside it.
    page.locator(".back-line .back-count").fill("2")  # the form still open, its line at 13
    page.click(".back-save")
    page.wait_for_function("document.querySelector('#back-table').textContent.includes('2 brought back')")
    _planned(client, "2022-04-28", "building,parcels\n1,13\n2,8\n")
    _open_date(page, "2022-04-27")
    page.wait_for_selector("#result[hidden]", state="attached")
    _open_date(page, "2022-04-28")
    page.wait_for_function(
        "document.querySelector('#back-other').textContent.includes('came back with 2 parcels')"
    )
    assert page.inner_text("#back-other").startswith("Trip 1 of crew morning-1 (out ")
    assert "brought back" not in page.inner_text("#back-table")
    assert "(0 of" in page.inner_text("#back-of")
    # That trip of the plan made afresh never went: reporting it is refused, the report stays.
    page.locator("#back-table tbody tr", has_text="1号楼 ×13").locator(".back-press").click()
    page.click(".back-save")
    page.wait_for_function("document.querySelector('#back-error').textContent.includes('is not the trip')")
    [report] = client.get("/sites/gelin-spring/days/2022-04-28/reports", headers=ADMIN).json()
    assert (report["plan_id"], report["returned_parcels"]) == (plan_id, 2)


def test_what_a_trip_brought_back_goes_out_again_today_from_the_page(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    running, client = server
    plan_id = _planned(client, "2022-04-28", "building,parcels\n1,12\n2,8\n")
    plan = client.get(f"/plans/{plan_id}", headers=ADMIN).json()
    [(crew, number)] = [
        (c["id"], n)
        for s in plan["shifts"]
        for c in s["crews"]
        for n, t in enumerate(c["trips"], start=1)
        if any(stop["building"] == "1" for stop in t["stops"])
    ]
    back = {"returned": [{"building": "1", "parcels": 4, "reason": "no_answer"}]}
    assert (
        client.put(
            f"/plans/{plan_id}/crews/{crew}/trips/{number}/report", json=back, headers=ADMIN
        ).status_code
        == 200
    )
    page = _signed_in(browser, running.url, coordinator)
    _open_date(page, "2022-04-28")
    page.wait_for_selector("#result:not([hidden])")
    page.click("#trips-back summary")
    page.wait_for_selector("#send-again:not([hidden])")
    page.click("#send-again")
    page.wait_for_function("document.querySelector('#back-status').textContent.includes('4 parcels added')")
    assert page.is_checked("#keep-departed") and page.input_value("#replan-now")
    # The building's box keeps its own 12; the 4 brought back are shown under it, as held-over ones.
    page.wait_for_function("document.querySelector('#held-total').textContent.includes('4 brought back')")
    assert page.input_value("#b-1") == "12" and page.inner_text("#total") == "24"
    assert page.inner_text('.cell[data-building="1"] .held') == "+4 brought back"
    page.wait_for_selector("#send-again[hidden]", state="attached")
    assert "in today's counts" in page.inner_text("#back-table")
    # One more parcel for building 1 came meanwhile: typing its count keeps the brought-back ones.
    page.fill("#b-1", "13")
    page.fill("#replan-now", "08:30")  # the trip to building 1 left by then
    page.click("#plan")
    page.wait_for_function(
        "document.querySelector('#plan-note').textContent.includes('re-planned at')", timeout=60_000
    )
    rows = client.get("/sites/gelin-spring/days/2022-04-28/counts", headers=ADMIN).json()["rows"]
    assert [(r["building"], r["parcels"], r["back_at"] is not None) for r in rows] == [
        ("1", 13, False),
        ("1", 4, True),
        ("2", 8, False),
    ]  # in grid order
    replanned = client.get("/sites/gelin-spring/days/2022-04-28/plans/latest", headers=ADMIN).json()
    assert replanned["id"] != plan_id and replanned["summary"]["undelivered"] == 0
    assert planned_anew(replanned, "1") == 4 + 1
    # A sheet of the day's own counts applied over it keeps them too (it has no back_at column).
    page.click("#paste-box summary")
    page.fill("#paste", "building,parcels\n1,14\n")
    page.click("#apply-paste")
    page.wait_for_function("document.querySelector('#b-1').value === '14'")
    assert page.inner_text('.cell[data-building="1"] .held') == "+4 brought back"


def test_the_times_trips_were_back_set_the_wait_at_a_building_from_the_page(
    server: tuple[Server, httpx.Client], browser: object, coordinator: str
) -> None:
    """Each stop took 40 s more than planned: once three trips are back with a time, the panel says
    so and one press puts the plan's wait plus 40 s into the roster, saved for the day."""
    running, client = server
    date = "2022-04-29"
    plan_id = _planned(client, date, "building,parcels\n" + "".join(f"{b},20\n" for b in range(1, 13)))
    plan = client.get(f"/plans/{plan_id}", headers=ADMIN).json()
    backs = slower_stops(plan, 40, reload_s=240)
    for reported, (crew, number, at) in enumerate(backs, start=1):
        path = f"/plans/{plan_id}/crews/{crew}/trips/{number}/report"
        assert client.put(path, json={"back_at": at}, headers=ADMIN).status_code == 200
        if reported == 2:
            page = _signed_in(browser, running.url, coordinator)
            _open_date(page, date)
            page.wait_for_selector("#result:not([hidden])")
            page.click("#trips-back summary")
            page.wait_for_function("document.querySelector('#stop-times-text').textContent !== ''")
            assert page.inner_text("#stop-times-text") == (
                "1 more trips back with a time, and the time each building really takes can be read off them."
            )
            assert page.is_hidden("#stop-times-set")
    _open_date(page, "2022-04-28")  # and back: the day opens afresh with every trip reported
    _open_date(page, date)
    page.wait_for_selector("#stop-times-set:not([hidden])")
    assert f"By the times {len(backs)} trips were back, each building took 40 s more" in page.inner_text(
        "#stop-times-text"
    )
    assert "set the wait for the household to 100 s (now 60 s)" in page.inner_text("#stop-times-text")
    page.click("#stop-times-set")
    assert page.is_visible("#roster-wait") and page.input_value("#roster-wait") == "100"
    page.click("#roster-save")  # for this day only, as the form offers first
    page.wait_for_function("document.querySelector('#roster-status').textContent === 'Saved'")
    own = client.get(f"/sites/gelin-spring/days/{date}/operations", headers=ADMIN).json()
    assert own["stop"]["wait_s"] == 100
    usual = client.get("/sites/gelin-spring/operations", headers=ADMIN).json()
    assert usual["stop"]["wait_s"] == 60 and {k: v for k, v in own.items() if k != "stop"} == {
        k: v for k, v in usual.items() if k != "stop"
    }
    page.wait_for_function("document.querySelector('#stop-times-text').textContent.includes('already')")
    assert page.is_hidden("#stop-times-set")


def _patched(client: httpx.Client, path: str, change: dict[str, object]) -> None:
    """A change of the day made elsewhere (another coordinator's phone), by the admin token."""
    answer = client.patch(path, json=change, headers=ADMIN)
    assert answer.status_code == 200, answer.text


def test_the_coordinator_corrects_the_map_and_the_days_seals_and_closures_stay(
    server: tuple[Server, httpx.Client], browser: object, tmp_path: Path
) -> None:
    running, client = server
    assert (
        client.put("/sites/barricaded", json=barricaded(closed=False).document(), headers=ADMIN).status_code
        == 201
    )
    _patched(client, "/sites/barricaded/lanes/middle", {"closed": True})
    _patched(client, "/sites/barricaded/buildings/B2", {"sealed": True})
    page = _signed_in(browser, running.url, token(client, "barricaded", "coordinator")[1])  # type: ignore[arg-type]
    page.wait_for_selector('.cell[data-building="B3"]')
    page.click("#site-map summary")

    with page.expect_download() as download:
        page.click("#map-download")
    stored = json.loads(Path(download.value.path()).read_text())
    assert stored == client.get("/sites/barricaded", headers=ADMIN).json()

    # Not a map at all: said so, nothing sent.
    not_json = tmp_path / "notes.geojson"
    not_json.write_text("B4 is missing\n")
    page.set_input_files("#map-file", str(not_json))
    page.click("#map-send")
    page.wait_for_function("document.querySelector('#map-error').textContent.includes('not a GeoJSON file')")

    # Drawn again from scratch with a fourth building, nothing in it about the day.
    drawing = barricaded(closed=False)
    drawing.building({"id": "B4", "name": "B4", "households": 8}, (245, 5, 255, 15), (250, 0))
    bad = json.loads(json.dumps(drawing.document()))  # a copy: the drawing stays right
    next(f for f in bad["features"] if f["properties"]["id"] == "east")["properties"]["closed"] = "yes"
    wrong = tmp_path / "wrong.geojson"
    wrong.write_text(json.dumps(bad))
    page.set_input_files("#map-file", str(wrong))
    page.click("#map-send")
    page.wait_for_function("document.querySelector('#map-error').textContent.includes(\"lane 'east'\")")
    assert client.get("/sites/barricaded", headers=ADMIN).json() == stored  # nothing changed

    corrected = tmp_path / "corrected.geojson"
    corrected.write_text(json.dumps(drawing.document()))
    page.set_input_files("#map-file", str(corrected))
    held: list[Route] = []  # the day's requests while the compound reopens on the new map
    page.route("**/days/**", lambda route: held.append(route))
    page.click("#map-send")
    page.wait_for_function("document.querySelector('#map-status').textContent.startsWith('Map saved')")
    page.wait_for_selector('.cell[data-building="B4"]')  # the compound opened afresh on the new map
    # B2 numbered anew in the next drawing, chosen before the compound has finished reopening:
    # that file stays chosen, to send next.
    renumbered = json.loads(json.dumps(drawing.document()))
    next(f for f in renumbered["features"] if f["properties"]["id"] == "B2")["properties"]["id"] = "B2a"
    next_drawing = tmp_path / "renumbered.geojson"
    next_drawing.write_text(json.dumps(renumbered))
    page.set_input_files("#map-file", str(next_drawing))
    for route in held:  # requests made meanwhile are appended, and let through in turn
        route.continue_()
    page.unroute("**/days/**")
    page.wait_for_load_state("networkidle")
    assert page.eval_on_selector("#map-file", "input => input.files.length") == 1
    assert page.inner_text("#map-status") == "Map saved: 4 buildings, 3 lanes"
    assert page.inner_text("#map-error") == ""
    assert page.inner_text("#map-kept-head") == "Left out of the file, so kept as they were:"
    assert page.locator("#map-kept li").all_inner_texts() == [
        "B2: sealed (door delivery)",
        "Middle lane: lane closed",
    ]
    assert page.locator('.cell[data-building="B2"] .tag.sealed').count() == 1
    assert page.is_checked('#lane-switches input[data-id="middle"]')
    lanes = {
        lane["id"]: lane["closed"] for lane in client.get("/sites/barricaded/lanes", headers=ADMIN).json()
    }
    assert lanes == {"west": False, "middle": True, "east": False}
    assert page.is_hidden("#map-dropped-head")

    # Sent, B2's seal cannot follow it to B2a, and the page says so.
    page.click("#map-send")
    page.wait_for_selector('.cell[data-building="B2a"]')
    assert page.is_visible("#map-dropped-head")
    assert page.locator("#map-dropped li").all_inner_texts() == ["B2: sealed (door delivery)"]
    assert page.locator("#map-kept li").all_inner_texts() == ["Middle lane: lane closed"]


def test_a_compound_is_mapped_again_from_a_fresh_openstreetmap_export(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, client = server
    read = client.post("/sites/test-garden/map/osm?gate=n1", content=OSM_EXPORT.read_bytes(), headers=ADMIN)
    assert client.put("/sites/test-garden", json=read.json()["site"], headers=ADMIN).status_code == 201
    _patched(client, "/sites/test-garden/buildings/2", {"households": 30})
    _patched(client, "/sites/test-garden/buildings/1", {"sealed": True})
    page = _signed_in(browser, running.url, token(client, "test-garden", "coordinator")[1])  # type: ignore[arg-type]
    page.click("#site-map summary")

    page.set_input_files("#map-osm-file", str(OSM_EXPORT))
    page.click("#map-osm-read")  # two gates on the outline: the server names them
    page.wait_for_function("document.querySelector('#map-error').textContent.includes('n3')")
    assert page.is_hidden("#map-osm-send")
    page.fill("#map-osm-gate", "n1")
    page.click("#map-osm-read")
    page.wait_for_selector("#map-osm-send:not([hidden])")
    assert page.inner_text("#map-error") == ""
    assert page.inner_text("#map-osm-summary").endswith("5 buildings, 3 lanes, gate n1")
    notes = page.locator("#map-osm-notes li").all_inner_texts()
    assert notes[0] == "Households from the map as stored for: 1, 2"
    page.click("#map-osm-send")
    page.wait_for_function("document.querySelector('#map-status').textContent.startsWith('Map saved')")
    assert page.inner_text("#map-status") == "Map saved: 5 buildings, 3 lanes"
    sealed = page.locator("#map-kept li").all_inner_texts()
    assert len(sealed) == 1 and sealed[0].endswith(": sealed (door delivery)")
    assert page.is_hidden("#map-osm-send")
    buildings = {b["id"]: b for b in client.get("/sites/test-garden/buildings", headers=ADMIN).json()}
    assert (buildings["2"]["households"], buildings["1"]["sealed"]) == (30, True)


def test_the_api_page_renders_without_reaching_any_other_server(
    server: tuple[Server, httpx.Client], browser: object
) -> None:
    running, _ = server
    page = browser.new_page()  # type: ignore[attr-defined]
    elsewhere: list[str] = []
    page.on(  # anything not asked of this server
        "request",
        lambda request: None if request.url.startswith(running.url) else elsewhere.append(request.url),
    )
    page.goto(f"{running.url}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)  # Swagger UI drew the operations
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/sites/{site_id}/days/{date}/counts" in path for path in paths)
    assert elsewhere == []
    page.close()
