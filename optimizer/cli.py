"""`onebell` on the command line: plan a day, check a plan, carry what was left over to the next day.

Input errors print one line naming the item to fix and exit with code 2, writing nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from optimizer.check import check_plan
from optimizer.day import CountRow, Day, counts_sheet, day_csv, load_day, with_building_ids
from optimizer.errors import OneBellError, PlanError
from optimizer.files import excel_csv, os_reason_zh, read_json, read_text
from optimizer.graph import SiteGraph, build_graph
from optimizer.held_over import with_held_over
from optimizer.operations import POLICIES, Operations, load_operations, starting_operations
from optimizer.plan import Plan
from optimizer.plan_file import load_plan_file
from optimizer.plan_summary import summary_lines
from optimizer.planner import PlanProgress, plan_day
from optimizer.replan import Frozen, frozen_part, parse_now
from optimizer.returns import ReportError, TripReport, read_returned_csv, returned_rows
from optimizer.site import load_site
from optimizer.staffing import staffing, table_lines
from optimizer.trip_times import MIN_TRIPS, door_crews, stop_times

EXIT_INPUT = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser, _ = make_parser()
    return run(parser, argv)


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse and run a command; input errors become one line on stderr and exit code 2."""
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
        return result
    except OneBellError as error:
        if error.zh and _chinese_locale(os.environ):
            print(f"onebell: 错误：{error.zh}", file=sys.stderr)
        else:
            print(f"onebell: error: {error.message}", file=sys.stderr)
        return EXIT_INPUT


