"""The day's parcel counts per building, as the sorter tallies them at the gate (CSV, an Excel
workbook or JSON).

Rows keep their source line so that every error can point the coordinator at the line to fix, in
English and in Chinese (`_Place`): the coordinator fixing the sheet may read only Chinese.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.clock import format_clock, parse_clock
from optimizer.errors import DayError, counts_source_zh
from optimizer.files import read_bytes, read_text
from optimizer.operations import Operations
from optimizer.site import Site, house_number
from optimizer.workbook import workbook_lines

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
COLUMNS = ("building", "parcels", "shift", "urgent", "arrived", "held_from", "back_at")
"""A count row's fields, in the order the CSV writes them (and a stored plan's counts hold)."""
COLUMN_NAMES_ZH = {
    "building": ("楼号", "楼栋"),
    "parcels": ("件数", "包裹数"),
    "shift": ("班次",),
    "urgent": ("加急", "急件"),
    "arrived": ("到达时间",),
    "held_from": ("留下日期",),
    "back_at": ("带回时间",),
}
"""Chinese headers a coordinator's own sheet may have, read as the English columns (the first of
each is what the page and the docs show)."""
_COLUMN_OF = {name: column for column, names in COLUMN_NAMES_ZH.items() for name in names} | {
    column: column for column in COLUMNS
}


TOTAL_LABELS = frozenset({"合计", "总计", "共计", "总数", "total", "sum"})
SUBTOTAL_LABELS = frozenset({"小计", "subtotal"})
"""What a sheet's total rows say in the building column. An office's sheet ends with one (合计
=SUM(...)), and sheets kept section by section have a 小计 under each: read as a building, every
such sheet was refused ("unknown building '合计'"). Each is checked against the rows it sums —
a total, every count row above it; a subtotal, those since the last subtotal — and left out."""


def _total_label(building: str) -> str | None:
    label = "".join(building.split()).lower()  # "合　计", "Total"
    return label if label in TOTAL_LABELS | SUBTOTAL_LABELS else None


@dataclass(frozen=True)
class _Place:
    """Where in the counts a message points, in English and in Chinese ("counts line 3",
    "件数表第 3 行"): a coordinator on the page in Chinese gets the whole message in Chinese."""

    en: str
    zh: str

    @classmethod
    def of(cls, source: str, unit: str, line: int | str) -> _Place:
        if unit == "entry":  # the n-th entry of a JSON document's counts list
            named = f"{source} " if source not in ("", "counts") else ""
            return cls(f"{named}counts[{int(line) - 1}]", f"{_source_zh(source)}第 {line} 条")
        return cls(f"{source} {unit} {line}".lstrip(), f"{_source_zh(source)}第 {line} 行")

    def error(self, en: str, zh: str, *, field: str | None = None) -> DayError:
        return DayError(f"{self.en}: {en}", field=field, zh=f"{self.zh}：{zh}")


def _source_zh(source: str) -> str:
    return counts_source_zh(source) + (" " if source not in ("", "counts") else "")


def _zh(column: str) -> str:
    """A column as the Chinese sheet heads it."""
    return COLUMN_NAMES_ZH[column][0]


@dataclass(frozen=True)
class CountRow:
    building: str
    parcels: int
    shift: str | None = None  # first shift the parcels are available in; None = the first shift
    urgent: int = 0
    line: int = 0  # CSV line, Excel row or JSON position (1-based), for messages
    unit: str = "line"  # what messages call it: "row" for an Excel row, "entry" for JSON
    arrived_s: int | None = None  # when the parcels reached the gate; None = before their shift
    held_from: str | None = None
    """The earlier day (YYYY-MM-DD) these parcels reached the gate and were not delivered: they go
    out from the first shift, and before the day's own parcels when not everything fits."""
    back_s: int | None = None
    """When a trip brought these parcels back to the gate today (nobody came down for them) and
    they were sent out again. They stood before they first went out, so they do not stand again;
    but they cannot go before they are back, and an urgent one's window restarts then: counted
    from the shift's start, medicine brought back at 11:00 would already be late and never go."""

    def loadable_s(self, stand_min: int) -> int:
        """When the parcels may be loaded: after standing at the gate, or once brought back
        (0 = from the shift's start)."""
        stood = 0 if self.arrived_s is None else self.arrived_s + 60 * stand_min
        return max(stood, self.back_s or 0)


