"""plans: the parcels each left undelivered, for the next day's overview, and an index to read
each site's newest plan of a day and that count without the plan's rows

Read from each stored plan's summary on the way up; written with every plan from then on.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.add_column(sa.Column("undelivered", sa.Integer(), server_default="0", nullable=False))
    table = sa.table(
        "plans",
        sa.column("id", sa.String()),
        sa.column("document", sa.JSON()),
        sa.column("undelivered", sa.Integer()),
    )
    connection = op.get_bind()
    for plan_id, summary in connection.execute(sa.select(table.c.id, table.c.document["summary"])).all():
        left = summary.get("undelivered") if isinstance(summary, dict) else None
        if isinstance(left, int) and left:
            connection.execute(table.update().where(table.c.id == plan_id).values(undelivered=left))
    op.create_index("ix_plans_site_day", "plans", ["site_id", "date", "created_at", "undelivered"])


def downgrade() -> None:
    op.drop_index("ix_plans_site_day", table_name="plans")
    with op.batch_alter_table("plans") as plans:
        plans.drop_column("undelivered")
