"""counts: when a row's parcels arrived at the gate (they stand there before going out)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrived_s", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("counts", schema=None) as batch_op:
        batch_op.drop_column("arrived_s")
