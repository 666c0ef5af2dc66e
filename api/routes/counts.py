"""The day's parcel counts: replace (PUT), append a later wave (POST), read (GET), check without
storing (POST .../counts/read), what an earlier day's plan left undelivered — said (GET), added
(POST) or taken off the day on purpose (DELETE .../counts/held-over) — and the sheet to fill in
(GET /sites/{site}/counts/sheet.csv).

Bodies may be JSON (`{"date", "counts": [...]}`), CSV (`text/csv`), an Excel workbook or a
multipart upload with a `file` field — by the file's name, else its part's type, else its first
bytes, since a coordinator's file may be called anything. Validation happens before anything is
written, so a bad row changes nothing.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.auth import Principal
from api.config import Settings
from api.db.models import HeldSetAsideRow, PlanRow
from api.deps import PrincipalDep, SessionDep, SettingsDep, require
from api.errors import ERROR_RESPONSES, ApiError, ErrorResponse
from api.held_over import carried_over, forget_set_aside, hold_over, latest_plan_before, set_aside, stored_day
from api.history import record
from api.routes.params import DateText, Lang, SiteId, checked_date
from api.routes.plans import visible_plan
from api.routes.sheets import SHEET_ROUTE, sheet_response
from api.schemas import CountsOut, CountsRead, HeldOverOut
from api.store import (
    check_counts_tag,
    checked_counts,
    count_rows,
    counts_out,
    domain_site,
    save_counts,
    site_row,
    tagged_counts,
)
from optimizer.day import Day, counts_sheet, parse_day_csv, parse_day_json, parse_day_xlsx
from optimizer.errors import DayError
from optimizer.files import decode_text
from optimizer.workbook import XLSX_MEDIA

router = APIRouter(tags=["counts"], responses=ERROR_RESPONSES)

_UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {
        "model": ErrorResponse,
        "description": "a body that is not JSON, CSV, a workbook or a multipart file",
    }
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
                                    "held_from": {
                                        "type": "string",
                                        "description": "YYYY-MM-DD: held over from that earlier day",
                                    },
                                    "back_at": {
                                        "type": "string",
                                        "description": "HH:MM a trip brought them back; sent out again",
                                    },
                                },
                            },
                        },
                    },
                }
            },
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "building,parcels[,shift,urgent,arrived,held_from,back_at]",
                }
            },
            XLSX_MEDIA: {
                "schema": {"type": "string", "format": "binary", "description": "an Excel workbook"}
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
            raise ApiError(
                422,
                "invalid",
                "upload the counts as a form field named 'file'",
                field="file",
                zh="上传件数表时，表单字段名要叫 file",
            )
        data = await upload.read()
        media = _file_media(upload.filename or "", _media(upload.content_type or ""), data)
    else:
        data = await request.body()
    if media == XLSX_MEDIA:  # unzipping and reading XML: off the event loop
        day = await run_in_threadpool(
            functools.partial(parse_day_xlsx, data, source="counts", max_rows=settings.max_count_rows)
        )
    elif media == "application/json":
        day = parse_day_json(_text(data), source="counts")
        if day.date not in (None, date):
            raise DayError(
                f"counts: the body says date {day.date}, the path {date}",
                field="date",
                zh=f"件数表写的日期是 {day.date}，网址里的是 {date}",
            )
    elif media in ("text/csv", "text/plain"):
        day = parse_day_csv(_text(data), source="counts")
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            "send counts as application/json, text/csv, an Excel workbook (.xlsx) or a multipart 'file'",
            zh="件数表请用 CSV、Excel 工作簿（.xlsx）或 JSON 上传",
        )
    if len(day.rows) > settings.max_count_rows:
        raise ApiError(
            413,
            "too_many_rows",
            f"more than {settings.max_count_rows} count rows at once; send the day in parts (POST adds rows)",
            zh=f"一次超过 {settings.max_count_rows} 行件数；请把这一天分几次上传",
        )
    return day


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _text(data: bytes) -> str:
    try:
        return decode_text(data)
    except UnicodeDecodeError as failure:
        raise ApiError(
            422,
            "invalid",
            f"the counts must be UTF-8 or GBK text (byte {failure.start} is neither)",
            field="body",
            zh=f"件数表要是 UTF-8 或 GBK 编码的文字（第 {failure.start} 个字节都不是）",
        ) from None


def _file_media(name: str, part_media: str, data: bytes) -> str:
    """An uploaded file's format: by its name's ending (.xlsx; .json; .csv or .txt), else its
    part's type, else its content (a workbook is a zip file; JSON starts with `{`)."""
    ending = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if ending in ("xlsx", "json", "csv", "txt"):
        return {"xlsx": XLSX_MEDIA, "json": "application/json"}.get(ending, "text/csv")
    if part_media in ("application/json", "text/csv", "text/plain", XLSX_MEDIA):
        return part_media
    if data.startswith(b"PK\x03\x04"):
        return XLSX_MEDIA
    return "application/json" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "text/csv"


