"""The server's commands: db upgrade and token create (the bootstrap without the admin token)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from api.config import Settings, get_settings
from api.main import create_app
from tests.api.helpers import bearer, set_up_gelin


def test_a_token_made_on_the_command_line_creates_its_site(
    command_line: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["token", "create", "--site", "gelin-spring", "--role", "coordinator"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    with TestClient(create_app(Settings(data_dir=command_line))) as client:
        set_up_gelin(client, headers=bearer(token))
        assert [s["id"] for s in client.get("/sites", headers=bearer(token)).json()] == ["gelin-spring"]


def test_a_backup_taken_while_the_server_runs_holds_every_day_and_opens_as_the_database(
    command_line: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = {"Authorization": "Bearer admin-secret"}
    days = "/sites/gelin-spring/days"
    with TestClient(create_app(Settings(data_dir=command_line, admin_token="admin-secret"))) as client:
        set_up_gelin(client)
        for date, body in (
            ("2022-04-25", "building,parcels\n1,3\n2,5\n"),
            ("2022-04-26", "building,parcels\n7,9\n"),
        ):
            put = client.put(
                f"{days}/{date}/counts", content=body, headers={**admin, "Content-Type": "text/csv"}
            )
            assert put.status_code == 200, put.text
        asked = (
            "/sites",
            f"{days}/2022-04-25/counts",
            f"{days}/2022-04-26/counts",
            "/sites/gelin-spring/history",
        )
        before = [client.get(path, headers=admin).json() for path in asked]
        out = command_line / "backups" / "onebell-2022-04-26.sqlite3"
        out.parent.mkdir()
        assert main(["db", "backup", str(out)]) == 0  # the server still open on the database
    said = capsys.readouterr().out
    assert f"backed up 1 compounds, 2 days of counts and 0 plans to {out}" in said
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no partial copy left beside it
    restored = Settings(
        database_url=f"sqlite:///{out}", admin_token="admin-secret", data_dir=command_line / "r"
    )
    with TestClient(create_app(restored)) as client:
        assert [client.get(path, headers=admin).json() for path in asked] == before

    # An existing file is not replaced; a folder that is not there, or PostgreSQL, are named.
    written = out.read_bytes()
    assert main(["db", "backup", str(out)]) == 2
    assert f"{out} exists: give another file, or remove it first" in capsys.readouterr().err
    assert out.read_bytes() == written
    assert main(["db", "backup", str(command_line / "nowhere" / "b.sqlite3")]) == 2
    assert "cannot write the backup" in capsys.readouterr().err  # and names the missing folder
    assert not (command_line / "nowhere").exists()
    assert main(["db", "backup"]) == 2
    assert "give the file to write" in capsys.readouterr().err
    broken = command_line / "broken.sqlite3"
    broken.write_bytes(b"not a database, whatever its name" * 100)
    monkeypatch.setenv("ONEBELL_DATABASE_URL", f"sqlite:///{broken}")
    get_settings.cache_clear()
    assert main(["db", "backup", str(command_line / "b.sqlite3")]) == 2
    assert "file is not a database" in capsys.readouterr().err
    assert not (command_line / "b.sqlite3").exists() and not (command_line / ".b.sqlite3.partial").exists()
    monkeypatch.setenv("ONEBELL_DATABASE_URL", "postgresql+psycopg://postgres:secret@127.0.0.1:5432/test")
    get_settings.cache_clear()
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["db", "backup", str(command_line / "pg.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert "数据库是 postgresql" in err and "pg_dump -Fc" in err and "secret" not in err


def test_a_fresh_checkout_serves_from_a_data_folder_it_makes_itself(
    command_line: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first thing a new user runs is `onebell serve` where no `./data` exists yet."""
    fresh = command_line / "not" / "there" / "yet"
    monkeypatch.setenv("ONEBELL_DATA_DIR", str(fresh))
    get_settings.cache_clear()
    assert main(["db", "upgrade"]) == 0
    assert (fresh / "onebell.sqlite3").is_file()

    newer = command_line / "another"
    with TestClient(
        create_app(Settings(data_dir=newer, database_url=None, admin_token="admin-secret"))
    ) as client:
        sites = client.get("/sites", headers=bearer("admin-secret"))
        assert sites.status_code == 200 and sites.json() == []
    assert (newer / "onebell.sqlite3").is_file()


def test_a_database_that_cannot_be_opened_is_one_line_naming_the_setting_and_no_server_starts(
    command_line: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(args))
    monkeypatch.setenv("ONEBELL_DATABASE_URL", "postgresql+psycopg://postgres:secret@127.0.0.1:1/onebell")
    get_settings.cache_clear()
    assert main(["serve"]) == 2
    assert started == []
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert error.startswith(
        "onebell: error: cannot open the database postgresql+psycopg://postgres:***@127.0.0.1:1/"
    )
    assert "ONEBELL_DATABASE_URL" in error and "secret" not in error

    monkeypatch.delenv("ONEBELL_DATABASE_URL")
    blocked = command_line / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("ONEBELL_DATA_DIR", str(blocked / "data"))
    get_settings.cache_clear()
    assert main(["db", "upgrade"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"onebell: error: cannot make the data folder {blocked / 'data'}")
    assert "ONEBELL_DATA_DIR" in error
