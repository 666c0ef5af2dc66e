"""plans: the index the district's fortnight reads gains `late_urgent`, so the fortnight sums the
urgent parcels each day's plans bring past their window as it sums what they leave, from the
index alone (see 0019: a column after a plan's document is read by walking the document's pages).

Revision ID: 0021
Revises: 0020
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_INDEXED = ["site_id", "date", "created_at", "undelivered", "held_in", "delivered", "urgent_undelivered"]
"""The plans' index as 0019 left it."""


def upgrade() -> None:
    op.drop_index("ix_plans_site_day", table_name="plans")
    op.create_index("ix_plans_site_day", "plans", [*_INDEXED, "late_urgent"])


def downgrade() -> None:
    op.drop_index("ix_plans_site_day", table_name="plans")
    op.create_index("ix_plans_site_day", "plans", _INDEXED)
