"""A planning job that fails says why in the client's language: the Chinese page shows Chinese."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api import jobs
from api.db.models import JobRow
from api.db.session import make_engine
from optimizer.errors import DayError
from tests.api.conftest import ADMIN
from tests.api.helpers import set_up_gelin

DATE = "2022-04-28"
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {**ADMIN, "Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"}


def _job(database_url: str, status: str, snapshot: dict[str, object] | None = None) -> str:
    job_id = str(uuid.uuid4())
    with Session(make_engine(database_url)) as session:
        session.add(
            JobRow(
                id=job_id,
                site_id="gelin-spring",
                date=DATE,
                status=status,
                time_limit_s=1,
                snapshot=snapshot or {},
            )
        )
        session.commit()
    return job_id


def _errors(client: TestClient, job_id: str) -> tuple[str, str, str]:
    zh = client.get(f"/jobs/{job_id}", headers=ZH).json()
    en = client.get(f"/jobs/{job_id}", headers=EN).json()
    day = client.get(f"/sites/gelin-spring/days/{DATE}", headers=ZH).json()
    assert zh["status"] == en["status"] == day["job"]["status"] == "failed"
    assert day["job"]["id"] == job_id
    assert day["job"]["error"] == zh["error"]
    return zh["error"], en["error"], client.get(f"/jobs/{job_id}", headers=ADMIN).json()["error"]


def test_a_job_cut_off_by_a_restart_says_so_in_either_language(client: TestClient, database_url: str) -> None:
    set_up_gelin(client)
    job_id = _job(database_url, "running")
    with Session(make_engine(database_url)) as session:
        assert jobs.recover(session) == []
    zh, en, plain = _errors(client, job_id)
    assert zh == "排路线时服务器停了，这次没有排出来；请再排一次"
    assert en == plain == jobs.RESTART_MESSAGE  # no Accept-Language: English, as before


def test_an_internal_error_says_so_in_either_language(client: TestClient, database_url: str) -> None:
    set_up_gelin(client)
    job_id = _job(database_url, "queued", {"not": "a snapshot"})
    jobs.run_job(database_url, job_id)  # in this process, as a worker would
    zh, en, _ = _errors(client, job_id)
    assert zh.startswith(jobs.INTERNAL_ERROR_ZH) and en.startswith("internal error while planning:")


def test_a_planning_error_written_in_chinese_too_is_shown_in_chinese(
    client: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up_gelin(client)
    job_id = _job(database_url, "queued")

    def refuses(*args: object, **kwargs: object) -> None:
        raise DayError("counts line 2: parcels must be a whole number", zh="件数表第 2 行：件数要写整数")

    monkeypatch.setattr(jobs, "_solve", refuses)
    jobs.run_job(database_url, job_id)
    zh, en, _ = _errors(client, job_id)
    assert (zh, en) == ("件数表第 2 行：件数要写整数", "counts line 2: parcels must be a whole number")