def _chinese_locale(environ: Mapping[str, str]) -> bool:
    """Whether the terminal's messages locale is Chinese (zh_CN.UTF-8): a coordinator's machine set
    up in Chinese reads the counts' messages in Chinese, as the page does."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return environ[name].lower().startswith("zh")
    return False


def make_parser() -> tuple[argparse.ArgumentParser, Any]:
    """The planning commands; the API package adds its own (serve, db, token) to `commands`."""
    parser = argparse.ArgumentParser(prog="onebell", description="Parcel routes for volunteer courier teams.")
    commands = parser.add_subparsers(dest="command", required=True)

    plan = commands.add_parser("plan", help="plan a day's routes and write the plan JSON")
    plan.add_argument("--site", required=True, help="site GeoJSON")
    plan.add_argument("--day", required=True, help="day counts, CSV or JSON")
    plan.add_argument("--ops", required=True, help="operations JSON (shifts, fleet, stop, gate)")
    plan.add_argument("--out", required=True, help="where to write the plan JSON")
    plan.add_argument("--policy", help=f"override the stop policy of --ops ({' or '.join(POLICIES)})")
    plan.add_argument(
        "--time-limit", type=_positive_seconds, default=10.0, help="search seconds (default 10)"
    )
    plan.add_argument("--date", help="date of the day, YYYY-MM-DD (default: from the day file)")
    plan.add_argument("--frozen", help="re-plan: the plan in use; its trips that departed by --now stay")
    plan.add_argument("--now", help="re-plan: the time now, HH:MM (with --frozen)")
    plan.set_defaults(run=_plan)

    check = commands.add_parser("check", help="validate a plan and list every violation")
    check.add_argument("site")
    check.add_argument("day")
    check.add_argument("ops")
    check.add_argument("plan")
    check.add_argument("--frozen", help="the plan this one re-planned; its departed trips must be unchanged")
    check.add_argument("--now", help="when the re-plan was made, HH:MM (with --frozen)")
    check.set_defaults(run=_check)

    cards = commands.add_parser("cards", help="route cards and the sorter's load list (PDF or HTML)")
    cards.add_argument("plan", help="plan JSON")
    cards.add_argument("--site", required=True, help="site GeoJSON the plan was made for")
    cards.add_argument("--out", required=True, help="where to write the cards")
    cards.add_argument("--shift", help="one shift only (default: every shift)")
    cards.add_argument("--lang", default="zh", help="zh (default) or en")
    cards.add_argument("--format", choices=("pdf", "html"), help="default: from --out's suffix, else pdf")
    cards.add_argument("--paper", default="a4", help="a4 (default) or a5")
    cards.add_argument("--part", default="all", help="all (default), cards or load_list")
    cards.set_defaults(run=_cards)

    notices = commands.add_parser(
        "notices", help="text for each building's contact household: about when, how many parcels"
    )
    notices.add_argument("plan", help="plan JSON")
    notices.add_argument("--site", required=True, help="site GeoJSON the plan was made for")
    notices.add_argument("--shift", help="one shift only (default: every shift)")
    notices.add_argument("--lang", default="zh", help="zh (default) or en")
    notices.add_argument("--out", help="write the text here (default: print it)")
    notices.set_defaults(run=_notices)

    staff = commands.add_parser("staffing", help="fewest riders per shift that clear each shift's parcels")
    staff.add_argument("--site", required=True)
    staff.add_argument("--day", required=True)
    staff.add_argument(
        "--ops",
        required=True,
        help="operations; its fleet is tried first, then up to 4 more of its busiest vehicle where it cannot clear",
    )
    staff.add_argument(
        "--policy", help="notify_one, ring_each or both (default: the stop policy of --ops, as plan takes it)"
    )
    staff.add_argument(
        "--time-limit", type=_positive_seconds, default=3.0, help="search seconds per try (default 3)"
    )
    staff.add_argument("--json", help="also write the table as JSON here")
    staff.set_defaults(run=_staffing)

    held = commands.add_parser(
        "held-over", help="add a plan's undelivered parcels to the next day's counts (they go first)"
    )
    held.add_argument("plan", help="the earlier day's plan JSON")
    held.add_argument("--day", required=True, help="the later day's counts, CSV or JSON")
    held.add_argument("--date", help="date of the later day, YYYY-MM-DD (default: from the day file)")
    held.add_argument("--out", required=True, help="where to write the counts with them, CSV")
    held.add_argument(
        "--returned",
        help="what the plan's trips brought back, CSV crew,trip,building,parcels[,urgent,reason]: "
        "all but the refused go first too",
    )
    held.set_defaults(run=_held_over)

    again = commands.add_parser(
        "send-again",
        help="add what the plan's trips brought back to that same day's counts, to go out again today",
    )
    again.add_argument("plan", help="the day's plan JSON")
    again.add_argument("--day", required=True, help="the same day's counts, CSV or JSON")
    again.add_argument(
        "--returned", required=True, help="what the trips brought back, CSV crew,trip,building,parcels[,…]"
    )
    again.add_argument(
        "--out", required=True, help="where to write the counts with them, CSV (then plan --frozen --now)"
    )
    again.set_defaults(run=_send_again)

    times = commands.add_parser(
        "stop-times", help="how long a building really took, read off when the plan's trips were back"
    )
    times.add_argument("plan", help="the day's plan JSON")
    times.add_argument(
        "--returned",
        required=True,
        help="CSV crew,trip,building,parcels,back_at: when each trip was back (a row with building and "
        "parcels blank for a trip that brought nothing back)",
    )
    times.add_argument("--ops", required=True, help="the operations the plan was made with")
    times.set_defaults(run=_stop_times)

    sheet = commands.add_parser("sheet", help="a counts sheet to fill in: every building, parcels blank")
    sheet.add_argument("--site", required=True)
    sheet.add_argument("--out", required=True, help="where to write the sheet, CSV (opens in Excel or WPS)")
    sheet.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="headers: zh 楼号,件数 (default) or en"
    )
    sheet.set_defaults(run=_sheet)

    roster = commands.add_parser(
        "roster", help="an operations file to start from: three shifts, a sorter and two riders on a tricycle"
    )
    roster.add_argument(
        "--out", required=True, help="where to write the operations JSON (edit it, then --ops)"
    )
    roster.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="shift names: zh 上午,下午,晚上 (default) or en"
    )
    roster.set_defaults(run=_roster)

    osm = commands.add_parser(
        "site-from-osm",
        help="a site map to start from: the compound's buildings and lanes in an OpenStreetMap export",
    )
    osm.add_argument(
        "export", help="the OpenStreetMap export (.osm from openstreetmap.org's Export, or .osm.pbf)"
    )
    osm.add_argument("--out", required=True, help="where to write the site GeoJSON")
    osm.add_argument(
        "--compound", help="the compound's name or OSM id (w123); default: the one residential area"
    )
    osm.add_argument("--gate", help="the gate the parcels come in by: its node id (n123) or lon,lat")
    osm.add_argument("--id", help="the site id (default: from the compound's English name)")
    osm.add_argument("--households", help="a CSV of 楼号,户数 (building,households) for what the map lacks")
    osm.set_defaults(run=_site_from_osm)

    site_map = commands.add_parser("map", help="SVG map of the compound, with a plan's routes")
    site_map.add_argument("--site", required=True)
    site_map.add_argument("--plan", help="plan JSON: draw every trip, one colour per crew")
    site_map.add_argument("--out", required=True)
    site_map.set_defaults(run=_map)
    return parser, commands


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--time-limit must be a number of seconds, got {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("--time-limit must be more than 0 and at most 3600 seconds")
    return value


def _site_and_day(args: argparse.Namespace, *, date: str | None = None) -> tuple[SiteGraph, Day]:
    """The site's graph and the day's counts, buildings named as on the map read as their ids."""
    site_graph = build_graph(load_site(args.site))
    return site_graph, with_building_ids(load_day(args.day, date=date), site_graph.site)


def _plan(args: argparse.Namespace) -> int:
    site_graph, day = _site_and_day(args, date=args.date)
    operations = load_operations(args.ops).with_policy(args.policy)
    frozen = _frozen(args, site_graph.site.id, day.date, operations)
    lang = "zh" if _chinese_locale(os.environ) else "en"
    progress = _progress_printer(sys.stderr, lang) if sys.stderr.isatty() else None
    plan = plan_day(
        site_graph, day, operations, time_limit_s=args.time_limit, on_progress=progress, frozen=frozen
    )
    if progress is not None:
        print(file=sys.stderr)
    _write_atomically(Path(args.out), json.dumps(plan.to_dict(), ensure_ascii=False, indent=1) + "\n")
    print_summary(plan, sys.stdout, lang)
    print(f"路线计划已写入 {args.out}" if lang == "zh" else f"plan written to {args.out}")
    return 0


def _check(args: argparse.Namespace) -> int:
    site_graph, day = _site_and_day(args)
    operations = load_operations(args.ops)
    plan = read_json(args.plan, what="plan", error=PlanError)  # the checker lists what is wrong
    frozen = _frozen(args, site_graph.site.id, day.date, operations)
    violations = check_plan(site_graph, day, operations, plan, frozen=frozen)
    zh = _chinese_locale(os.environ)
    for violation in violations:
        print(violation)  # in English: the checker's words are for whoever mends the plan
    if violations:
        print(f"{len(violations)} 处不符" if zh else f"{len(violations)} violation(s)")
        return 1
    summary = plan.get("summary", {})
    delivered, parcels = summary.get("delivered"), summary.get("parcels")
    print(
        f"路线计划无误：{parcels} 件中送达 {delivered} 件"
        if zh
        else f"plan is valid: {delivered} of {parcels} parcels delivered"
    )
    return 0


def _frozen(
    args: argparse.Namespace, site_id: str, date: str | None, operations: Operations
) -> Frozen | None:
    if args.frozen is None and args.now is None:
        return None
    if args.frozen is None or args.now is None:
        raise PlanError(
            "re-planning needs both --frozen PLAN and --now HH:MM",
            field="frozen",
            zh="重排要同时给出 --frozen 路线计划文件 和 --now 时:分",
        )
    now_s = parse_now(args.now, operations)
    document = load_plan_file(args.frozen, what="frozen plan")
    return frozen_part(document, site_id=site_id, date=date, operations=operations, now_s=now_s)


def _staffing(args: argparse.Namespace) -> int:
    site_graph, day = _site_and_day(args)
    operations = load_operations(args.ops)
    policies = list(POLICIES) if args.policy == "both" else [args.policy or operations.stop.policy]
    for policy in policies:
        operations.with_policy(policy)  # an unknown policy fails here, before any solving
    rows = staffing(site_graph, day, operations, policies=policies, time_limit_s=args.time_limit)
    for line in table_lines(rows, "zh" if _chinese_locale(os.environ) else "en"):
        print(line)
    if args.json:
        _write_atomically(Path(args.json), json.dumps([row.to_dict() for row in rows], indent=1) + "\n")
    return 0


def _held_over(args: argparse.Namespace) -> int:
    plan = load_plan_file(args.plan)
    returned: tuple[CountRow, ...] = ()
    if args.returned:
        returned = returned_rows(_returned(args.returned, plan), held_from=plan.get("date"))
    day = with_held_over(load_day(args.day, date=args.date), plan, returned)
    _write_atomically(Path(args.out), day_csv(day))
    held = [row for row in day.rows if row.held_from is not None]
    parcels, buildings = sum(r.parcels for r in held), len({r.building for r in held})
    days = sorted({r.held_from or "" for r in held})
    back = sum(r.parcels for r in returned)
    _say(
        f"{parcels} parcels of {buildings} buildings held over ({', '.join(days) or 'none'})"
        f"{f', {back} of them brought back' if returned else ''}; counts written to {args.out}",
        f"留到这一天的件：{buildings} 栋楼共 {parcels} 件（{'、'.join(days) or '没有'}）"
        f"{f'，其中 {back} 件是带回的' if returned else ''}；件数表已写入 {args.out}",
    )
    return 0


def _returned(path: str, plan: Mapping[str, Any]) -> tuple[TripReport, ...]:
    """The sheet of what the plan's trips brought back, each trip checked against the plan."""
    text = read_text(path, what="returned", error=ReportError)
    return read_returned_csv(text, plan, source=Path(path).name)


