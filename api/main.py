"""The FastAPI application: routers, one error shape, migrations, job recovery and the backlog of
waiting plans on start."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.config import Settings, get_settings
from api.db.session import make_engine, make_sessions, upgrade
from api.errors import ApiError, message_for
from api.jobs import JobRunner, recover, recover_staffing
from api.queue import Backlog
from api.rendering import Renderer
from api.routes import (
    cards,
    counts,
    days,
    districts,
    history,
    maps,
    operations,
    plans,
    reports,
    sites,
    staffing,
    web,
)
from api.schema_errors import refusal
from optimizer.errors import OneBellError

log = logging.getLogger("onebell.api")


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
_HTTP_WORDS = {
    404: (
        "no such address: {path} (the API's addresses are listed at /docs)",
        "没有这个网址：{path}（网址列表在 /docs）",
    ),
    405: ("{path} does not take {method} (see /docs)", "网址 {path} 不接受 {method}（网址列表在 /docs）"),
}
"""Starlette's own refusals (an address or method no route has), worded like the API's."""


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": field}}, status_code=status)


def _too_large_words(max_bytes: int) -> tuple[str, str]:
    return f"the body is over {max_bytes} bytes", f"上传的内容超过 {max_bytes} 字节"


class BodyLimit:
    """Refuse bodies over the limit with 413 before a route reads them into memory."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    english, chinese = _too_large_words(self.max_bytes)
                    raise ApiError(413, "too_large", english, zh=chinese)
            return message

        await self.app(scope, limited, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        english, chinese = _too_large_words(self.max_bytes)
        language = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
        response = _error(413, "too_large", message_for(english, chinese, language))
        await response(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    database_url = settings.resolved_database_url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upgrade(database_url)
        engine = make_engine(database_url)
        app.state.sessions = make_sessions(engine)
        app.state.runner = JobRunner(database_url, workers=settings.workers)
        app.state.renderer = Renderer()
        with app.state.sessions() as session:
            for job_id in recover(session):
                app.state.runner.submit(job_id)
            for run_id in recover_staffing(session):
                app.state.runner.submit_staffing(run_id)
        app.state.backlog = Backlog(app.state.sessions, settings, app.state.runner.submit)
        app.state.runner.on_done = app.state.backlog.wake
        app.state.backlog.start()
        try:
            yield
        finally:
            app.state.backlog.stop()
            app.state.runner.shutdown()
            app.state.renderer.shutdown()
            engine.dispose()

    # The API's pages (/docs, /redoc) with their scripts served from here, not from a CDN: the
    # server runs in a sealed compound's office, where a foreign CDN may be slow or out of reach.
    app = FastAPIOffline(
        title="OneBell",
        version="0.1.0",
        summary="Parcel routes for volunteer courier teams: sites, daily counts, a plan per shift.",
        lifespan=lifespan,
        static_url="/static-docs",
    )
    app.dependency_overrides[get_settings] = lambda: settings
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "web" / "static"), name="static")
    for router in (
        sites.router,
        districts.router,
        operations.router,
        counts.router,
        plans.router,
        days.router,
        cards.router,
        maps.router,
        history.router,
        reports.router,
        staffing.router,
        web.router,
    ):
        app.include_router(router)

    @app.exception_handler(OneBellError)
    async def _domain(request: Request, error: OneBellError) -> JSONResponse:
        message = message_for(error.message, error.zh, request.headers.get("accept-language", ""))
        return _error(422, "invalid", message, error.field)

    @app.exception_handler(ApiError)
    async def _api(request: Request, error: ApiError) -> JSONResponse:
        message = message_for(error.message, error.zh, request.headers.get("accept-language", ""))
        return _error(error.status, error.code, message, error.field)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = error.errors()
        english, chinese, field = refusal(errors[0] if errors else {})
        message = message_for(english, chinese, request.headers.get("accept-language", ""))
        return _error(422, "invalid", message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        words = _HTTP_WORDS.get(error.status_code)
        where = {"path": request.url.path, "method": request.method}
        english, chinese = (text.format(**where) for text in words) if words else (str(error.detail),) * 2
        message = message_for(english, chinese, request.headers.get("accept-language", ""))
        return _error(error.status_code, _HTTP_CODES.get(error.status_code, "error"), message)

    return app
