"""Card rendering in a worker process (the function must be importable and its arguments plain)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from api.errors import ApiError
from optimizer.cards.render import cards_html, cards_pdf
from optimizer.graph import build_graph
from optimizer.site import parse_site

log = logging.getLogger("onebell.rendering")


class Renderer:
    """The process that draws route cards, started again when it dies. A renderer killed (out of
    memory on a large compound's cards) broke its pool for good: every later print of every
    compound answered 500 until the server was restarted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self.pool = self._new_pool()

    @staticmethod
    def _new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))

    async def render(
        self, site: dict[str, Any], plan: dict[str, Any], options: dict[str, str | None]
    ) -> bytes:
        """The cards; tried once more on a new process if the renderer died meanwhile (or died
        drawing them: a second death is answered, not retried again)."""
        loop = asyncio.get_running_loop()
        for _ in range(2):
            pool = self.pool
            try:
                rendered: bytes = await loop.run_in_executor(pool, render_cards, site, plan, options)
                return rendered
            except BrokenProcessPool:
                with self._lock:
                    if self.pool is pool and not self._closed:
                        log.error("the card renderer died; starting a new one")
                        pool.shutdown(wait=False, cancel_futures=True)
                        self.pool = self._new_pool()
        raise ApiError(
            503,
            "cards_failed",
            "the process drawing the cards stopped unexpectedly (out of memory?); print fewer at a "
            "time (one shift, or part=cards), and tell whoever runs the server",
            zh="画路线卡的进程意外停了（可能内存不够）；请少打印一些（一个班次，或只打路线卡），并告诉管理员",
        )

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            self.pool.shutdown(wait=False, cancel_futures=True)


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
