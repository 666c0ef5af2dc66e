"""HTTP-facing errors. Every error leaves as {"error": {"code", "message", "field"}}."""

from __future__ import annotations

from pydantic import BaseModel


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        401: "missing or unknown token",
        403: "the token's role may not do this",
        404: "not found (or not visible to this token)",
        409: "conflicts with the site's state",
        413: "body too large",
        422: "bad input; the message names the feature, row or field",
    }.items()
}
