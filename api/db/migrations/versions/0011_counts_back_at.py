"""counts: parcels a trip brought back and sent out again the same day (`back_at`, when back)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("back_s", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("counts", schema=None) as batch_op:
        batch_op.drop_column("back_s")
