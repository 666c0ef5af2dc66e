"""counts: parcels held over from an earlier day (`held_from`, the day they reached the gate)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_from", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("counts", schema=None) as batch_op:
        batch_op.drop_column("held_from")
