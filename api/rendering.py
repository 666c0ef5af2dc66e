"""Card rendering in a worker process (the function must be importable and its arguments plain)."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from api.errors import ApiError
from api.process_pool import RenewingPool
from optimizer.cards.render import cards_html, cards_pdf
from optimizer.graph import build_graph
from optimizer.site import parse_site


class Renderer:
    """The process that draws route cards, started again when it dies. A renderer killed (out of
    memory on a large compound's cards) broke its pool for good: every later print of every
    compound answered 500 until the server was restarted."""

    def __init__(self) -> None:
        self.processes = RenewingPool(
            lambda: ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")),
            what="the card renderer",
        )

    async def render(
        self, site: dict[str, Any], plan: dict[str, Any], options: dict[str, str | None]
    ) -> bytes:
        """The cards; tried once more on a new process if the renderer died meanwhile (or died
        drawing them: a second death is answered, not retried again)."""
        for _ in range(2):
            future, pool = self.processes.submit(render_cards, site, plan, options)
            try:
                rendered: bytes = await asyncio.wrap_future(future)
                return rendered
            except BrokenProcessPool:
                if not self.processes.renew(pool):
                    break
        raise ApiError(
            503,
            "cards_failed",
            "the process drawing the cards stopped unexpectedly (out of memory?); print fewer at a "
            "time (one shift, or part=cards), and tell whoever runs the server",
            zh="画路线卡的进程意外停了（可能内存不够）；请少打印一些（一个班次，或只打路线卡），并告诉管理员",
        )

    def shutdown(self) -> None:
        self.processes.shutdown()


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
