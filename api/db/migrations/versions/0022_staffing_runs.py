"""staffing runs: "how many riders?" asked of the server, each shift planned with more crews

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staffing_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=100), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("policies", sa.JSON(), nullable=False),
        sa.Column("try_s", sa.Double(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_zh", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staffing_runs_site_id", "staffing_runs", ["site_id"])
    op.create_index("ix_staffing_runs_status", "staffing_runs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_staffing_runs_status", table_name="staffing_runs")
    op.drop_index("ix_staffing_runs_site_id", table_name="staffing_runs")
    op.drop_table("staffing_runs")
