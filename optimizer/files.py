"""Reading input files, with errors that say which file and where it broke."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optimizer.errors import OneBellError


def read_text(path: str | Path, *, what: str, error: type[OneBellError]) -> str:
    """The file's text (a leading byte-order mark is dropped), or `error` naming the file."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as failure:
        raise error(f"cannot read {what} file {path}: {failure.strerror}") from failure
    except UnicodeDecodeError as failure:
        raise error(f"{what} file {path}: not UTF-8 text (byte {failure.start})") from failure


def read_json(path: str | Path, *, what: str, error: type[OneBellError]) -> Any:
    """Parsed JSON of the file, or `error` naming the file, line and column."""
    text = read_text(path, what=what, error=error)
    try:
        return json.loads(text)
    except json.JSONDecodeError as failure:
        raise error(
            f"{what} file {path}: not valid JSON at line {failure.lineno}, column {failure.colno}: {failure.msg}"
        ) from failure
