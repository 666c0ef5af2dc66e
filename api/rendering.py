"""Card rendering in a worker process (the function must be importable and its arguments plain)."""

from __future__ import annotations

from typing import Any

from optimizer.cards.render import cards_html, cards_pdf
from optimizer.graph import build_graph
from optimizer.site import parse_site


def render_cards(
    site_document: dict[str, Any], plan: dict[str, Any], options: dict[str, str | None]
) -> bytes:
    site_graph = build_graph(parse_site(site_document, accepted=True))
    shift = options.get("shift")
    lang, paper, part = (
        options.get("lang") or "zh",
        options.get("paper") or "a4",
        options.get("part") or "all",
    )
    if options.get("format") == "html":
        return cards_html(plan, site_graph, shift=shift, lang=lang, paper=paper, part=part).encode("utf-8")
    return cards_pdf(plan, site_graph, shift=shift, lang=lang, paper=paper, part=part)