@dataclass(frozen=True)
class Day:
    date: str | None
    rows: tuple[CountRow, ...]
    left_blank: tuple[str, ...] = ()
    """Buildings a sheet lists with its parcels left blank: no rows, as no parcels need none, but
    a page showing the sheet must clear what it held for them (the sheet says they have none)."""

    @property
    def parcels(self) -> int:
        return sum(row.parcels for row in self.rows)


def load_day(path: str | Path, *, date: str | None = None) -> Day:
    """Read counts from a .csv, .xlsx or .json file; the date comes from the JSON, `date` or the
    file name."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        day = parse_day_xlsx(read_bytes(path, what="day", error=DayError), source=str(path))
    else:
        text = read_text(path, what="day", error=DayError)
        if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
            day = parse_day_json(text, source=str(path))
        else:
            day = parse_day_csv(text, source=str(path))
    if date is not None:
        return dataclasses.replace(day, date=date)
    if day.date is None:
        match = _DATE.search(path.name)
        return dataclasses.replace(day, date=match[1] if match else None)
    return day


def parse_day_csv(text: str, *, source: str = "counts", date: str | None = None) -> Day:
    """Comma-separated, or tab- or semicolon-separated when the header has no comma (a sheet's
    cells copied whole, or saved as CSV in a locale that separates by semicolons)."""
    header_line = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = (
        "," if "," in header_line else "\t" if "\t" in header_line else ";" if ";" in header_line else ","
    )
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows, blank = _sheet_rows(((reader.line_num, values) for values in reader), source)
        return Day(date=date, rows=rows, left_blank=blank)
    except csv.Error as error:
        line = reader.line_num
        reason, reason_zh = str(error), str(error)
        if "new-line" in reason:
            reason = "a line break inside a field; save the sheet again as plain CSV"
            reason_zh = "有一格里换了行；请把表格重新另存为普通的 CSV"
        elif "field larger" in reason:
            reason, reason_zh = "a field longer than 128 KiB", "有一格长过 128 KiB"
        raise _Place.of(source, "line", line).error(
            f"cannot read it as CSV: {reason}", f"读不成 CSV：{reason_zh}", field=f"line {line}"
        ) from None


def parse_day_xlsx(
    data: bytes, *, source: str = "counts", date: str | None = None, max_rows: int | None = None
) -> Day:
    """The first worksheet of an Excel workbook, read as the same sheet saved as CSV would be
    (messages name its rows as Excel numbers them). With `max_rows`, reading stops at one count
    row more, for the caller to refuse: a workbook's rows cost far more to read than a CSV's."""
    rows, blank = _sheet_rows(workbook_lines(data, source=source), source, unit="row", max_rows=max_rows)
    return Day(date=date, rows=rows, left_blank=blank)


def day_csv(day: Day) -> str:
    """The counts as CSV in every column `parse_day_csv` reads (what `onebell held-over` writes)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in day.rows:
        arrived = "" if row.arrived_s is None else format_clock(row.arrived_s)[:5]
        back = "" if row.back_s is None else format_clock(row.back_s)[:5]
        writer.writerow(
            [row.building, row.parcels, row.shift or "", row.urgent, arrived, row.held_from or "", back]
        )
    return out.getvalue()


def counts_sheet(site: Site, *, chinese: bool = True) -> str:
    """A sheet to fill in at the gate, every building on a row of its own (zone by zone, as the
    map lists them) and the parcels column blank: filled in Excel or on paper and read back, a
    blank stays no parcels. Buildings are written by their name where it is theirs alone, as
    volunteers know them; the reader takes names back to ids (`with_building_ids`)."""
    ids, by_name = set(site.building_ids), _ids_by_name(site)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [COLUMN_NAMES_ZH["building"][0], COLUMN_NAMES_ZH["parcels"][0]]
        if chinese
        else ["building", "parcels"]
    )
    order = {zone.id: k for k, zone in enumerate(site.zones)}
    buildings = sorted(site.buildings, key=lambda b: order.get(b.zone or "", len(order)))
    for building in buildings:
        name = building.name.strip()
        own = by_name[name] == [building.id] and (name == building.id or name not in ids)
        writer.writerow([name if own else building.id, ""])
    return out.getvalue()


