"""How much of a printed page each part of a route card takes, so that a trip's map can be sized
for the whole trip — heading, map and stop table — to fit on one page.

A crew takes the page of the trip it is on; a trip whose last stops sit on the next page, under
the map of another trip, is a trip whose last stops get missed. WeasyPrint lays a document out
once (a second pass to measure would double the print time), so the heights here are WeasyPrint's
own, measured on these templates; `tests/optimizer/test_cards.py` lays the fixture days out and
checks that every trip sized to fit does fit. A trip too long for any map to leave it room (a
quiet day's 45-stop trip) keeps its map at full size and runs on, every page headed with its crew
and trip.
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

MM_PER_PT = 25.4 / 72
CELL_PADDING_MM = 3.0  # 1.5 mm on either side of a cell's text
ROW_PADDING_MM = 2.6  # 1.2 mm above and below, and the borders


@dataclass(frozen=True)
class Paper:
    """A paper size and the heights (mm) of the card's parts on it, as WeasyPrint lays them out."""

    css_size: str
    margin_mm: float
    body_height_mm: float  # inside the margins
    table_pt: float  # the stop table's font size
    columns_mm: tuple[float, ...]  # the stop table's columns but the note, which takes the rest
    body_width_mm: float
    card_head_mm: float  # the crew's title and facts, above its first trip
    # a line under the facts (trips already on the road, lanes closed): 7.6–8.1 mm laid out
    head_line_mm: float
    trip_head_mm: float
    line_mm: float  # a line of the stop table's text
    tick_row_mm: float  # a stop row is at least as tall as its tick box
    total_mm: float  # the crew's total, below its last trip
    map_width_mm: float
    min_map_mm: float  # a smaller map is no help to the crew: the trip runs on instead
    slack_mm: float = 3.0  # for rounding in the layout

    @property
    def note_mm(self) -> float:
        return self.body_width_mm - sum(self.columns_mm)

    @property
    def zone_mm(self) -> float:
        return self.columns_mm[2]

    def without_zone(self) -> Paper:
        """For a compound not split into zones: an empty column on every card tells the crew
        nothing, and the note beside it (a broken bell, urgent parcels) wraps less."""
        columns = list(self.columns_mm)
        columns[2] = 0.0
        return dataclasses.replace(self, columns_mm=tuple(columns))

    def row_mm(self, lines: int) -> float:
        return max(self.tick_row_mm, ROW_PADDING_MM + lines * self.line_mm)


# columns: sequence, building, zone, parcels, arrival, household to notify, [note], done
PAPERS = {
    "a4": Paper(
        css_size="A4",
        margin_mm=12,
        body_height_mm=297 - 24,
        table_pt=12,
        columns_mm=(12, 30, 14, 19, 17, 22, 15),
        body_width_mm=210 - 24,
        card_head_mm=26.5,
        head_line_mm=8.2,
        trip_head_mm=13.2,
        line_mm=6.15,
        tick_row_mm=9.7,
        total_mm=8.7,
        map_width_mm=150,
        min_map_mm=80,
    ),
    "a5": Paper(
        css_size="A5",
        margin_mm=8,
        body_height_mm=210 - 16,
        table_pt=12,
        columns_mm=(12, 22, 10, 15, 15, 21, 13),
        body_width_mm=148 - 16,
        card_head_mm=25,
        head_line_mm=8.2,
        trip_head_mm=13.2,
        line_mm=6.15,
        tick_row_mm=9.7,
        total_mm=8.7,
        map_width_mm=100,
        min_map_mm=55,
    ),
}


def text_mm(text: str, size_pt: float) -> float:
    """Width of `text` on one line: a wide (CJK) character takes an em, any other about half."""
    em = size_pt * MM_PER_PT
    wide = sum(1 for char in text if unicodedata.east_asian_width(char) in ("W", "F"))
    return em * (wide + 0.56 * (len(text) - wide))


def row_lines(cells: Sequence[str], widths_mm: Sequence[float], size_pt: float) -> int:
    """Lines the tallest of a row's wrapping cells takes (bold text is a little wider: +6%)."""
    lines = 1
    for text, width in zip(cells, widths_mm, strict=True):
        room = max(width - CELL_PADDING_MM, 1.0)
        lines = max(lines, math.ceil(1.06 * text_mm(text, size_pt) / room))
    return lines


@dataclass(frozen=True)
class MapBox:
    width_mm: float
    height_mm: float
    whole: bool  # the trip fits on one page with this map


def map_box(
    rows: Sequence[Sequence[str]],
    aspect: float,
    paper: Paper,
    *,
    first: bool,
    last: bool,
    head_lines: int = 0,
) -> MapBox:
    """The map's size for a trip whose stop rows hold these texts (building, household, note).

    `aspect` is the map's height over its width; `first` and `last` say whether the crew's title
    (and its `head_lines` under the facts) or total share the trip's page."""
    _, building, _, _, _, notify, _ = paper.columns_mm
    widths = (building, notify, paper.note_mm)
    table = ROW_PADDING_MM + paper.line_mm  # the column heads, one line
    table += sum(paper.row_mm(row_lines(row, widths, paper.table_pt)) for row in rows)
    head = paper.card_head_mm + head_lines * paper.head_line_mm
    rest = paper.trip_head_mm + table + (head if first else 0) + (paper.total_mm if last else 0)
    room = paper.body_height_mm - rest - paper.slack_mm - 2  # the map's own margins: 1 mm above and below
    full = paper.map_width_mm * aspect
    height = min(full, room)
    if height < min(full, paper.min_map_mm):
        return MapBox(paper.map_width_mm, full, whole=False)
    return MapBox(height / aspect, height, whole=True)
