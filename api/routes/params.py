"""Path and query parameters shared by the routers."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from fastapi import Header, Path

from api.errors import ApiError

SiteId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,100}$", description="site id")]
BuildingId = Annotated[
    str, Path(min_length=1, max_length=100, description="building id, as the site map gives it")
]
ZoneId = Annotated[str, Path(min_length=1, max_length=100, description="zone id, as the site map gives it")]
LaneId = Annotated[str, Path(min_length=1, max_length=100, description="lane id, as the site map gives it")]
DistrictId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,100}$", description="district id")]
TokenId = Annotated[int, Path(ge=1, le=2**31 - 1, description="token id")]
DateText = Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")]
Lang = Literal["zh", "en"]
AcceptLanguage = Annotated[
    str,
    Header(description="a client that ranks Chinese first gets a failed job's message in Chinese"),
]


def checked_date(text: str, *, field: str = "date") -> str:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        raise ApiError(
            422,
            "invalid",
            f"{text!r} is not a calendar date (YYYY-MM-DD)",
            field=field,
            zh=f"{text!r} 不是日期（要写成 年-月-日，如 2022-04-28）",
        ) from None
    return text
