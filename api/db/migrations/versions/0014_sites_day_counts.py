"""sites: how many buildings the map has sealed and lanes closed, for the district's overview

Counted from each stored map on the way up; from then on whenever a map is stored.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from optimizer.errors import OneBellError
from optimizer.site import parse_site, sealed_buildings

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as sites:
        sites.add_column(sa.Column("sealed_buildings", sa.Integer(), server_default="0", nullable=False))
        sites.add_column(sa.Column("closed_lanes", sa.Integer(), server_default="0", nullable=False))
    table = sa.table(
        "sites",
        sa.column("id", sa.String()),
        sa.column("geojson", sa.JSON()),
        sa.column("sealed_buildings", sa.Integer()),
        sa.column("closed_lanes", sa.Integer()),
    )
    connection = op.get_bind()
    for site_id, geojson in connection.execute(sa.select(table.c.id, table.c.geojson)).all():
        try:
            site = parse_site(geojson)
        except OneBellError:  # a map stored before a check was added: counted when next stored
            continue
        connection.execute(
            table.update()
            .where(table.c.id == site_id)
            .values(
                sealed_buildings=len(sealed_buildings(site)),
                closed_lanes=sum(lane.closed for lane in site.lanes),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sites") as sites:
        sites.drop_column("closed_lanes")
        sites.drop_column("sealed_buildings")
