"""Exceptions for input a coordinator has to fix.

Every message names the offending item (building id, row, field) and says what to change, so the
CLI can print it as one line and the API can return it as a 422 without rewording. Every message
carries a Chinese version beside the English, which the API gives to a client that asks for Chinese
and the CLI prints in a Chinese locale.
"""

from __future__ import annotations

from typing import Any


class OneBellError(ValueError):
    """Input that is wrong. A hard day (too many parcels) is not an error: it is data in the plan."""

    def __init__(self, message: str, *, field: str | None = None, zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.zh = zh
        """The same message in Chinese, for a page, client or terminal that asks for Chinese."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Whole across processes: the route cards are drawn in a worker process, and an error
        raised there must reach the API with its field and its Chinese."""
        return (_rebuilt, (type(self), self.message, self.field, self.zh))


def _rebuilt(kind: type[OneBellError], message: str, field: str | None, zh: str) -> OneBellError:
    return kind(message, field=field, zh=zh)


class SiteError(OneBellError):
    """The site GeoJSON is malformed or describes an impossible compound."""


class DayError(OneBellError):
    """The day's parcel counts are malformed or name things the site does not have."""


class OperationsError(OneBellError):
    """The roster, fleet, stop or gate settings are malformed."""


class PlanError(OneBellError):
    """A plan file cannot be read (for `onebell check` and the route cards)."""


def counts_source_zh(source: str) -> str:
    """What a Chinese message calls the counts it read: the API's body is "件数表" (the counts
    sheet), a file keeps its name."""
    return "件数表" if source == "counts" else source
