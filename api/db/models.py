"""Tables. Plans and job snapshots are stored whole as JSON: a plan never changes after it is made."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A time with its zone, read back as UTC on every database: SQLite keeps no zone and hands
    back naive times, which the API's schema (RFC 3339 date-time) does not allow."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class SiteRow(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    geojson: Mapped[dict[str, Any]] = mapped_column(JSON)
    operations: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)
    # set by the admin only: which district office's token sees the site (not in the map, which
    # the compound's own coordinator sends)
    district: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    # set when the compound needs no more planning (its lockdown lifted): left out of the district's
    # day overview, its one press and the compound lists, its data kept; cleared to bring it back
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # what the map says of the day, counted whenever the map is stored (`store.store_map`): a
    # district's overview of hundreds of compounds shows it without reading a single map
    sealed_buildings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    closed_lanes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DayOperationsRow(Base):
    """A day's own roster over the compound's usual one: who came today and which vehicles run.
    Going back to the usual roster keeps the row with no operations, so its time still tells a plan
    made from the day's own roster that it is out of date."""

    __tablename__ = "day_operations"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    date: Mapped[str] = mapped_column(String(10), primary_key=True)
    # SQL NULL, not JSON null, once dropped: the day overview asks the database which days have one
    operations: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)


class TokenRow(Base):
    """No foreign key to sites: a coordinator's token is made first (`onebell token create`) and
    the coordinator then creates the site with it. A district office's token (role `district`,
    or `viewer` for one that only looks) names a district instead of a site."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str | None] = mapped_column(String(100), index=True, nullable=True)
    district: Mapped[str | None] = mapped_column(String(100), nullable=True)
    role: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class CountRowRecord(Base):
    __tablename__ = "counts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    date: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer)  # order within the day
    building: Mapped[str] = mapped_column(String(100))
    parcels: Mapped[int] = mapped_column(Integer)
    shift: Mapped[str | None] = mapped_column(String(100), nullable=True)
    urgent: Mapped[int] = mapped_column(Integer, default=0)
    arrived_s: Mapped[int | None] = mapped_column(Integer, nullable=True)  # seconds since midnight
    held_from: Mapped[str | None] = mapped_column(String(10), nullable=True)  # an earlier day's date
    back_s: Mapped[int | None] = mapped_column(Integer, nullable=True)  # brought back by a trip at
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)

    __table_args__ = (UniqueConstraint("site_id", "date", "position"),)


class CountDayRow(Base):
    """A day's counts in short, written with its rows (`api.store.save_counts`): their totals and
    the fingerprint of their content. The district's overview reads one of these per compound
    instead of every count row, and compares the fingerprint with the one of the counts each plan
    was made from (`PlanRow.counts_tag`) to say whether the plan is up to date. The totals are
    named as `api.schemas.CountTotals`' fields, which are read off them by name."""

    __tablename__ = "count_days"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    date: Mapped[str] = mapped_column(String(10), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    parcels: Mapped[int] = mapped_column(Integer)
    urgent: Mapped[int] = mapped_column(Integer)
    buildings: Mapped[int] = mapped_column(Integer)
    held_over: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(String(64))


class HeldSetAsideRow(Base):
    """An earlier day's leftovers a coordinator took off a day on purpose (fetched at the gate,
    sent back to the courier company): without it, a day whose counts lack them is a day planned
    without yesterday's leftovers by mistake, and the page and the district's overview say so in
    red. It names the plan whose leftovers were set aside; a plan made since for that earlier day
    leaves other parcels, which are waiting again. Adding the leftovers back removes it."""

    __tablename__ = "held_set_asides"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    date: Mapped[str] = mapped_column(String(10), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(36))


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    date: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), index=True)  # waiting|queued|running|done|failed
    time_limit_s: Mapped[float] = mapped_column()
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # emptied once done: the plan keeps it
    # Among waiting jobs, higher starts first: OWN_PLAN for a compound's own request (someone at
    # the gate is waiting for it), DISTRICT_PRESS for one of a district's one-press plans.
    priority: Mapped[int] = mapped_column(default=0, server_default="0")
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_zh: Mapped[str | None] = mapped_column(Text, nullable=True)  # shown to a Chinese client
    plan_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("site_id", "idempotency_key"),)