def _sheet_rows(
    lines: Iterator[tuple[int, list[str]]], source: str, unit: str = "line", max_rows: int | None = None
) -> tuple[tuple[CountRow, ...], tuple[str, ...]]:
    """Count rows from a sheet's lines — (line number, cell texts), the header first — of a CSV
    file or an Excel worksheet, and the buildings whose rows are left blank; `unit` is what
    messages call a line ("row" in Excel)."""
    try:
        number, cells = next(lines)
    except StopIteration:
        raise DayError(
            f"{source}: empty file; expected a header 'building,parcels'",
            zh=f"{_source_zh(source).strip()}：文件是空的；第一行应是表头 楼号,件数",
        ) from None
    named = [h.strip().lower() for h in cells]
    at = _Place.of(source, unit, number)
    unknown = [h for h in named if h not in _COLUMN_OF]
    if unknown:
        chinese = ", ".join(names[0] for names in COLUMN_NAMES_ZH.values())
        raise at.error(
            f"unknown column {unknown[0]!r}; use {', '.join(COLUMNS)} (or {chinese})",
            f"不认识「{unknown[0]}」这一列；表头请用 {'、'.join(names[0] for names in COLUMN_NAMES_ZH.values())}",
            field=unknown[0],
        )
    header = [_COLUMN_OF[h] for h in named]
    for column in header:
        if header.count(column) > 1:
            twice = [h for h, c in zip(named, header, strict=True) if c == column]
            raise at.error(
                f"{' and '.join(map(repr, twice))} are the same column ({column}); keep one",
                f"{'和'.join(f'「{h}」' for h in twice)}是同一列（{_zh(column)}）；只留一列",
                field=column,
            )
    for required in ("building", "parcels"):
        if required not in header:
            raise at.error(
                f"header has no '{required}' column", f"表头没有「{_zh(required)}」这一列", field=required
            )
    rows: list[CountRow] = []
    blank: list[str] = []
    section = 0  # where the rows a subtotal sums begin
    for line, values in lines:
        if not values or all(not v.strip() for v in values):
            continue
        if len(values) != len(header) and (unit == "line" or len(values) > len(header)):
            raise _Place.of(source, unit, line).error(
                f"{len(values)} fields, the header has {len(header)}",
                f"有 {len(values)} 格，表头只有 {len(header)} 格"
                if len(values) > len(header)
                else f"只有 {len(values)} 格，表头有 {len(header)} 格",
                field=f"{unit} {line}",
            )
        record = dict(zip(header, (v.strip() for v in values), strict=False))
        label = _total_label(record["building"])
        if label is not None:
            summed = rows if label in TOTAL_LABELS else rows[section:]
            _check_total(record, record["building"], summed, _Place.of(source, unit, line))
            section = len(rows) if label in SUBTOTAL_LABELS else section
            continue
        if not any(value for column, value in record.items() if column != "building"):
            blank.append(record["building"])  # left blank (`counts_sheet`): no parcels
            continue
        rows.append(_row(record, _Place.of(source, unit, line), line, unit))
        if max_rows is not None and len(rows) > max_rows:
            break
    return tuple(rows), tuple(blank)


def _check_total(record: Mapping[str, str], label: str, summed: Sequence[CountRow], where: _Place) -> None:
    """A total row's parcels (and urgent parcels, where it gives them) against the rows it sums:
    a count mistyped, or a row lost in copying, shows as a total that does not add up."""
    for column, en, zh in (("parcels", "parcels", "件"), ("urgent", "urgent parcels", "件加急")):
        stated = record.get(column, "")
        if stated == "":
            continue
        total = _count(stated, where, column)
        added = sum(row.parcels if column == "parcels" else row.urgent for row in summed)
        if total != added:
            raise where.error(
                f"the {label} row says {total} {en}, the rows it sums add up to {added}; "
                "correct the counts or the total (or delete the total row)",
                f"「{label}」这一行写的是 {total} {zh}，它合计的各行加起来是 {added} {zh}；"
                "请改正件数或合计（或删掉合计这一行）",
                field=column,
            )