_WITH_COUNTS: dict[str, Any] = {
    "response_model": CountsOut,
    "openapi_extra": _BODY,
    "responses": _UNSUPPORTED,
}
"""The routes that take a day's counts in any of the formats `_read_day` reads."""


IfMatch = Annotated[
    str | None,
    Header(
        description="the counts' ETag as last read: the write is refused (412 counts_changed) if "
        "someone else changed the day's counts since"
    ),
]


def _write(
    session: Session,
    site_id: str,
    date: str,
    day: Day,
    *,
    principal: Principal,
    replace: bool,
    if_match: str | None,
    response: Response,
) -> CountsOut:
    row = site_row(session, site_id, lock=True)
    check_counts_tag(if_match, count_rows(session, site_id, date))
    stored = save_counts(session, row, date, day, replace=replace)
    parcels = sum(count.parcels for count in stored.rows)
    action = "counts_replaced" if replace else "counts_added"
    record(session, principal, site_id, action, date=date, parcels=parcels, rows=len(stored.rows))
    session.commit()
    return tagged_counts(session, site_id, date, response.headers)


async def _posted_day(
    site_id: SiteId, date: DateText, request: Request, principal: PrincipalDep, settings: SettingsDep
) -> Day:
    """The counts in the request's body, read only once the token may post them."""
    require(principal, site_id, "courier")
    return await _read_day(request, checked_date(date), settings)


PostedDay = Annotated[Day, Depends(_posted_day)]


@router.put("/sites/{site_id}/days/{date}/counts", **_WITH_COUNTS)
async def replace_counts(
    site_id: SiteId,
    date: DateText,
    day: PostedDay,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
) -> CountsOut:
    """Replace the day's counts with these rows, atomically."""
    written = functools.partial(
        _write, principal=principal, replace=True, if_match=if_match, response=response
    )
    return await run_in_threadpool(written, session, site_id, date, day)


@router.post("/sites/{site_id}/days/{date}/counts", **_WITH_COUNTS)
async def append_counts(
    site_id: SiteId,
    date: DateText,
    day: PostedDay,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatch = None,
) -> CountsOut:
    """Add rows for a later wave; earlier rows stay."""
    written = functools.partial(
        _write, principal=principal, replace=False, if_match=if_match, response=response
    )
    return await run_in_threadpool(written, session, site_id, date, day)


@router.post("/sites/{site_id}/days/{date}/counts/read", **{**_WITH_COUNTS, "response_model": CountsRead})
async def read_counts(site_id: SiteId, date: DateText, day: PostedDay, session: SessionDep) -> CountsRead:
    """The rows as a PUT of the same body would store them — read, buildings named by their
    name given their id, checked — but nothing is stored: the coordinator's page reads an Excel
    workbook this way into its grid, to correct before planning, and clears the buildings the
    sheet leaves blank (`left_blank`), as it does for a CSV it reads itself."""
    checked = await run_in_threadpool(checked_counts, session, site_row(session, site_id), date, day)
    counts = counts_out(site_id, date, checked.rows)
    return CountsRead(**counts.model_dump(), left_blank=list(checked.left_blank))


@router.get("/sites/{site_id}/counts/sheet.csv", **SHEET_ROUTE)
def counts_sheet_csv(
    site_id: SiteId, session: SessionDep, principal: PrincipalDep, lang: Lang = "zh"
) -> Response:
    """A sheet to fill in at the gate — every building, the parcels blank — to upload back as
    the day's counts (blank rows are no parcels)."""
    require(principal, site_id, "viewer")
    sheet = counts_sheet(domain_site(site_row(session, site_id)), chinese=lang == "zh")
    return sheet_response(sheet, f"{site_id}-counts.csv")


@router.get("/sites/{site_id}/days/{date}/counts", response_model=CountsOut)
def get_counts(
    site_id: SiteId, date: DateText, session: SessionDep, principal: PrincipalDep, response: Response
) -> CountsOut:
    """The day's counts; the ETag header is their tag, to send back as If-Match with a change."""
    require(principal, site_id, "viewer")
    site_row(session, site_id)
    return tagged_counts(session, site_id, checked_date(date), response.headers)


class HeldOverRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan_id: str | None = Field(
        default=None,
        description="the earlier day's plan whose undelivered parcels to add; default: the latest plan "
        "of the most recent earlier day that has one",
    )


