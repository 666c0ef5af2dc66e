"""The migrations make the schema the models describe, on SQLite and PostgreSQL: a column added to
a model without a migration (or the other way round) fails here, not on a user's upgrade."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from api.db.models import Base
from api.db.session import upgrade


def test_the_migrated_schema_is_the_models_schema(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