def parse_day_json(text: str | Mapping[str, Any], *, source: str = "counts") -> Day:
    if isinstance(text, str):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise DayError(
                f"{source}: not valid JSON at line {error.lineno}: {error.msg}",
                zh=f"{_source_zh(source)}：第 {error.lineno} 行不是有效的 JSON（{error.msg}）",
            ) from error
    else:
        document = text
    if not isinstance(document, Mapping) or not isinstance(document.get("counts"), list):
        raise DayError(
            f'{source}: expected {{"date": ..., "counts": [...]}}',
            field="counts",
            zh=f'{_source_zh(source)}：要写成 {{"date": ..., "counts": [...]}}',
        )
    date = document.get("date")
    if date is not None and (not isinstance(date, str) or not _DATE.fullmatch(date)):
        raise DayError(
            f"{source}: date must be YYYY-MM-DD, got {date!r}",
            field="date",
            zh=f"{_source_zh(source)}：日期要写成 年-月-日（如 2022-04-28），现在是 {date!r}",
        )
    rows = []
    for number, record in enumerate(document["counts"], start=1):
        where = _Place.of(source, "entry", number)
        if not isinstance(record, Mapping):
            raise where.error("expected an object", "应是一个对象", field=f"counts[{number - 1}]")
        rows.append(_row(record, where, number, unit="entry"))
    return Day(date=date, rows=tuple(rows))


def _row(record: Mapping[str, Any], where: _Place, line: int, unit: str = "line") -> CountRow:
    building = record.get("building")
    if building is None or str(building).strip() == "":
        raise where.error("building is empty", "楼号是空的", field="building")
    parcels = _count(record.get("parcels"), where, "parcels")
    urgent_raw = record.get("urgent")
    urgent = 0 if urgent_raw in (None, "") else _count(urgent_raw, where, "urgent")
    if urgent > parcels:
        raise where.error(
            f"urgent ({urgent}) is more than parcels ({parcels}) for building {building}",
            f"楼 {building} 的加急件（{urgent}）比件数（{parcels}）多",
            field="urgent",
        )
    shift = record.get("shift")
    shift_id = None if shift in (None, "") else str(shift)
    arrived = _clock_cell(record, "arrived", "09:40", where, building)
    held_raw = record.get("held_from")
    held_from = None
    if held_raw not in (None, ""):
        held_from = _held_from(held_raw, where, str(building))
        if arrived is not None:
            raise where.error(
                f"building {building} has both arrived and held_from; parcels held over from "
                f"{held_from} are at the gate already, leave arrived empty",
                f"楼 {building} 既写了到达时间又写了留下日期；{held_from} 留下的件已经在门口，到达时间请留空",
                field="held_from",
            )
    back = _clock_cell(record, "back_at", "11:20", where, building)
    if back is not None and arrived is not None:
        raise where.error(
            f"building {building} has both arrived and back_at; parcels a trip brought back had "
            "stood at the gate before they went out, leave arrived empty",
            f"楼 {building} 既写了到达时间又写了带回时间；带回的件出发前已经在门口放过，到达时间请留空",
            field="back_at",
        )
    return CountRow(
        building=str(building).strip(),
        parcels=parcels,
        shift=shift_id,
        urgent=urgent,
        line=line,
        unit=unit,
        arrived_s=arrived,
        held_from=held_from,
        back_s=back,
    )


def _clock_cell(
    record: Mapping[str, Any], column: str, example: str, where: _Place, building: Any
) -> int | None:
    """A time of day a row may give (`arrived`, `back_at`): seconds since midnight, None if blank."""
    raw = record.get(column)
    if raw in (None, ""):
        return None
    seconds = parse_clock(raw)
    if seconds is None:
        raise where.error(
            f"{column} must be a time of day HH:MM, got {raw!r} for building {building}",
            f"{_zh(column)}要写成 时:分（如 {example}），楼 {building} 写的是「{raw}」",
            field=column,
        )
    return seconds


