"""Property-based API tests from the app's own OpenAPI schema (schemathesis): whatever a client
sends, no 5xx, and every response matches the documented schema. Bounded examples per route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api.config import Settings
from api.main import create_app
from tests.api.conftest import ADMIN
from tests.helpers import FIXTURES

TINY = FIXTURES / "tiny"
EXAMPLES = 20


def _settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir, admin_token="admin-secret", workers=1, max_queued_jobs=3, default_time_limit_s=0.2
    )


OPERATIONS = [
    (path, method.upper())
    for path, item in create_app(_settings(Path("unused"))).openapi()["paths"].items()
    for method in item
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    app = create_app(_settings(tmp_path_factory.mktemp("schemathesis")))
    with TestClient(app) as client:
        client.put(
            "/sites/three-on-a-lane",
            json=json.loads((TINY / "three-on-a-lane.geojson").read_text()),
            headers=ADMIN,
        )
        client.put(
            "/sites/three-on-a-lane/operations",
            json=json.loads((TINY / "ops-one-tricycle.json").read_text()),
            headers=ADMIN,
        )
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_server_errors_and_responses_match_the_schema(
    api_schema: schemathesis.BaseSchema, path: str, method: str
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def exercise(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=ADMIN, excluded_checks=[schemathesis.checks.positive_data_acceptance])

    exercise()
