"""Times of the day as whole seconds since midnight, and their HH:MM:SS spelling."""

from __future__ import annotations

import re

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_clock(text: object) -> int | None:
    """Seconds since midnight for 'HH:MM' or 'HH:MM:SS' (24:00 allowed), or None if malformed.

    >>> parse_clock("08:30"), parse_clock("24:00"), parse_clock("8:61")
    (30600, 86400, None)
    """
    if not isinstance(text, str):
        return None
    match = _CLOCK.match(text.strip())
    if not match:
        return None
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if minutes > 59 or seconds > 59:
        return None
    total = hours * 3600 + minutes * 60 + seconds
    return total if total <= 86400 else None


def format_clock(seconds: int) -> str:
    """'HH:MM:SS' for seconds since midnight.

    >>> format_clock(29045)
    '08:04:05'
    """
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
