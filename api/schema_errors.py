"""What a request's schema refuses, worded for the coordinator in English and Chinese.

Pydantic words its refusals for programmers and in English only ("String should match pattern
'^\\d{4}-\\d{2}-\\d{2}$'", "1: JSON decode error"); every other message of the API names the field
and the value to fix in the client's language, so these are reworded here by the error's type, with
pydantic's own words as the fallback for a type no request of ours can meet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

FIELDS_ZH = {
    "again": "再加一次",
    "archived": "归档",
    "back_at": "回来时间",
    "building": "楼号",
    "building_id": "楼号",
    "compound": "小区名",
    "contact": "联系住户",
    "crew_id": "组",
    "date": "日期",
    "district": "街道",
    "district_id": "街道编号",
    "doorbell": "门铃",
    "from": "从哪天",
    "gate": "大门",
    "households": "户数",
    "held_over": "之前留下的件",
    "idempotency-key": "防重复提交的标识",
    "label": "给谁用",
    "lang": "语言",
    "limit": "条数",
    "needs_attention": "只看要处理的",
    "now": "现在的时间",
    "paper": "纸张",
    "parcels": "件数",
    "part": "打印哪部分",
    "plan_id": "计划编号",
    "policy": "送法",
    "reason": "原因",
    "replan": "重新计划",
    "returned": "带回的件",
    "role": "角色",
    "sealed": "封控",
    "shift": "班次",
    "site_id": "小区编号",
    "time_limit_s": "计算秒数",
    "try_s": "每次试算秒数",
    "to": "到哪天",
    "token_id": "令牌编号",
    "trip": "第几趟",
    "urgent": "急件",
    "zone_id": "片区编号",
    "lane_id": "道路编号",
    "closed": "封路",
}
"""The Chinese name of each field a request's schema checks, shown beside the field's own name."""

PATTERNS = {
    r"^\d{4}-\d{2}-\d{2}$": ("a date written YYYY-MM-DD, e.g. 2022-04-25", "日期要写成 2022-04-25 这样"),
    r"^\d{1,2}:\d{2}(:\d{2})?$": ("a time written HH:MM, e.g. 10:42", "时间要写成 10:42 这样"),
    r"^[A-Za-z0-9_.-]{1,100}$": (
        "1 to 100 letters, digits, '_', '.' or '-'",
        "只能用 1 到 100 个字母、数字或 _ . -",
    ),
}
"""What each pattern in the API's paths and queries asks for, in words."""

_WORDED: dict[str, tuple[str, str]] = {
    "missing": ("is required", "必须填写"),
    "extra_forbidden": ("is not a field of this request", "这个请求没有这一项"),
    "int_parsing": ("must be a whole number", "要写整数"),
    "int_type": ("must be a whole number", "要写整数"),
    "int_from_float": ("must be a whole number", "要写整数"),
    "float_parsing": ("must be a number", "要写数字"),
    "float_type": ("must be a number", "要写数字"),
    "bool_parsing": ("must be true or false", "要写 true 或 false"),
    "bool_type": ("must be true or false", "要写 true 或 false"),
    "string_type": ("must be text", "要写文字"),
    "greater_than": ("must be more than {gt}", "要大于 {gt}"),
    "greater_than_equal": ("must be at least {ge}", "不能小于 {ge}"),
    "less_than": ("must be less than {lt}", "要小于 {lt}"),
    "less_than_equal": ("must be at most {le}", "不能大于 {le}"),
    "string_too_short": ("must be at least {min_length} characters", "至少要 {min_length} 个字"),
    "string_too_long": ("must be at most {max_length} characters", "最多 {max_length} 个字"),
    "too_short": ("must have at least {min_length} items", "至少要 {min_length} 项"),
    "too_long": ("must have at most {max_length} items", "最多 {max_length} 项"),
    "literal_error": ("must be {expected}", "只能是 {expected_zh}"),
    "enum": ("must be {expected}", "只能是 {expected_zh}"),
    "list_type": ("must be a list", "要是一个列表 [ … ]"),
    "dict_type": ("must be an object", "要是一个对象 {{ … }}"),
    "model_type": ("must be an object", "要是一个对象 {{ … }}"),
    "model_attributes_type": ("must be an object", "要是一个对象 {{ … }}"),
}


def _number(value: object) -> object:
    """300.0 → 300: a limit reads as the coordinator wrote it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _given(value: object) -> tuple[str, str]:
    """What was sent, where it is short enough to quote."""
    if isinstance(value, bool) or value is None:  # as JSON writes them
        written = "null" if value is None else str(value).lower()
        return f", got {written}", f"，写的是 {written}"
    if isinstance(value, int | float) or (isinstance(value, str) and len(value) <= 40):
        shown = repr(value) if isinstance(value, str) else str(value)
        return f", got {shown}", f"，写的是「{value}」"
    return "", ""


def _where(loc: Sequence[str | int]) -> tuple[str, str | None]:
    """The field as the request names it ("replan.now", "counts[3].parcels"), and its Chinese name
    where it has one. The part of the request it came in (body, path, query) is left off: each
    field's name is unique across the three."""
    parts = list(loc[1:] if loc and loc[0] in ("body", "path", "query", "header") else loc)
    where = ""
    for part in parts:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    named = [part for part in parts if isinstance(part, str)]
    return where, FIELDS_ZH.get(named[-1]) if named else None


def refusal(error: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """One schema error as (English, Chinese, field): the field named, what it must be, what was
    sent. The body that is not JSON, or not an object, is named as the body."""
    kind = str(error.get("type", ""))
    ctx = {key: _number(value) for key, value in (error.get("ctx") or {}).items()}
    if kind == "json_invalid":
        at = error.get("loc", ("body", 0))[-1]
        reason = ctx.get("error", "")
        return (
            f"the body is not valid JSON (character {at}: {reason})",
            f"上传的内容不是有效的 JSON（第 {at} 个字符：{reason}）",
            "body",
        )
    where, name_zh = _where(error.get("loc", ()))
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERNS:
        english, chinese = PATTERNS[str(ctx["pattern"])]
        english = f"must be {english}"
    elif kind in _WORDED:
        expected = str(ctx.get("expected", ""))
        ctx["expected_zh"] = expected.replace("' or '", "'、'").replace("', '", "'、'")
        english, chinese = (text.format(**ctx) for text in _WORDED[kind])
    else:
        english, chinese = str(error.get("msg", "invalid input")), f"不合要求（{error.get('msg', '')}）"
    quoted = "input" in error and kind not in ("missing", "extra_forbidden")
    given_en, given_zh = _given(error["input"]) if quoted else ("", "")
    if not where:
        return f"the body {english}{given_en}", f"上传的内容{chinese}{given_zh}", "body"
    label = f"{where}（{name_zh}）" if name_zh else where
    return f"{where}: {english}{given_en}", f"{label}：{chinese}{given_zh}", where
