"""HTTP-facing errors. Every error leaves as {"error": {"code", "message", "field"}}."""

from __future__ import annotations

from pydantic import BaseModel


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, field: str | None = None, zh: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.zh = zh  # the message in Chinese, for a request that asks for it (`message_for`)


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


def prefers_chinese(accept_language: str) -> bool:
    """Whether the language a client ranks first is Chinese ("zh-CN,zh;q=0.9,en;q=0.8"): the
    coordinator's page asks so when it is shown in Chinese, and so does a Chinese browser."""
    best, best_q = "", -1.0
    for part in accept_language.split(","):
        tag, _, rest = part.strip().partition(";")
        q = 1.0
        if rest.strip().startswith("q="):
            try:
                q = float(rest.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > best_q:
            best, best_q = tag.strip().lower(), q
    return best == "zh" or best.startswith("zh-")


def message_for(message: str, zh: str | None, accept_language: str) -> str:
    """The message in Chinese where one is written and the client prefers Chinese."""
    return zh if zh and prefers_chinese(accept_language) else message


ROLES_ZH = {
    "admin": "管理员",
    "district": "街道办",
    "coordinator": "协调员",
    "courier": "志愿者",
    "viewer": "只读",
}
"""What the page calls a token's role in Chinese."""


def forbidden(role: str, needed: str) -> ApiError:
    """403 for a token whose role may not do this; `needed` is the role that may."""
    article = "the" if needed == "admin" else "a"
    return ApiError(
        403,
        "forbidden",
        f"a {role} token may not do this; it needs {article} {needed} token",
        zh=f"{ROLES_ZH.get(role, role)}的令牌不能做这件事，要用{ROLES_ZH.get(needed, needed)}的令牌",
    )


def not_found(what: str, what_zh: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found", zh=f"找不到{what_zh}")


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        401: "missing or unknown token",
        403: "the token's role may not do this",
        404: "not found (or not visible to this token)",
        409: "conflicts with the site's state",
        412: "the day's counts or the site's operations changed since the client read them (If-Match)",
        413: "body too large",
        422: "bad input; the message names the feature, row or field",
    }.items()
}
