"""districts: a site belongs to at most one, and a district office's token sees its sites

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as sites:
        sites.add_column(sa.Column("district", sa.String(length=100), nullable=True))
        sites.create_index("ix_sites_district", ["district"])
    with op.batch_alter_table("tokens") as tokens:  # SQLite changes a column's nullability by a copy
        tokens.add_column(sa.Column("district", sa.String(length=100), nullable=True))
        tokens.alter_column("site_id", existing_type=sa.String(length=100), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("tokens") as tokens:
        tokens.drop_column("district")
        tokens.alter_column("site_id", existing_type=sa.String(length=100), nullable=False)
    with op.batch_alter_table("sites") as sites:
        sites.drop_index("ix_sites_district")
        sites.drop_column("district")
