"""Alembic environment: the URL comes from the caller (api.db.session.upgrade), not an ini file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from api.db.models import Base

url = context.config.attributes["database_url"]
connectable = create_engine(url)
with connectable.connect() as connection:
    context.configure(
        connection=connection, target_metadata=Base.metadata, render_as_batch=url.startswith("sqlite")
    )
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
