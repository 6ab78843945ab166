"""The store's generation, which pull cursors carry (see db.store_meta).

A store made before this revision gets its first generation here; the plain
cursors its devices hold are read as this generation.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from sync.server.db import FIRST_GENERATION, GENERATION, new_generation

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    meta = op.create_table(
        "store_meta",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    first = new_generation()
    op.bulk_insert(
        meta,
        [{"name": GENERATION, "value": first}, {"name": FIRST_GENERATION, "value": first}],
    )
