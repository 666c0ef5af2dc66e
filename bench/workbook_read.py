"""Reading a day's counts from an Excel workbook (`optimizer.day.parse_day_xlsx`), with and
without one formula among the counts: a workbook holding formulas is read a second time for them
(a formula saved without its value is refused rather than read as a blank cell), one without any
is read once as before.

Prints, per sheet size, the medians of the two reads taken in turn in one process, and their
ratio. The formula is saved with its value, as Excel and WPS save it.

Run: python -m bench.workbook_read [--repeat 7]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import zipfile

from optimizer.day import parse_day_xlsx

SIZES = (125, 2_000, 20_000)
"""A compound's buildings, a day's rows with waves and held-over parcels, and the server's
default row limit (ONEBELL_MAX_COUNT_ROWS)."""


def workbook(rows: int, *, formula: bool) -> bytes:
    """A sheet of `rows` buildings with 3 parcels each; with `formula`, one more whose count is
    =1+2 with its value 3 kept beside it."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["楼号", "件数"])
    for building in range(1, rows + 1):
        sheet.append([str(building), 3])
    if formula:
        sheet.append([str(rows + 1), "=1+2"])
    out = io.BytesIO()
    book.save(out)
    if not formula:
        return out.getvalue()
    saved = io.BytesIO()  # openpyxl keeps no value of a formula; Excel does
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>")
            target.writestr(entry, data)
    return saved.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"{'rows':>7}{'plain ms':>10}{'formula ms':>12}{'ratio':>7}")
    for rows in SIZES:
        books = {"plain": workbook(rows, formula=False), "formula": workbook(rows, formula=True)}
        assert len(parse_day_xlsx(books["formula"]).rows) == rows + 1  # the formula's value is read
        times: dict[str, list[float]] = {name: [] for name in books}
        for _ in range(args.repeat):
            for name, data in books.items():
                started = time.perf_counter()
                parse_day_xlsx(data)
                times[name].append((time.perf_counter() - started) * 1000)
        plain, formula = (statistics.median(times[name]) for name in ("plain", "formula"))
        print(f"{rows:>7}{plain:>10.0f}{formula:>12.0f}{formula / plain:>7.2f}")


if __name__ == "__main__":
    main()
