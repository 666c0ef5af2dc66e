"""Route cards of a plan as PDF or HTML, drawn from the site the plan was made from.

Rendering is CPU work, so it runs in a worker process, never in the event loop.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import PrincipalDep, SessionDep
from api.errors import ERROR_RESPONSES
from api.routes.params import Lang
from api.routes.plans import visible_plan
from api.store import plan_site
from optimizer.cards.notices import notices_text
from optimizer.site import parse_site

router = APIRouter(tags=["cards"], responses=ERROR_RESPONSES)

Paper = Literal["a4", "a5"]
Part = Literal["all", "cards", "load_list"]


async def _cards(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    plan_id: str,
    options: dict[str, str | None],
) -> bytes:
    plan = await run_in_threadpool(visible_plan, session, principal, plan_id)
    site = await run_in_threadpool(plan_site, session, plan)
    rendered: bytes = await request.app.state.renderer.render(site, plan.document, options)
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
    part: Part = "all",
) -> Response:
    """All cards of the plan (or of one shift) with the sorter's load list, ready to print;
    `part` picks only the crews' cards or only the load list."""
    options = {"shift": shift, "lang": lang, "paper": paper, "part": part, "format": "pdf"}
    pdf = await _cards(request, session, principal, plan_id, options)
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
    part: Part = "all",
) -> Response:
    options = {"shift": shift, "lang": lang, "paper": paper, "part": part, "format": "html"}
    html = await _cards(request, session, principal, plan_id, options)
    return Response(html, media_type="text/html; charset=utf-8")


@router.get(
    "/plans/{plan_id}/notices.txt",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def notices(
    plan_id: str, session: SessionDep, principal: PrincipalDep, shift: str | None = None, lang: Lang = "zh"
) -> Response:
    """For each stop, text for the building's contact household — about when the crew comes and
    with how many parcels — to post in the building's group chat before the shift."""
    plan = visible_plan(session, principal, plan_id)
    text = notices_text(
        plan.document, parse_site(plan_site(session, plan), accepted=True), shift=shift, lang=lang
    )
    return Response(text, media_type="text/plain; charset=utf-8")
