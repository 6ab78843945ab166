"""Reviews keep what was reviewed (count and contacts), one row per review;
users may carry the date they started.

Reviews made before this revision did not keep what they saw: they move over
with a null count and contacts, and read as changed until reviewed again.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.String(length=10), nullable=True))

    op.create_table(
        "week_reviews",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("week_start", sa.String(length=10), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=False),
        sa.Column("reviewed_at", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("contacts", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["reviewed_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("week_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_week_reviews_user_week", ["user_id", "week_start"], unique=False)
    op.execute(
        "INSERT INTO week_reviews (user_id, week_start, reviewed_by, reviewed_at) "
        "SELECT user_id, week_start, reviewed_by, reviewed_at FROM reviews"
    )
    op.drop_table("reviews")