@router.get("/sites/{site_id}/days/{date}/counts/held-over", response_model=HeldOverOut)
def held_over_waiting(
    site_id: SiteId,
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    plan_id: Annotated[
        str | None,
        Query(description="the earlier day's plan; default: the latest plan of the most recent earlier day"),
    ] = None,
) -> HeldOverOut:
    """What adding the held-over parcels (the POST) would bring into this day, and whether the
    day's counts hold them already; changes nothing. The page asks when a day opens, so parcels
    still at the gate from an earlier day are said before anyone plans without them. No earlier
    plan: `plan_id` null and nothing waiting."""
    require(principal, site_id, "viewer")
    site_row(session, site_id)
    date = checked_date(date)
    plan = _named_or_latest(session, principal, site_id, date, plan_id)
    if plan is None:
        return HeldOverOut(
            plan_id=None, plan_date=None, undelivered=0, returned=0, urgent=0, in_counts=0, added=True
        )
    carried = carried_over(session, site_id, date, plan)
    return HeldOverOut(
        plan_id=plan.id,
        plan_date=plan.date,
        undelivered=sum(r.parcels for r in carried.undelivered),
        returned=sum(r.parcels for r in carried.returned),
        forgotten=sum(r.parcels for r in carried.forgotten),
        forgotten_from=min((r.held_from for r in carried.forgotten if r.held_from), default=None),
        urgent=sum(r.urgent for r in carried.held),
        in_counts=sum(r.parcels for r in carried.replaced),
        added=carried.in_counts,
        set_aside=set_aside(session, site_id, date, plan),
    )


@router.post("/sites/{site_id}/days/{date}/counts/held-over", response_model=CountsOut)
def add_held_over(
    site_id: SiteId,
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    body: HeldOverRequest | None = None,
) -> CountsOut:
    """Add the parcels an earlier day's plan left undelivered to this day's counts, and those its
    day's trips brought back to go out again (reported back at the gate, all but the refused), as
    rows held over from the day they reached the gate: they go out from the first shift, and first
    when not everything fits. Rows already held over from the same days are replaced, so doing this twice
    (or again after a re-plan of the earlier day) counts each parcel once; replacing the day's
    counts (PUT) drops them, and this adds them back."""
    require(principal, site_id, "courier")
    row = site_row(session, site_id, lock=True)
    date = checked_date(date)
    plan = _earlier_plan(session, principal, site_id, date, body.plan_id if body else None)
    hold_over(session, principal, row, date, plan)
    session.commit()
    return tagged_counts(session, site_id, date, response.headers)


@router.delete("/sites/{site_id}/days/{date}/counts/held-over", response_model=CountsOut)
def remove_held_over(
    site_id: SiteId,
    date: DateText,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    plan_id: Annotated[
        str | None,
        Query(
            description="the earlier day's plan whose leftovers are set aside; default: the latest plan "
            "of the most recent earlier day"
        ),
    ] = None,
) -> CountsOut:
    """Take the held-over parcels off this day on purpose (fetched at the gate, sent back to the
    courier company): every row held over from an earlier day goes — not what this day's own trips
    brought back to go again — and the earlier plan's leftovers are kept as set aside, so the day
    is not said to lack them (`GET …/counts/held-over` answers `set_aside`; the district's overview
    leaves them out of `left_before`) until that day is planned again or they are added back."""
    require(principal, site_id, "courier")
    row = site_row(session, site_id, lock=True)
    date = checked_date(date)
    plan = _named_or_latest(session, principal, site_id, date, plan_id)
    current = stored_day(session, site_id, date)
    kept = tuple(r for r in current.rows if r.held_from is None or r.back_s is not None)
    save_counts(session, row, date, Day(date=date, rows=kept), replace=True)
    forget_set_aside(session, site_id, date)
    removed = current.parcels - sum(r.parcels for r in kept)
    if plan is not None:
        session.add(HeldSetAsideRow(site_id=site_id, date=date, plan_id=plan.id))
    record(
        session,
        principal,
        site_id,
        "held_over_removed",
        date=date,
        parcels=removed,
        **({"from": plan.date} if plan is not None else {}),
    )
    session.commit()
    return tagged_counts(session, site_id, date, response.headers)


def _earlier_plan(
    session: Session, principal: Principal, site_id: str, date: str, plan_id: str | None
) -> PlanRow:
    if plan_id is not None:
        plan = visible_plan(session, principal, plan_id)
        if plan.site_id != site_id or plan.date >= date:
            raise ApiError(
                422,
                "invalid",
                f"plan {plan_id!r} is for site {plan.site_id!r} on {plan.date}; held-over parcels come from "
                f"an earlier day's plan of site {site_id!r}, before {date}",
                field="plan_id",
                zh=f"路线计划 {plan_id} 是小区 {plan.site_id} 在 {plan.date} 的；留下的件要来自本小区 {date} 之前某天的路线",
            )
        return plan
    latest = latest_plan_before(session, site_id, date)
    if latest is None:
        raise ApiError(
            409,
            "no_earlier_plan",
            f"site {site_id!r} has no plan for a day before {date}, so nothing is held over; "
            "post the leftover parcels as rows with held_from instead",
            zh=f"{date} 之前这个小区没有排过路线，没有留下的件；留下的件请在件数表里写上 held_from（留下日期）",
        )
    return latest


def _named_or_latest(
    session: Session, principal: Principal, site_id: str, date: str, plan_id: str | None
) -> PlanRow | None:
    """The earlier plan named, checked, or else the latest of the most recent earlier day (None
    when there is none)."""
    if plan_id is None:
        return latest_plan_before(session, site_id, date)
    return _earlier_plan(session, principal, site_id, date, plan_id)
