"""The server's commands: db upgrade and token create (the bootstrap without the admin token)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from api.config import Settings
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
