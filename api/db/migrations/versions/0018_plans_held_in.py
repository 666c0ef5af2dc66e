"""plans: the parcels held over from earlier days in the counts each was made from, so the next
day's overview can tell leftovers a day was planned without (and carry them on) without opening a
plan; the plans' index holds it beside `undelivered`

Read from each stored plan's snapshot on the way up (None where it kept no counts); written with
every plan from then on.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.add_column(sa.Column("held_in", sa.Integer(), nullable=True))
    table = sa.table(
        "plans",
        sa.column("id", sa.String()),
        sa.column("snapshot", sa.JSON()),
        sa.column("held_in", sa.Integer()),
    )
    connection = op.get_bind()
    for plan_id, counts in connection.execute(sa.select(table.c.id, table.c.snapshot["counts"])).all():
        if isinstance(counts, list):
            held = sum(
                int(count.get("parcels") or 0)
                for count in counts
                if isinstance(count, dict) and count.get("held_from")
            )
            connection.execute(table.update().where(table.c.id == plan_id).values(held_in=held))
    op.drop_index("ix_plans_site_day", table_name="plans")
    op.create_index("ix_plans_site_day", "plans", ["site_id", "date", "created_at", "undelivered", "held_in"])


def downgrade() -> None:
    op.drop_index("ix_plans_site_day", table_name="plans")
    op.create_index("ix_plans_site_day", "plans", ["site_id", "date", "created_at", "undelivered"])
    with op.batch_alter_table("plans") as plans:
        plans.drop_column("held_in")
