"""CSV sheets the API hands out for Excel or WPS: the counts sheet to fill in, the district's day."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from optimizer.files import excel_csv

SHEET_ROUTE: dict[str, Any] = {
    "response_class": Response,
    "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
}
"""What a route that answers with `sheet_response` declares."""


def sheet_response(text: str, filename: str) -> Response:
    """Sent as a file to save, encoded for Excel (`excel_csv`)."""
    return Response(
        excel_csv(text),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
