"""The migrations make the schema the models describe, on SQLite and PostgreSQL: a column added to
a model without a migration (or the other way round) fails here, not on a user's upgrade."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, text

from api.db.models import Base
from api.db.session import upgrade
from fixtures.generate import barricaded


def _a_site(connection: Connection) -> None:
    """Site `s`, as any migration's tables hold it."""
    connection.execute(
        text("INSERT INTO sites (id, name, geojson, updated_at) VALUES ('s', 'S', '{}', CURRENT_TIMESTAMP)")
    )


def _a_plan(
    connection: Connection, plan_id: str, *, document: object = None, snapshot: object = None
) -> None:
    """A plan of site `s` on 2022-04-28 as stored before the migration under test (job `j`)."""
    connection.execute(
        text(
            "INSERT INTO plans (id, site_id, date, job_id, document, snapshot, created_at) "
            "VALUES (:id, 's', '2022-04-28', 'j', :document, :snapshot, CURRENT_TIMESTAMP)"
        ),
        {"id": plan_id, "document": json.dumps(document or {}), "snapshot": json.dumps(snapshot or {})},
    )


def test_the_migrated_schema_is_the_models_schema(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_upgrading_keeps_a_finished_jobs_inputs_once_with_its_plan(database_url: str) -> None:
    """0012 empties the inputs a finished job kept besides its plan's copy, and only then: a job
    whose plan is gone, or one still waiting, keeps its own."""
    upgrade(database_url, "0011")
    engine = create_engine(database_url)
    inputs = '{"site": {"type": "FeatureCollection"}, "counts": [{"building": "1", "parcels": 3}]}'
    try:
        with engine.begin() as connection:
            _a_site(connection)
            for job, status, plan in (("j1", "done", "p1"), ("j2", "done", "gone"), ("j3", "waiting", None)):
                connection.execute(
                    text(
                        "INSERT INTO jobs (id, site_id, date, status, time_limit_s, snapshot, plan_id, created_at, priority) "
                        "VALUES (:id, 's', '2022-04-28', :status, 1, :inputs, :plan, CURRENT_TIMESTAMP, 0)"
                    ),
                    {"id": job, "status": status, "inputs": inputs, "plan": plan},
                )
            connection.execute(
                text(
                    "INSERT INTO plans (id, site_id, date, job_id, document, snapshot, created_at) "
                    "VALUES ('p1', 's', '2022-04-28', 'j1', '{}', :inputs, CURRENT_TIMESTAMP)"
                ),
                {"inputs": inputs},
            )
        upgrade(database_url)
        with engine.connect() as connection:
            jobs = dict(connection.execute(text("SELECT id, snapshot FROM jobs ORDER BY id")).all())
            [plan_inputs] = connection.execute(text("SELECT snapshot FROM plans")).scalars()
    finally:
        engine.dispose()
    as_dict = lambda value: value if isinstance(value, dict) else json.loads(value)  # noqa: E731
    assert as_dict(jobs["j1"]) == {}
    assert as_dict(jobs["j2"]) == as_dict(jobs["j3"]) == as_dict(plan_inputs) == json.loads(inputs)


def test_upgrading_counts_each_stored_maps_seals_and_closures(database_url: str) -> None:
    """0014 counts what each stored map has sealed and closed, for the day overview; a map the
    parser refuses now is left at none, to be counted when next stored."""
    upgrade(database_url, "0013")
    drawing = barricaded(closed=True)
    drawing.zone("z3", "Zone 3", (250, 0, 350, 20), sealed=True)
    document = drawing.document()
    next(f for f in document["features"] if f["properties"]["id"] == "B1")["properties"]["sealed"] = True
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            for site_id, geojson in (("barricaded", document), ("old", {"type": "FeatureCollection"})):
                connection.execute(
                    text(
                        "INSERT INTO sites (id, name, geojson, updated_at) VALUES (:id, 'S', :geojson, CURRENT_TIMESTAMP)"
                    ),
                    {"id": site_id, "geojson": json.dumps(geojson)},
                )
        upgrade(database_url)
        with engine.connect() as connection:
            counted = connection.execute(
                text("SELECT id, sealed_buildings, closed_lanes FROM sites ORDER BY id")
            )
            assert [tuple(row) for row in counted] == [("barricaded", 2, 1), ("old", 0, 0)]
    finally:
        engine.dispose()


def test_upgrading_reads_what_each_stored_plan_left_undelivered(database_url: str) -> None:
    """0015 copies each stored plan's undelivered count out of its summary, for the next day's
    overview; a plan without one (none stored so) counts none."""
    upgrade(database_url, "0014")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            _a_site(connection)
            for plan_id, document in (
                ("left", {"summary": {"parcels": 30, "delivered": 18, "undelivered": 12}}),
                ("cleared", {"summary": {"parcels": 30, "delivered": 30, "undelivered": 0}}),
                ("odd", {}),
            ):
                _a_plan(connection, plan_id, document=document)
        upgrade(database_url)
        with engine.connect() as connection:
            left = dict(connection.execute(text("SELECT id, undelivered FROM plans")).all())
    finally:
        engine.dispose()
    assert left == {"left": 12, "cleared": 0, "odd": 0}


def test_upgrading_sums_up_each_days_counts_and_fingerprints_each_plans(database_url: str) -> None:
    """0016 writes each day's counts in short and each plan's fingerprint of the counts it was made
    from: a plan made from the rows as stored matches them (its counts stored without `back_at`,
    as before that column), one made from other counts does not."""
    upgrade(database_url, "0015")
    engine = create_engine(database_url)
    stored = [
        ("1", 5, "morning", 1, 30600, None, None),
        ("2", 7, None, 0, None, "2022-04-27", None),
        ("1", 2, "morning", 0, None, None, 36000),
    ]
    same = [
        {
            "building": "1",
            "parcels": 5,
            "shift": "morning",
            "urgent": 1,
            "arrived": "08:30:00",
            "held_from": None,
        },
        {
            "building": "2",
            "parcels": 7,
            "shift": None,
            "urgent": 0,
            "arrived": None,
            "held_from": "2022-04-27",
        },
        {
            "building": "1",
            "parcels": 2,
            "shift": "morning",
            "urgent": 0,
            "arrived": None,
            "held_from": None,
            "back_at": "10:00:00",
        },
    ]
    try:
        with engine.begin() as connection:
            _a_site(connection)
            for position, (building, parcels, shift, urgent, arrived, held, back) in enumerate(stored):
                connection.execute(
                    text(
                        "INSERT INTO counts (site_id, date, position, building, parcels, shift, urgent, arrived_s, "
                        "held_from, back_s, created_at) VALUES ('s', '2022-04-28', :position, :building, "
                        ":parcels, :shift, :urgent, :arrived, :held, :back, CURRENT_TIMESTAMP)"
                    ),
                    dict(position=position, building=building, parcels=parcels, shift=shift, urgent=urgent,
                         arrived=arrived, held=held, back=back),
                )  # fmt: skip
            for plan_id, counts in (("same", same), ("other", same[:2])):
                _a_plan(connection, plan_id, snapshot={"counts": counts})
        upgrade(database_url)
        with engine.connect() as connection:
            [day] = connection.execute(
                text("SELECT site_id, date, rows, parcels, urgent, buildings, held_over, tag FROM count_days")
            ).all()
            tags = dict(connection.execute(text("SELECT id, counts_tag FROM plans")).all())
    finally:
        engine.dispose()
    assert tuple(day[:7]) == ("s", "2022-04-28", 3, 14, 1, 2, 7)
    assert tags["same"] == day.tag != tags["other"]


def test_upgrading_reads_the_held_over_parcels_each_stored_plan_was_made_from(database_url: str) -> None:
    """0018 sums the held-over rows of the counts each stored plan was made from, for the overview
    to tell leftovers a day was planned without; a plan that kept no counts gets None (set beside
    the counts stored), not 0 (which would say it was planned without any)."""
    upgrade(database_url, "0017")
    engine = create_engine(database_url)
    held = [
        {"building": "1", "parcels": 5, "held_from": None},
        {"building": "2", "parcels": 7, "held_from": "2022-04-27"},
        {"building": "3", "parcels": 2, "held_from": "2022-04-26", "back_at": "10:00:00"},
    ]
    try:
        with engine.begin() as connection:
            _a_site(connection)
            for plan_id, snapshot in (
                ("held", {"counts": held}),
                ("fresh", {"counts": held[:1]}),
                ("old", {}),
            ):
                _a_plan(connection, plan_id, snapshot=snapshot)
        upgrade(database_url)
        with engine.connect() as connection:
            held_in = dict(connection.execute(text("SELECT id, held_in FROM plans")).all())
    finally:
        engine.dispose()
    assert held_in == {"held": 9, "fresh": 0, "old": None}


def test_upgrading_reads_what_the_overview_shows_of_each_stored_plan(database_url: str) -> None:
    """0019 copies what the day overview shows of each stored plan out of its document: its
    summary's counts, the urgent parcels of its undelivered list, a re-plan's time; a plan without
    them (none stored so) shows 0 and no re-plan."""
    upgrade(database_url, "0018")
    engine = create_engine(database_url)
    summary = {"parcels": 30, "delivered": 18, "undelivered": 12, "trips": 4, "crew_s": 7200}
    left = [{"building": "1", "parcels": 7, "urgent": 2}, {"building": "2", "parcels": 5}]
    try:
        with engine.begin() as connection:
            _a_site(connection)
            for plan_id, document in (
                ("left", {"summary": summary, "undelivered": left}),
                ("again", {"summary": summary, "undelivered": [], "replanned_at": "10:30:00"}),
                ("odd", {}),
            ):
                _a_plan(connection, plan_id, document=document)
        upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT id, parcels, delivered, urgent_undelivered, trips, crew_s, replanned_at "
                    "FROM plans ORDER BY id"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [
        ("again", 30, 18, 0, 4, 7200, "10:30:00"),
        ("left", 30, 18, 2, 4, 7200, None),
        ("odd", 0, 0, 0, 0, 0, None),
    ]


def test_upgrading_reads_the_urgent_parcels_each_stored_plan_brings_late(database_url: str) -> None:
    """0020 copies a plan's `late_urgent` out of its summary; plans made before urgent parcels could
    go late have none, and show 0."""
    upgrade(database_url, "0019")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            _a_site(connection)
            _a_plan(connection, "late", document={"summary": {"parcels": 30, "late_urgent": 4}})
            _a_plan(connection, "before", document={"summary": {"parcels": 30}})
            _a_plan(connection, "odd", document={})
        upgrade(database_url)
        with engine.connect() as connection:
            late = dict(connection.execute(text("SELECT id, late_urgent FROM plans")).all())
    finally:
        engine.dispose()
    assert late == {"late": 4, "before": 0, "odd": 0}
