"""The compound map as SVG, with a plan's routes when asked (one colour per crew)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import PrincipalDep, SessionDep, require
from api.errors import ERROR_RESPONSES, not_found
from api.routes.params import SiteId
from api.routes.plans import visible_plan
from api.store import domain_site, site_row
from optimizer.cards.render import day_map_svg
from optimizer.graph import build_graph

router = APIRouter(tags=["maps"], responses=ERROR_RESPONSES)


@router.get(
    "/sites/{site_id}/map.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
)
def site_map(
    site_id: SiteId, session: SessionDep, principal: PrincipalDep, plan_id: str | None = None
) -> Response:
    require(principal, site_id, "viewer")
    row = site_row(session, site_id)
    plan = None
    if plan_id is not None:
        found = visible_plan(session, principal, plan_id)
        if found.site_id != site_id:
            raise not_found(f"plan {plan_id!r}", f"路线计划 {plan_id}")
        plan = found.document
    svg = day_map_svg(build_graph(domain_site(row)), plan)
    return Response(svg, media_type="image/svg+xml")
