"""The compound map as SVG, with a plan's routes when asked (one colour per crew): on the map the
plan was made from, as its cards are, so a lane closed or a zone sealed since shows on the next plan,
not across this one's routes."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import PrincipalDep, SessionDep, require
from api.errors import ERROR_RESPONSES, not_found
from api.routes.params import SiteId
from api.routes.plans import visible_plan
from api.store import domain_site, plan_site, site_row
from optimizer.cards.render import day_map_svg
from optimizer.graph import build_graph
from optimizer.site import parse_site

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
    if plan_id is None:
        svg = day_map_svg(build_graph(domain_site(site_row(session, site_id))))
    else:
        found = visible_plan(session, principal, plan_id)
        if found.site_id != site_id:
            raise not_found(f"plan {plan_id!r}", f"路线计划 {plan_id}")
        svg = day_map_svg(build_graph(parse_site(plan_site(session, found), accepted=True)), found.document)
    return Response(svg, media_type="image/svg+xml")
