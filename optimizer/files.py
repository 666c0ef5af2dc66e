"""Reading input files, with errors that say which file and where it broke."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optimizer.errors import OneBellError


def decode_text(data: bytes) -> str:
    """UTF-8 (a leading byte-order mark dropped), else GB18030: a sheet saved as CSV by Excel or
    WPS on a Chinese Windows machine is GBK, which GB18030 contains, and a coordinator cannot be
    asked to re-encode it. Raises UnicodeDecodeError (of the UTF-8 attempt) when neither fits."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as failure:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise failure from None


def excel_csv(text: str) -> bytes:
    """A CSV sheet as bytes for Excel or WPS: UTF-8 with a byte-order mark, because without one
    Excel on a Chinese Windows machine reads a CSV as GBK and shows the buildings' names garbled."""
    return text.encode("utf-8-sig")


def read_bytes(path: str | Path, *, what: str, error: type[OneBellError]) -> bytes:
    """The file's bytes, or `error` naming the file."""
    try:
        return Path(path).read_bytes()
    except OSError as failure:
        raise error(f"cannot read {what} file {path}: {failure.strerror}") from failure


def read_text(path: str | Path, *, what: str, error: type[OneBellError]) -> str:
    """The file's text (see `decode_text`), or `error` naming the file."""
    data = read_bytes(path, what=what, error=error)
    try:
        return decode_text(data)
    except UnicodeDecodeError as failure:
        raise error(f"{what} file {path}: not UTF-8 or GBK text (byte {failure.start})") from failure


def read_json(path: str | Path, *, what: str, error: type[OneBellError]) -> Any:
    """Parsed JSON of the file, or `error` naming the file, line and column."""
    text = read_text(path, what=what, error=error)
    try:
        return json.loads(text)
    except json.JSONDecodeError as failure:
        raise error(
            f"{what} file {path}: not valid JSON at line {failure.lineno}, column {failure.colno}: {failure.msg}"
        ) from failure
