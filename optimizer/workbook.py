"""Counts from an Excel workbook (.xlsx), as Excel and WPS save them: the coordinator's sheet as it
is, without a detour through "Save as CSV" (which on a Chinese Windows machine writes GBK)."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator

from optimizer.errors import DayError, counts_source_zh

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_UNPACKED_BYTES = 64 * 2**20
"""A workbook is a zip of XML: a few megabytes can unpack to gigabytes, which the reader would
hold in memory (its shared strings) or spend minutes on. A day's counts of 20,000 rows unpack to
about 4 MB."""


def workbook_lines(data: bytes, *, source: str) -> Iterator[tuple[int, list[str]]]:
    """The first worksheet's rows as (row number, cell texts), the texts as a CSV of the sheet
    would hold them: a count Excel stores as 12.0 is "12", a time cell "09:40", a date cell
    "2022-04-27". Empty cells past the last filled one are left off."""
    from openpyxl import load_workbook  # 0.2 s to import: only when a workbook comes
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except unreadable as error:
        raise _not_a_workbook(source, error) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise DayError(
            f"{source}: the workbook unpacks to {unpacked // 2**20} MiB, more than a day's counts "
            f"need (at most {MAX_UNPACKED_BYTES // 2**20} MiB); keep only the counts sheet",
            zh=f"{counts_source_zh(source)}：这个工作簿解开有 {unpacked // 2**20} MiB，比一天的件数大得多"
            f"（最多 {MAX_UNPACKED_BYTES // 2**20} MiB）；请只留件数那一张表",
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # formulas as written, read only where the file has any (Excel's and WPS's sheets of typed
        # counts have none): a formula saved without its value reads as a blank cell otherwise
        written = load_workbook(io.BytesIO(data), read_only=True) if _has_formulas(data) else None
    except unreadable as error:
        raise _not_a_workbook(source, error) from None
    try:
        values = book.worksheets[0].iter_rows(values_only=True)
        formulas = written.worksheets[0].iter_rows(values_only=True) if written is not None else iter(())
        for number, cells in enumerate(values, start=1):
            texts = [_text(value) for value in cells]
            for column, formula in enumerate(next(formulas, ())):
                if isinstance(formula, str) and formula.startswith("=") and cells[column] is None:
                    raise _uncomputed(source, number, column, formula)
            while texts and not texts[-1]:
                texts.pop()
            yield number, texts
    finally:
        book.close()
        if written is not None:
            written.close()


def _has_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = (
            archive.read(entry)
            for entry in archive.namelist()
            if entry.startswith("xl/worksheets/") and entry.endswith(".xml")
        )
        return any(b"</f>" in xml or b"<f " in xml for xml in sheets)


def _uncomputed(source: str, row: int, column: int, formula: str) -> DayError:
    """A formula the file keeps no value of: a workbook written by a program that does not compute
    formulas (Excel and WPS save each one's value). Read as blank, its building's parcels would
    be left out without a word."""
    from openpyxl.utils import get_column_letter

    cell = f"{get_column_letter(column + 1)}{row}"
    return DayError(
        f"{source} row {row}: cell {cell} holds a formula ({formula}) whose value the file does not keep; "
        "open the workbook in Excel or WPS and save it again, or type the numbers",
        field=f"row {row}",
        zh=f"{counts_source_zh(source)}第 {row} 行：{cell} 格是公式（{formula}），文件里没有存它算出的数；"
        "请用 Excel 或 WPS 打开再保存一次，或直接填数字",
    )


def _not_a_workbook(source: str, error: Exception) -> DayError:
    return DayError(
        f"{source}: not an Excel workbook (.xlsx) that can be read ({type(error).__name__}); "
        "save it again from Excel or WPS, or as CSV",
        zh=f"{counts_source_zh(source)}：读不了，不是 Excel 工作簿（.xlsx）；请用 Excel 或 WPS 重新保存，或另存为 CSV",
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()  # a date cell (held_from)
        if value.year < 1901:
            return value.strftime("%H:%M")  # a time of day Excel keeps on its day zero
        return value.isoformat(" ", "minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value).strip()