class StaffingRunRow(Base):
    """A "how many riders?" search for one compound's day (`optimizer.staffing`): each shift
    planned with more crews until it clears. It runs in the planning workers beside the plans and
    counts toward the queue's limit like one; it makes no plan and changes nothing of the day."""

    __tablename__ = "staffing_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    date: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), index=True)  # queued|running|done|failed
    policies: Mapped[list[str]] = mapped_column(JSON)
    try_s: Mapped[float] = mapped_column()
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # emptied once it ends
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # written as each shift's answer is found
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_zh: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class MapRow(Base):
    """A compound's map as plans were made from it, kept once per content (`tag`): every plan of a
    compound shares it until the map changes. Inline in each plan's inputs, the map was most of
    what a plan stored (docs/benchmarks.md, "What a plan costs the database")."""

    __tablename__ = "maps"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)
    geojson: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)


class PlanRow(Base):
    __tablename__ = "plans"
    # Each site's newest plan of a day, what it delivered and left, read from the index alone: the
    # table's rows hold a plan's document, and a column after it is read by walking the document's
    # pages (the district's fortnight reads thousands of plans).
    __table_args__ = (
        Index(
            "ix_plans_site_day",
            "site_id",
            "date",
            "created_at",
            "undelivered",
            "held_in",
            "delivered",
            "urgent_undelivered",
            "late_urgent",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    date: Mapped[str] = mapped_column(String(10), index=True)
    job_id: Mapped[str] = mapped_column(String(36))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    # operations and counts it was made from, and its map: `site_tag` of a MapRow (plans stored
    # before maps were kept once hold the map itself, `site`; api.store.plan_site reads either)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)
    # parcels it left undelivered (its summary's): what the next day's overview says is still at
    # the gate, read for hundreds of compounds without opening a plan's document
    undelivered: Mapped[int] = mapped_column(Integer, server_default="0")
    # the fingerprint of the counts it was made from (`api.store.counts_fingerprint`), beside the
    # day's own in `CountDayRow.tag`; None: stored without counts
    counts_tag: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # parcels held over from earlier days in the counts it was made from (`api.store.held_in`): set
    # beside what the days before left, what it was planned without, which the overview carries on
    # to the next day without opening a plan; None: stored without counts
    held_in: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # what the overview and the days one after another show of it (`api.store.plan_glance`): read
    # for hundreds of compounds' days without parsing each plan's document, 100 KB and more
    parcels: Mapped[int] = mapped_column(Integer, server_default="0")
    delivered: Mapped[int] = mapped_column(Integer, server_default="0")
    urgent_undelivered: Mapped[int] = mapped_column(Integer, server_default="0")
    late_urgent: Mapped[int] = mapped_column(Integer, server_default="0")  # brought past their window
    trips: Mapped[int] = mapped_column(Integer, server_default="0")
    crew_s: Mapped[int] = mapped_column(Integer, server_default="0")
    replanned_at: Mapped[str | None] = mapped_column(String(8), nullable=True)


class TripReportRow(Base):
    """A trip back at the gate and what it brought back (`optimizer.returns`). Kept by the crew and
    the trip's departure, not by the plan: a re-plan keeps the trips on the road as they were, so
    the report still stands beside the newer plan; `plan_id` is the plan it was made on."""

    __tablename__ = "trip_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    date: Mapped[str] = mapped_column(String(10))
    crew: Mapped[str] = mapped_column(String(100))
    depart: Mapped[str] = mapped_column(String(8))  # HH:MM:SS, as the plan gives it
    plan_id: Mapped[str] = mapped_column(String(36))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)  # TripReport.to_dict()
    returned: Mapped[int] = mapped_column(Integer)  # parcels brought back, summed in SQL by the days
    again: Mapped[int] = mapped_column(Integer)  # of them, to go out again (not refused)
    late_s: Mapped[int | None] = mapped_column(Integer, nullable=True)  # back after the plan said
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)
    reported_by: Mapped[str] = mapped_column(String(200))
    # set when what it brought back to go again was added to the same day's counts, to go out again
    # that day (POST …/counts/brought-back): from then on those parcels are the counts' and the
    # day's plan's, not held over into the next day from here, and the report no longer changes
    sent_again_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("site_id", "date", "crew", "depart"),)


class EventRow(Base):
    """A change at a compound, by whom and when (`api.history`). No foreign key to tokens: a
    token revoked later still names who did what before."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    date: Mapped[str | None] = mapped_column(
        String(10), nullable=True
    )  # the day it concerns; null: every day
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=now)
    token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # null: the admin token
    who: Mapped[str] = mapped_column(String(200))  # the token's label when it was used
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_events_site_at", "site_id", "at"),)
