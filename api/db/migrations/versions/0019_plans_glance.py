"""plans: what the day overview and the days one after another show of each plan — parcels,
delivered, urgent undelivered, trips, crew seconds, the re-plan's time — beside its document, so
that hundreds of compounds' days are read without SQL parsing each plan's document (100 KB and
more; the district's fortnight of 300 compounds whose plans left parcels took 3–4 s); the plans'
index holds what the fortnight sums (delivered, urgent undelivered) beside `undelivered`

Read from each stored plan's document on the way up (0 where it lacks them); written with every
plan from then on (`api.store.plan_glance`).

Revision ID: 0019
Revises: 0018
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_COUNTS = ("parcels", "delivered", "urgent_undelivered", "trips", "crew_s")
_INDEXED = ["site_id", "date", "created_at", "undelivered", "held_in"]
"""The plans' index before: the district's fortnight reads what the plans delivered and left of
it alone, without walking each plan's document to the columns stored after it."""


def upgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        for name in _COUNTS:
            plans.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False))
        plans.add_column(sa.Column("replanned_at", sa.String(8), nullable=True))
    table = sa.table(
        "plans",
        sa.column("id", sa.String()),
        sa.column("document", sa.JSON()),
        *(sa.column(name, sa.Integer()) for name in _COUNTS),
        sa.column("replanned_at", sa.String()),
    )
    connection = op.get_bind()
    stored = sa.select(
        table.c.id,
        table.c.document["summary"],
        table.c.document["undelivered"],
        table.c.document["replanned_at"],
    )
    for plan_id, summary, undelivered, replanned_at in connection.execute(stored).all():
        values = _glance(summary, undelivered, replanned_at)
        if values:
            connection.execute(table.update().where(table.c.id == plan_id).values(**values))
    op.drop_index("ix_plans_site_day", table_name="plans")
    op.create_index("ix_plans_site_day", "plans", [*_INDEXED, "delivered", "urgent_undelivered"])


def _glance(summary: Any, undelivered: Any, replanned_at: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if isinstance(summary, dict):
        for name in ("parcels", "delivered", "trips", "crew_s"):
            if isinstance(summary.get(name), int | float):
                values[name] = int(summary[name])
    if isinstance(undelivered, list):
        values["urgent_undelivered"] = sum(
            int(item.get("urgent") or 0) for item in undelivered if isinstance(item, dict)
        )
    if isinstance(replanned_at, str):
        values["replanned_at"] = replanned_at
    return values


def downgrade() -> None:
    op.drop_index("ix_plans_site_day", table_name="plans")
    op.create_index("ix_plans_site_day", "plans", _INDEXED)
    with op.batch_alter_table("plans") as plans:
        for name in (*_COUNTS, "replanned_at"):
            plans.drop_column(name)