def _send_again(args: argparse.Namespace) -> int:
    plan = load_plan_file(args.plan)
    day = load_day(args.day)
    if day.date is not None and plan.get("date") not in (None, day.date):
        raise PlanError(
            f"the plan is for {plan.get('date')}, the counts for {day.date}: what came back goes again "
            "the same day (the next day: onebell held-over)",
            field="day",
            zh=f"路线是 {plan.get('date')} 的，件数表是 {day.date} 的：带回的件当天再送"
            "（第二天再送请用 onebell held-over）",
        )
    returned = returned_rows(_returned(args.returned, plan), held_from=None)
    _write_atomically(
        Path(args.out), day_csv(Day(date=day.date or plan.get("date"), rows=(*day.rows, *returned)))
    )
    back, urgent = sum(r.parcels for r in returned), sum(r.urgent for r in returned)
    _say(
        f"{back} parcels brought back added to go out again ({urgent} urgent); counts written to "
        f"{args.out}: plan again with --frozen and --now to keep the trips on the road",
        f"带回的 {back} 件（急件 {urgent} 件）已加回当天再送；件数表已写入 {args.out}："
        "重排时加上 --frozen 和 --now，已出发的趟次保持原样",
    )
    return 0


def _stop_times(args: argparse.Namespace) -> int:
    plan = load_plan_file(args.plan)
    operations = load_operations(args.ops)
    times = stop_times(
        _returned(args.returned, plan),
        wait_s=operations.stop.wait_s,
        reload_s=operations.gate.reload_s,
        leave_out=door_crews(plan, operations),
    )
    per_stop, suggested = times.per_stop_s, times.suggested_wait_s
    if per_stop is None:
        _say(
            f"{times.trips} trips back with a time; {MIN_TRIPS} are needed to read the wait off them",
            f"写了回来时间的只有 {times.trips} 趟；要 {MIN_TRIPS} 趟才能算出在每栋楼等多久",
        )
        return 0
    said = f"by the times {times.trips} trips were back ({times.stops} stops), each building took"
    said += f" {abs(per_stop):.0f} s {'more' if per_stop > 0 else 'less'} than planned"
    said_zh = (
        f"按 {times.trips} 趟（{times.stops} 站）回来的时间，每栋楼比计划{'多' if per_stop > 0 else '少'}用"
    )
    said_zh += f" {abs(per_stop):.0f} 秒"
    wait = operations.stop.wait_s
    if suggested is None:
        _say(f"{said}: the plan's wait of {wait} s holds", f"{said_zh}：计划的等候时间 {wait} 秒不用改")
    else:
        _say(
            f"{said}: set stop.wait_s to {suggested} (now {wait}) in {args.ops}",
            f"{said_zh}：请把 {args.ops} 里的 stop.wait_s（等候时间）改为 {suggested}（现在是 {wait}）",
        )
    return 0


