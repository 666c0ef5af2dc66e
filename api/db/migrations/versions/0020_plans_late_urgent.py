"""plans: urgent parcels each plan brings past their window (its summary's `late_urgent`), beside
its other columns, so the day overview says which compounds' medicine goes late without opening
hundreds of plans' documents.

Read from each stored plan's document on the way up (0 where it lacks it: plans made before urgent
parcels could go late left them undelivered instead); written with every plan from then on
(`api.store.plan_glance`).

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.add_column(sa.Column("late_urgent", sa.Integer(), server_default="0", nullable=False))
    table = sa.table(
        "plans", sa.column("id", sa.String()), sa.column("document", sa.JSON()), sa.column("late_urgent")
    )
    connection = op.get_bind()
    for plan_id, summary in connection.execute(sa.select(table.c.id, table.c.document["summary"])).all():
        late = summary.get("late_urgent") if isinstance(summary, dict) else None
        if isinstance(late, int) and late > 0:
            connection.execute(table.update().where(table.c.id == plan_id).values(late_urgent=late))


def downgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.drop_column("late_urgent")
