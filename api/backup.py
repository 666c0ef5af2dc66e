"""A copy of the embedded SQLite database, taken while the server runs.

A compound's coordinator may run OneBell on one laptop for the whole lockdown: the counts, plans
and history of every day are in one SQLite file, and a dead disk would take them all. Copying the
file while the server writes can catch it mid-transaction (and misses what WAL has not folded in),
so the copy is SQLite's own online backup, written beside the target and renamed into place only
once whole and checked: a backup that failed leaves nothing that looks like one. PostgreSQL has
its own tool for this (pg_dump), which the message names.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from optimizer.errors import OneBellError
from optimizer.files import os_reason_zh


class BackupError(OneBellError):
    """The backup cannot be written where asked, or the database is not one this command copies."""


@dataclass(frozen=True)
class BackedUp:
    path: Path
    sites: int
    count_days: int
    plans: int
    bytes: int


def backup(database_url: str, out: str | Path) -> BackedUp:
    """Copy the SQLite database at `database_url` to `out`, which must not exist yet."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        shown = url.render_as_string(hide_password=True)
        raise BackupError(
            f"the database is {url.get_backend_name()} ({shown}), not the embedded SQLite file: back it up "
            f"with its own tool, e.g. pg_dump -Fc -f onebell.dump '{shown}'",
            field="database_url",
            zh=f"数据库是 {url.get_backend_name()}（{shown}），不是内置的 SQLite 文件：请用它自己的工具备份，"
            f"如 pg_dump -Fc -f onebell.dump '{shown}'",
        )
    source = Path(url.database or "")
    if not url.database or not source.is_file():
        raise BackupError(
            f"there is no database at {source} yet: nothing to back up (is ONEBELL_DATA_DIR right?)",
            field="database_url",
            zh=f"{source} 还没有数据库：没有可备份的（ONEBELL_DATA_DIR 设对了吗？）",
        )
    target = Path(out)
    if target.exists():  # an earlier backup is not to be replaced unasked
        raise BackupError(
            f"{target} exists: give another file, or remove it first",
            field="out",
            zh=f"{target} 已经存在：请换一个文件名，或先删掉它",
        )
    if not target.parent.is_dir():
        raise BackupError(
            f"cannot write the backup {target}: there is no folder {target.parent}",
            field="out",
            zh=f"写不了备份文件 {target}：没有文件夹 {target.parent}",
        )
    partial = target.with_name(f".{target.name}.partial")
    try:
        counted = _copied(source, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as failure:
        partial.unlink(missing_ok=True)
        reason, reason_zh = (
            (failure.strerror or str(failure), os_reason_zh(failure))
            if isinstance(failure, OSError)
            else (str(failure), str(failure))
        )
        raise BackupError(
            f"cannot back up {source} to {target}: {reason}",
            field="out",
            zh=f"没能把 {source} 备份到 {target}：{reason_zh}",
        ) from failure
    return BackedUp(target, *counted, bytes=target.stat().st_size)


def _copied(source: Path, partial: Path) -> tuple[int, int, int]:
    """SQLite's online backup of `source` into `partial`, checked whole; what it holds."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(partial)) as writing:
        reading.backup(writing)
        checked = writing.execute("PRAGMA integrity_check").fetchone()[0]
        if checked != "ok":
            raise sqlite3.DatabaseError(f"the copy did not check out: {checked}")
        return _counted(writing)


def _counted(connection: sqlite3.Connection) -> tuple[int, int, int]:
    """Compounds, days with counts and plans in the copy: what the command says it saved."""
    sites = connection.execute("SELECT count(*) FROM sites").fetchone()[0]
    days = connection.execute("SELECT count(*) FROM (SELECT DISTINCT site_id, date FROM counts)").fetchone()[
        0
    ]
    plans = connection.execute("SELECT count(*) FROM plans").fetchone()[0]
    return int(sites), int(days), int(plans)
