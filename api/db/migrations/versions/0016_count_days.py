"""count_days: each day's counts in short (totals and a fingerprint of the rows), and each plan's
fingerprint of the counts it was made from, so the district's overview reads a row per compound

Both filled from what is stored on the way up; written with the rows and plans from then on.

Revision ID: 0016
Revises: 0015
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from api.store import counts_fingerprint
from optimizer.clock import format_clock

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "count_days",
        sa.Column(
            "site_id", sa.String(length=100), sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("date", sa.String(length=10), primary_key=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("parcels", sa.Integer(), nullable=False),
        sa.Column("urgent", sa.Integer(), nullable=False),
        sa.Column("buildings", sa.Integer(), nullable=False),
        sa.Column("held_over", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
    )
    with op.batch_alter_table("plans") as plans:
        plans.add_column(sa.Column("counts_tag", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    _sum_up_days(connection)
    _tag_plans(connection)


def _sum_up_days(connection: sa.Connection) -> None:
    counts = sa.table(
        "counts",
        *(sa.column(name) for name in ("site_id", "date", "position", "building", "parcels", "shift")),
        *(sa.column(name) for name in ("urgent", "arrived_s", "held_from", "back_s")),
    )
    days: dict[tuple[str, str], list[dict[str, Any]]] = {}
    rows = connection.execute(sa.select(counts).order_by(counts.c.site_id, counts.c.date, counts.c.position))
    for row in rows:
        days.setdefault((row.site_id, row.date), []).append(
            {
                "building": row.building,
                "parcels": row.parcels,
                "shift": row.shift,
                "urgent": row.urgent or 0,
                "arrived": None if row.arrived_s is None else format_clock(row.arrived_s),
                "held_from": row.held_from,
                "back_at": None if row.back_s is None else format_clock(row.back_s),
            }
        )
    count_days = sa.table(
        "count_days",
        *(sa.column(name) for name in ("site_id", "date", "rows", "parcels", "urgent", "buildings")),
        sa.column("held_over"),
        sa.column("tag"),
    )
    for (site_id, date), documents in days.items():
        connection.execute(
            count_days.insert().values(
                site_id=site_id,
                date=date,
                rows=len(documents),
                parcels=sum(d["parcels"] for d in documents),
                urgent=sum(d["urgent"] for d in documents),
                buildings=len({d["building"] for d in documents}),
                held_over=sum(d["parcels"] for d in documents if d["held_from"]),
                tag=counts_fingerprint(documents),
            )
        )


def _tag_plans(connection: sa.Connection) -> None:
    plans = sa.table("plans", sa.column("id"), sa.column("snapshot", sa.JSON()), sa.column("counts_tag"))
    for plan_id, counts in connection.execute(sa.select(plans.c.id, plans.c.snapshot["counts"])).all():
        if isinstance(counts, list):
            connection.execute(
                plans.update().where(plans.c.id == plan_id).values(counts_tag=counts_fingerprint(counts))
            )


def downgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.drop_column("counts_tag")
    op.drop_table("count_days")
