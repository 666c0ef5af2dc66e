"""maps: a compound's map kept once per content, which its plans' inputs name (`site_tag`)

Plans stored before keep their map inline (`site`); both are read.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maps",
        sa.Column("site_id", sa.String(length=100), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("geojson", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id", "tag"),
    )


def downgrade() -> None:
    op.drop_table("maps")
