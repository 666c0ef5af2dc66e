"""Reading input files, with errors that say which file and where it broke."""

from __future__ import annotations

import errno
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


WHAT_ZH = {
    "day": "件数表",
    "site": "小区地图",
    "operations": "班表",
    "plan": "路线计划",
    "frozen plan": "要保留的路线计划",
    "OpenStreetMap export": "OpenStreetMap 导出",
    "households": "户数表",
    "returned": "带回的件表",
}
"""What a Chinese message calls each kind of file the CLI reads."""

_OS_REASONS_ZH = {
    errno.ENOENT: "没有这个文件（看看路径和文件名）",
    errno.EACCES: "没有读写它的权限",
    errno.EPERM: "没有读写它的权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径里有一段不是文件夹",
    errno.ENOSPC: "磁盘满了",
    errno.EROFS: "磁盘是只读的",
}


def os_reason_zh(failure: OSError) -> str:
    """Why the system refused a file, in Chinese: the usual reasons by name, others as it said."""
    return _OS_REASONS_ZH.get(failure.errno or 0, failure.strerror or str(failure))


def read_bytes(path: str | Path, *, what: str, error: type[OneBellError]) -> bytes:
    """The file's bytes, or `error` naming the file."""
    try:
        return Path(path).read_bytes()
    except OSError as failure:
        raise error(
            f"cannot read {what} file {path}: {failure.strerror}",
            zh=f"读不了{WHAT_ZH.get(what, what)}文件 {path}：{os_reason_zh(failure)}",
        ) from failure


def read_text(path: str | Path, *, what: str, error: type[OneBellError]) -> str:
    """The file's text (see `decode_text`), or `error` naming the file."""
    data = read_bytes(path, what=what, error=error)
    try:
        return decode_text(data)
    except UnicodeDecodeError as failure:
        raise error(
            f"{what} file {path}: not UTF-8 or GBK text (byte {failure.start})",
            zh=f"{WHAT_ZH.get(what, what)}文件 {path} 不是 UTF-8 或 GBK 文本（第 {failure.start} 个字节）",
        ) from failure


def read_json(path: str | Path, *, what: str, error: type[OneBellError]) -> Any:
    """Parsed JSON of the file, or `error` naming the file, line and column."""
    text = read_text(path, what=what, error=error)
    try:
        return json.loads(text)
    except json.JSONDecodeError as failure:
        raise error(
            f"{what} file {path}: not valid JSON at line {failure.lineno}, column {failure.colno}: {failure.msg}",
            zh=f"{WHAT_ZH.get(what, what)}文件 {path} 第 {failure.lineno} 行第 {failure.colno} 列不是有效的 JSON"
            f"（{failure.msg}）",
        ) from failure
