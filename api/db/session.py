"""Engine and sessions. SQLite gets WAL and a busy timeout so solver processes can write progress
while the API reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from optimizer.errors import OneBellError
from optimizer.files import os_reason_zh

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseUnavailable(OneBellError):
    """The database the settings name cannot be opened: the server does not start, and says why
    in one line rather than a driver's traceback."""


def _sqlite_folder(database_url: str) -> None:
    """Make the embedded database's folder (`./data` on a fresh checkout): the first thing a new
    user runs is `onebell serve`, which migrates before anything else opens the file."""
    if not database_url.startswith("sqlite"):
        return
    path = database_url.split(":///", 1)[-1]
    if not path or path == ":memory:":
        return
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(
            f"cannot make the data folder {folder} ({error.strerror}): set ONEBELL_DATA_DIR to a folder "
            "this user may write",
            field="ONEBELL_DATA_DIR",
            zh=f"建不了数据文件夹 {folder}（{os_reason_zh(error)}）：把 ONEBELL_DATA_DIR 设成本用户能写的文件夹",
        ) from error


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        _sqlite_folder(database_url)
        engine = create_engine(database_url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(database_url, pool_pre_ping=True)


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema to the newest migration (`onebell db upgrade`, also run on start)."""
    _sqlite_folder(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    try:
        command.upgrade(config, revision)
    except OperationalError as error:
        where = make_url(database_url).render_as_string(hide_password=True)
        reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
        raise DatabaseUnavailable(
            f"cannot open the database {where}: {reason}. Check ONEBELL_DATABASE_URL (or ONEBELL_DATA_DIR "
            "for the embedded SQLite file) and that the database server is running",
            field="ONEBELL_DATABASE_URL",
            zh=f"打不开数据库 {where}：{reason}。请检查 ONEBELL_DATABASE_URL（内置 SQLite 文件看 ONEBELL_DATA_DIR），"
            "以及数据库服务器是否在运行",
        ) from error
