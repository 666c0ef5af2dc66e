"""Route cards of a plan as PDF or HTML, drawn from the site the plan was made from.

Rendering is CPU work, so it runs in a worker process, never in the event loop.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import PrincipalDep, SessionDep
from api.errors import ERROR_RESPONSES
from api.rendering import render_cards
from api.routes.plans import visible_plan

router = APIRouter(tags=["cards"], responses=ERROR_RESPONSES)

Lang = Literal["zh", "en"]
Paper = Literal["a4", "a5"]


async def _cards(
    request: Request, session: SessionDep, principal: PrincipalDep, plan_id: str, **options: str | None
) -> bytes:
    plan = await run_in_threadpool(visible_plan, session, principal, plan_id)
    loop = asyncio.get_running_loop()
    rendered: bytes = await loop.run_in_executor(
        request.app.state.render_pool, render_cards, plan.snapshot["site"], plan.document, options
    )
    return rendered


@router.get(
    "/plans/{plan_id}/cards.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
)
async def cards_pdf(
    plan_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    shift: str | None = None,
    lang: Lang = "zh",
    paper: Paper = "a4",
) -> Response:
    """All cards of the plan (or of one shift) with the sorter's load list, ready to print."""
    pdf = await _cards(
        request, session, principal, plan_id, shift=shift, lang=lang, paper=paper, format="pdf"
    )
    return Response(pdf, media_type="application/pdf")


@router.get(
    "/plans/{plan_id}/cards.html",
    response_class=Response,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def cards_html(
    plan_id: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    shift: str | None = None,
    lang: Lang = "zh",
    paper: Paper = "a4",
) -> Response:
    html = await _cards(
        request, session, principal, plan_id, shift=shift, lang=lang, paper=paper, format="html"
    )
    return Response(html, media_type="text/html; charset=utf-8")
