"""The day's parcel counts: replace (PUT), append a later wave (POST), read (GET).

Bodies may be JSON (`{"date", "counts": [...]}`), CSV (`text/csv`) or a multipart upload with a
`file` field — JSON or CSV by the file's name, else its part's type, else its first character,
since a coordinator's file may be called anything. Validation happens before anything is written,
so a bad row changes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.config import Settings
from api.deps import PrincipalDep, SessionDep, SettingsDep, require
from api.errors import ERROR_RESPONSES, ApiError, ErrorResponse
from api.routes.params import DateText, SiteId, checked_date
from api.schemas import CountsOut
from api.store import count_rows, counts_out, save_counts, site_row
from optimizer.day import Day, parse_day_csv, parse_day_json
from optimizer.errors import DayError

router = APIRouter(tags=["counts"], responses=ERROR_RESPONSES)

_UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {"model": ErrorResponse, "description": "a body that is not JSON, CSV or a multipart file"}
}

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["counts"],
                    "properties": {
                        "date": {"type": "string"},
                        "counts": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["building", "parcels"],
                                "properties": {
                                    "building": {"type": "string"},
                                    "parcels": {"type": "integer", "minimum": 0},
                                    "shift": {"type": "string"},
                                    "urgent": {"type": "integer", "minimum": 0},
                                    "arrived": {"type": "string", "description": "HH:MM at the gate"},
                                },
                            },
                        },
                    },
                }
            },
            "text/csv": {
                "schema": {"type": "string", "description": "building,parcels[,shift,urgent,arrived]"}
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


async def _read_day(request: Request, date: str, settings: Settings) -> Day:
    media = _media(request.headers.get("content-type", ""))
    if media == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "invalid", "upload the counts as a form field named 'file'", field="file")
        text = _text(await upload.read())
        media = _file_media(upload.filename or "", _media(upload.content_type or ""), text)
    else:
        text = _text(await request.body())
    if media == "application/json":
        day = parse_day_json(text, source="counts")
        if day.date not in (None, date):
            raise DayError(f"counts: the body says date {day.date}, the path {date}", field="date")
    elif media in ("text/csv", "text/plain"):
        day = parse_day_csv(text, source="counts")
    else:
        raise ApiError(
            415, "unsupported_media_type", "send counts as application/json, text/csv or a multipart 'file'"
        )
    if len(day.rows) > settings.max_count_rows:
        raise ApiError(
            413, "too_many_rows", f"{len(day.rows)} count rows; at most {settings.max_count_rows} at once"
        )
    return day


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(422, "invalid", "the counts must be UTF-8 text", field="body") from None


def _file_media(name: str, part_media: str, text: str) -> str:
    """An uploaded file's format: by its name's ending (.json; .csv or .txt), else its part's
    type, else its content (JSON when it starts with `{`)."""
    ending = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if ending in ("json", "csv", "txt"):
        return "application/json" if ending == "json" else "text/csv"
    if part_media in ("application/json", "text/csv", "text/plain"):
        return part_media
    return "application/json" if text.lstrip().startswith("{") else "text/csv"


def _write(session: Session, site_id: str, date: str, day: Day, *, replace: bool) -> CountsOut:
    row = site_row(session, site_id)
    save_counts(session, row, date, day, replace=replace)
    return counts_out(site_id, date, count_rows(session, site_id, date))


@router.put(
    "/sites/{site_id}/days/{date}/counts",
    response_model=CountsOut,
    openapi_extra=_BODY,
    responses=_UNSUPPORTED,
)
async def replace_counts(
    site_id: SiteId,
    date: DateText,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> CountsOut:
    """Replace the day's counts with these rows, atomically."""
    require(principal, site_id, "courier")
    day = await _read_day(request, checked_date(date), settings)
    return await run_in_threadpool(_write, session, site_id, date, day, replace=True)


@router.post(
    "/sites/{site_id}/days/{date}/counts",
    response_model=CountsOut,
    openapi_extra=_BODY,
    responses=_UNSUPPORTED,
)
async def append_counts(
    site_id: SiteId,
    date: DateText,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
) -> CountsOut:
    """Add rows for a later wave; earlier rows stay."""
    require(principal, site_id, "courier")
    day = await _read_day(request, checked_date(date), settings)
    return await run_in_threadpool(_write, session, site_id, date, day, replace=False)


@router.get("/sites/{site_id}/days/{date}/counts", response_model=CountsOut)
def get_counts(site_id: SiteId, date: DateText, session: SessionDep, principal: PrincipalDep) -> CountsOut:
    require(principal, site_id, "courier")
    site_row(session, site_id)
    return counts_out(site_id, checked_date(date), count_rows(session, site_id, date))