def _cards(args: argparse.Namespace) -> int:
    from optimizer.cards.render import cards_html, cards_pdf

    site_graph = build_graph(load_site(args.site))
    plan = load_plan_file(args.plan)
    output_format = args.format or ("html" if str(args.out).lower().endswith((".html", ".htm")) else "pdf")
    options = {"shift": args.shift, "lang": args.lang, "paper": args.paper, "part": args.part}
    if output_format == "html":
        _write_atomically(Path(args.out), cards_html(plan, site_graph, **options))
    else:
        _write_atomically(Path(args.out), cards_pdf(plan, site_graph, **options))
    _say(f"cards written to {args.out}", f"路线卡已写入 {args.out}")
    return 0


def _notices(args: argparse.Namespace) -> int:
    from optimizer.cards.notices import notices_text

    plan = load_plan_file(args.plan)
    text = notices_text(plan, load_site(args.site), shift=args.shift, lang=args.lang)
    if args.out:
        _write_atomically(Path(args.out), text)
        _say(f"notices written to {args.out}", f"楼栋通知已写入 {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _site_from_osm(args: argparse.Namespace) -> int:
    from optimizer.osm import read_households, site_from_osm

    path = Path(args.out)
    _refuse_existing(path, args.out)
    households = read_households(args.households) if args.households else None
    made = site_from_osm(
        args.export, compound=args.compound, site_id=args.id, gate=args.gate, households=households
    )
    _write_atomically(path, json.dumps(made.document, ensure_ascii=False, indent=1) + "\n")
    site = made.site
    _say(
        f"site {site.id} ({site.name}) written to {args.out}: {len(site.buildings)} buildings, "
        f"{len(site.lanes)} lanes, gate {made.gate}",
        f"小区 {site.id}（{site.name}）地图已写入 {args.out}：{len(site.buildings)} 栋楼，"
        f"{len(site.lanes)} 条路，大门 {made.gate}",
    )
    if made.without_households:
        _say_list(
            f"{len(made.without_households)} buildings have no households in the map (written as 0; fill them "
            "in, or give --households)",
            f"{len(made.without_households)} 栋楼地图上没有户数（先写作 0；请填上，或用 --households 给出）",
            made.without_households,
        )
    if made.no_tricycle:
        _say_list(
            "buildings a tricycle cannot reach (their nearest lane is steps, or cut off from the gate; "
            "check the lanes near them)",
            "三轮车到不了的楼（最近的路是台阶，或与大门不通；请查看附近的路）",
            made.no_tricycle,
        )
    if made.renamed:
        _say_list("buildings sharing a house number, renamed", "门牌号重复、已改名的楼", made.renamed)
    if made.unnumbered:
        _say_list(
            "buildings with no number or name on the map, by their OSM id",
            "地图上没有楼号或楼名的楼（按 OSM 编号）",
            made.unnumbered,
        )
    if made.cut_off:
        _say_list(
            "buildings left out, the export holding only part of their outline (cut at its edge; export a "
            "larger area, or draw them)",
            "没有收进来的楼：导出的范围只截到它们的一部分轮廓（请导出更大的范围，或自己画上）",
            made.cut_off,
        )
    _say(
        "Look at it with `onebell map`, draw any lane the map lacks, then plan with --site",
        "请用 `onebell map` 看一看，画上地图缺的路，再用 --site 排路线",
    )
    return 0


def _say(english: str, chinese: str) -> None:
    """A command's closing line, in the terminal's language (as its errors are)."""
    print(chinese if _chinese_locale(os.environ) else english)


def _say_list(english: str, chinese: str, items: Sequence[str]) -> None:
    _say(f"{english}: {', '.join(items)}", f"{chinese}：{'、'.join(items)}")


def _refuse_existing(path: Path, shown: str) -> None:
    """A file the coordinator may have edited is not replaced unasked."""
    if path.exists():
        raise OneBellError(
            f"{shown} exists: give another --out, or remove it first",
            field="--out",
            zh=f"{shown} 已经有了：请换一个 --out，或者先把它删掉",
        )


def _roster(args: argparse.Namespace) -> int:
    path = Path(args.out)
    _refuse_existing(path, args.out)  # an edited roster is not to be replaced by the starting one
    document = starting_operations(args.lang)
    _write_atomically(path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    shifts = [f"{s['id']} {s['start']}-{s['end']}" for s in document["shifts"]]
    _say(
        f"operations written to {args.out}: {', '.join(shifts)}; 2 riders and 1 sorter each, 1 tricycle. "
        "Edit them, then plan with --ops",
        f"班表已写入 {args.out}：{'、'.join(shifts)}；每班 2 名骑手、1 名分拣员、1 辆三轮车。改好后用 --ops 排路线",
    )
    return 0


def _sheet(args: argparse.Namespace) -> int:
    site = load_site(args.site)
    _write_atomically(Path(args.out), excel_csv(counts_sheet(site, chinese=args.lang == "zh")))
    _say(
        f"sheet of {len(site.buildings)} buildings written to {args.out}; fill in the parcels, then plan with --day",
        f"{len(site.buildings)} 栋楼的件数表已写入 {args.out}；填好件数后用 --day 排路线",
    )
    return 0


def _map(args: argparse.Namespace) -> int:
    from optimizer.cards.render import day_map_svg

    site_graph = build_graph(load_site(args.site))
    plan = load_plan_file(args.plan) if args.plan else None
    _write_atomically(Path(args.out), day_map_svg(site_graph, plan))
    _say(f"map written to {args.out}", f"地图已写入 {args.out}")
    return 0


def _progress_printer(stream: TextIO, lang: str = "en") -> Callable[[PlanProgress], None]:
    best = [2**62]

    def show(progress: PlanProgress) -> None:
        best[0] = min(best[0], progress.crew_s)
        elapsed, placed, hours = progress.elapsed_s, progress.parcels_placed, best[0] / 3600
        stream.write(
            f"\r搜索 {elapsed:5.1f} 秒  已排 {placed:5d} 件  最少人时 {hours:6.2f}"
            if lang == "zh"
            else f"\rsearching {elapsed:5.1f} s  parcels placed {placed:5d}  best crew time {hours:6.2f} h"
        )
        stream.flush()

    return show


def print_summary(plan: Plan, stream: TextIO, lang: str = "en") -> None:
    for line in summary_lines(plan, lang):
        print(line, file=stream)


def _write_atomically(path: Path, content: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: a failure leaves no half file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; a plan is an ordinary file
        os.replace(temporary, path)
    except OSError as error:
        raise PlanError(
            f"cannot write {path}: {error.strerror}", zh=f"写不了 {path}：{os_reason_zh(error)}"
        ) from error


if __name__ == "__main__":
    sys.exit(main())
