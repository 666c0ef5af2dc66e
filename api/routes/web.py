"""The coordinator's page: a server-rendered shell; the page talks to the JSON API with the
site token the coordinator signs in with (kept in the browser's session storage only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.deps import SettingsDep
from api.web.labels import WEB_LABELS
from optimizer.day import COLUMN_NAMES_ZH
from optimizer.names import SHIFT_NAMES, vehicle_name
from optimizer.operations import SEALED_PAIR, VEHICLE_DEFAULTS, StopSettings, starting_operations
from optimizer.returns import REASONS

_COLUMN_NAMES = {name: column for column, names in COLUMN_NAMES_ZH.items() for name in names}
"""A pasted or uploaded sheet's Chinese headers, read by the page as the server reads them."""

router = APIRouter(include_in_schema=False)
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "web" / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


@router.get("/", response_class=HTMLResponse)
def coordinator_page(request: Request, settings: SettingsDep, lang: str = "zh") -> HTMLResponse:
    lang = lang if lang in WEB_LABELS else "zh"
    vehicles: dict[str, dict[str, Any]] = {
        mode: {"mode": mode, **start, "name": vehicle_name(mode, lang)}
        for mode, start in VEHICLE_DEFAULTS.items()
    }
    vehicles["sealed-pair"] = {**SEALED_PAIR, "name": WEB_LABELS[lang]["sealed_pair"]}
    html = _templates.get_template("index.html.j2").render(
        t=WEB_LABELS[lang],
        seconds=f"{settings.default_time_limit_s:g}",
        lang=lang,
        labels=WEB_LABELS[lang],
        column_names=_COLUMN_NAMES,
        reasons={reason: words[lang == "zh"] for reason, words in REASONS.items()},
        vehicles=vehicles,
        shift_names=SHIFT_NAMES[lang],
        starting=starting_operations(lang),
        default_wait_s=StopSettings().wait_s,
    )
    return HTMLResponse(html)