def _held_from(value: Any, where: _Place, building: str) -> str:
    text = str(value).strip()
    try:
        if _DATE.fullmatch(text):
            datetime.date.fromisoformat(text)
            return text
    except ValueError:
        pass
    raise where.error(
        f"held_from must be a date YYYY-MM-DD, got {text!r} for building {building}",
        f"留下日期要写成 年-月-日（如 2022-04-27），楼 {building} 写的是「{text}」",
        field="held_from",
    )


def _count(value: Any, where: _Place, name: str) -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            raise where.error(
                f"{name} must be a whole number, got {text!r}",
                f"{_zh(name)}要写整数（0、1、2 …），写的是「{text}」",
                field=name,
            )
        value = int(text)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise where.error(
            f"{name} must be a whole number, got {value!r}",
            f"{_zh(name)}要写整数（0、1、2 …），写的是「{value}」",
            field=name,
        )
    if value < 0:
        raise where.error(
            f"{name} must not be negative, got {value}", f"{_zh(name)}不能是负数，写的是 {value}", field=name
        )
    return value


def with_building_ids(day: Day, site: Site) -> Day:
    """The day with every row's building as the site's id. A coordinator's sheet often names a
    building as the map does ("3号楼") where the site's id is "3": a row that is not an id but
    is exactly one building's name gets that building's id. An id always wins over a name; a name
    two buildings share is refused, naming both ids. Buildings left blank get their id where it
    is clear which building is meant, and are otherwise dropped: they carry no parcels to refuse."""
    ids, by_name = set(site.building_ids), _ids_by_name(site)
    rows = []
    for row in day.rows:
        named = _named(row.building, ids, by_name)
        if row.building in ids or not named:
            rows.append(row)
            continue
        if len(named) > 1:
            raise _Place.of("", row.unit, row.line).error(
                f"{row.building!r} is the name of buildings {' and '.join(map(repr, named))}; "
                "write the building's id instead",
                f"「{row.building}」是 {'、'.join(named)} 这几栋楼共用的名字；请写楼号",
                field="building",
            )
        rows.append(dataclasses.replace(row, building=named[0]))
    blank = [
        b if b in ids else _named(b, ids, by_name)[0]
        for b in day.left_blank
        if b in ids or len(_named(b, ids, by_name)) == 1
    ]
    return Day(date=day.date, rows=tuple(rows), left_blank=tuple(dict.fromkeys(blank)))


def _named(text: str, ids: set[str], by_name: Mapping[str, list[str]]) -> list[str]:
    """The buildings a row's text that is not an id may mean: those of that name, else the one
    whose id its house number is ("12栋" for building 12, where the map names it "12号楼")."""
    return by_name.get(text) or ([number] if (number := house_number(text)) in ids else [])


def _ids_by_name(site: Site) -> dict[str, list[str]]:
    by_name: dict[str, list[str]] = {}
    for building in site.buildings:
        by_name.setdefault(building.name.strip(), []).append(building.id)
    return by_name


def check_day(day: Day, site: Site, operations: Operations) -> None:
    """Reject rows that name a building or a shift the site and roster do not have."""
    buildings = set(site.building_ids)
    shifts = {shift.id for shift in operations.shifts}
    for row in day.rows:
        at = _Place.of("", row.unit, row.line)
        if row.building not in buildings:
            raise at.error(
                f"unknown building {row.building!r} (site {site.id!r} has no building of that id or name)",
                f"没有「{row.building}」这栋楼（小区 {site.id} 没有这个楼号或楼名）",
                field="building",
            )
        if row.held_from is not None and day.date is not None and row.held_from >= day.date:
            raise at.error(
                f"building {row.building} held_from {row.held_from} is not before "
                f"the day ({day.date}); held-over parcels come from an earlier day",
                f"楼 {row.building} 的留下日期 {row.held_from} 不在这一天（{day.date}）之前；"
                "之前留下的件来自更早的日子",
                field="held_from",
            )
        if row.shift is not None and row.shift not in shifts:
            raise at.error(
                f"unknown shift {row.shift!r} for building {row.building}; "
                f"the roster has {', '.join(sorted(shifts))}",
                f"楼 {row.building} 的班次「{row.shift}」不在班表里；班表有 {'、'.join(sorted(shifts))}",
                field="shift",
            )
