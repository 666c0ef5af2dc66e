"""held_set_asides: an earlier day's leftovers taken off a day on purpose, so the day is not said
to lack them

Starts empty: a removal made before it was kept is not told from a forgotten one.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "held_set_asides",
        sa.Column(
            "site_id", sa.String(length=100), sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("date", sa.String(length=10), primary_key=True),
        sa.Column("plan_id", sa.String(length=36), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("held_set_asides")
