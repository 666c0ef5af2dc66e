"""The API's own pages (/docs, /redoc) load everything from the server: a compound's office may
reach no foreign CDN, and the pages would be blank."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(("page", "kinds"), [("/docs", ("js", "css")), ("/redoc", ("js",))])
def test_the_api_pages_load_their_scripts_from_the_server(
    client: TestClient, page: str, kinds: tuple[str, ...]
) -> None:
    html = client.get(page)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in html.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    for source in sources:
        served = client.get(source)
        assert served.status_code == 200, source
        assert len(served.content) > 1000, source
    suffixes = {source.rsplit(".", 1)[-1] for source in sources}
    assert set(kinds) <= suffixes
