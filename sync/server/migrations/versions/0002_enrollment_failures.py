"""Failed enrollments by client address, for the limit on guessing codes.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "enrollment_failures",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("enrollment_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollment_failures_at"), ["at"], unique=False)
        batch_op.create_index("ix_enrollment_failures_client_at", ["client", "at"], unique=False)
