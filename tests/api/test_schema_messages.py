"""What a request's schema refuses (pydantic, before a route reads it) answers like every other
refusal: the field named, what it must be and what was sent, in the client's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.schema_errors import _WORDED, FIELDS_ZH, PATTERNS, refusal
from tests.api.conftest import ADMIN
from tests.api.helpers import set_up_gelin

PLANS = "/sites/gelin-spring/days/2022-04-25/plans"
ZH = {**ADMIN, "Accept-Language": "zh-CN,zh;q=0.9"}


def _error(response: Any) -> dict[str, str]:
    body: dict[str, dict[str, str]] = response.json()
    return body["error"]


@pytest.mark.parametrize(
    ("method", "path", "body", "english", "chinese", "field"),
    [
        (
            "post",
            PLANS,
            {"time_limit_s": "soon"},
            "time_limit_s: must be a number, got 'soon'",
            "time_limit_s（计算秒数）：要写数字，写的是「soon」",
            "time_limit_s",
        ),
        (
            "post",
            PLANS,
            {"time_limit_s": 301},
            "time_limit_s: must be at most 300, got 301",
            "time_limit_s（计算秒数）：不能大于 300，写的是「301」",
            "time_limit_s",
        ),
        (
            "post",
            PLANS,
            {"policy": "shout"},
            "policy: must be 'notify_one' or 'ring_each', got 'shout'",
            "policy（送法）：只能是 'notify_one'、'ring_each'，写的是「shout」",
            "policy",
        ),
        (
            "post",
            PLANS,
            {"speed": 3},
            "speed: is not a field of this request",
            "speed：这个请求没有这一项",
            "speed",
        ),
        (
            "post",
            PLANS,
            {"replan": {}},
            "replan.now: is required",
            "replan.now（现在的时间）：必须填写",
            "replan.now",
        ),
        ("post", PLANS, [1], "the body must be an object", "上传的内容要是一个对象 { … }", "body"),
        (
            "get",
            "/sites/gelin-spring/days/25-04-2022/counts",
            None,
            "date: must be a date written YYYY-MM-DD, e.g. 2022-04-25, got '25-04-2022'",
            "date（日期）：日期要写成 2022-04-25 这样，写的是「25-04-2022」",
            "date",
        ),
        (
            "get",
            "/sites/gelin-spring/history?limit=x",
            None,
            "limit: must be a whole number, got 'x'",
            "limit（条数）：要写整数，写的是「x」",
            "limit",
        ),
        (
            "put",
            "/sites/gelin-spring/archived",
            {"archived": "maybe"},
            "archived: must be true or false, got 'maybe'",
            "archived（归档）：要写 true 或 false，写的是「maybe」",
            "archived",
        ),
        (
            "post",
            "/sites/gelin-spring/tokens",
            {"role": "courier", "label": "x" * 201},
            "label: must be at most 200 characters",
            "label（给谁用）：最多 200 个字",
            "label",
        ),
    ],
)
def test_a_schema_refusal_names_the_field_and_the_value_in_the_clients_language(
    client: TestClient, method: str, path: str, body: Any, english: str, chinese: str, field: str
) -> None:
    set_up_gelin(client)
    before = client.get("/sites/gelin-spring/history", headers=ADMIN).json()
    for headers, expected in ((ADMIN, english), (ZH, chinese)):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert _error(response) == {"code": "invalid", "message": expected, "field": field}
    assert client.get("/sites/gelin-spring/history", headers=ADMIN).json() == before  # nothing changed


def test_a_body_that_is_not_json_and_addresses_the_api_lacks_are_worded_too(client: TestClient) -> None:
    set_up_gelin(client)
    broken = client.post(
        PLANS, content=b'{"time_limit_s": 5', headers={**ZH, "Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert _error(broken)["field"] == "body"
    assert _error(broken)["message"].startswith("上传的内容不是有效的 JSON（第 18 个字符：")
    nowhere = client.get("/sitez", headers=ADMIN)
    assert (nowhere.status_code, _error(nowhere)["code"]) == (404, "not_found")
    assert _error(nowhere)["message"] == "no such address: /sitez (the API's addresses are listed at /docs)"
    assert _error(client.get("/sitez", headers=ZH))["message"] == "没有这个网址：/sitez（网址列表在 /docs）"
    wrong = client.delete("/sites", headers=ZH)
    assert (wrong.status_code, _error(wrong)["message"]) == (
        405,
        "网址 /sites 不接受 DELETE（网址列表在 /docs）",
    )
    declared = client.put(
        "/sites/gelin-spring/days/2022-04-25/counts",
        content=b"x",
        headers={**ZH, "Content-Type": "text/csv", "Content-Length": str(10**9)},
    )
    assert declared.status_code == 413 and _error(declared)["message"].startswith("上传的内容超过 ")


UNREFUSED = {"accept-language", "if-match", "if-none-match", "job_id", "run_id", "plan_id", "shift_id"}
"""Headers and path parts the schema takes as any text: nothing there for it to refuse."""

CONTEXT = {
    "gt": 0.0,
    "ge": 1,
    "lt": 5,
    "le": 300.0,
    "min_length": 4,
    "max_length": 200,
    "expected": "'a' or 'b'",
}


@pytest.mark.parametrize("kind", sorted(_WORDED))
def test_every_worded_type_reads_whole_in_both_languages(kind: str) -> None:
    """A wording that leaves a brace unfilled, or fails to fill, would turn a 422 into a 500."""
    english, chinese, field = refusal(
        {"type": kind, "loc": ("body", "replan", "now"), "msg": "m", "input": "q", "ctx": CONTEXT}
    )
    assert field == "replan.now"
    assert english.startswith("replan.now: ") and chinese.startswith("replan.now（现在的时间）：")
    assert not re.search(r"\{\w*\}", english + chinese) and ".0" not in english + chinese


def test_a_type_no_wording_covers_keeps_pydantics_words_and_the_path_in_a_list() -> None:
    english, chinese, field = refusal(
        {
            "type": "uuid_parsing",
            "loc": ("body", "counts", 3, "plan_id"),
            "msg": "Input should be a valid UUID",
        }
    )
    assert (english, field) == ("counts[3].plan_id: Input should be a valid UUID", "counts[3].plan_id")
    assert chinese == "counts[3].plan_id（计划编号）：不合要求（Input should be a valid UUID）"


def test_every_pattern_and_field_name_the_api_checks_is_worded(client: TestClient) -> None:
    """A field or pattern added to a request later gets its words here, or this fails."""
    spec = client.get("/openapi.json").json()
    names, patterns = set(), set()

    def walk(node: Any, name: str | None = None) -> None:
        if isinstance(node, dict):
            if "pattern" in node and isinstance(node["pattern"], str):
                patterns.add(node["pattern"])
            if isinstance(node.get("properties"), dict):
                names.update(node["properties"])
            for key, value in node.items():
                walk(value, key)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in spec["paths"].values():
        for operation in path.values():
            names.update(p["name"] for p in operation.get("parameters", []))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref") or next(
                (s.get("$ref") for s in body.get("schema", {}).get("anyOf", []) if "$ref" in s), None
            )
            if ref:
                walk(spec["components"]["schemas"][ref.rsplit("/", 1)[1]])
            walk(operation.get("parameters", []))
    assert patterns <= set(PATTERNS)
    unworded = sorted(names - set(FIELDS_ZH) - UNREFUSED)
    assert not unworded, unworded
