"""jobs: a finished job no longer keeps a copy of its inputs (its plan keeps them)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

jobs = sa.table(
    "jobs",
    sa.column("status", sa.String()),
    sa.column("plan_id", sa.String()),
    sa.column("snapshot", sa.JSON()),
)
plans = sa.table("plans", sa.column("id", sa.String()))


def upgrade() -> None:
    # Only where the plan is there to keep them: a job whose plan is gone keeps its copy.
    op.execute(
        jobs.update()
        .where(jobs.c.status == "done", jobs.c.plan_id.in_(sa.select(plans.c.id)))
        .values(snapshot={})
    )


def downgrade() -> None:
    pass  # the plans still hold every input; nothing to put back
