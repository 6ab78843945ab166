"""Payers: each health plan's billing rule, as data, with the seeds every store
holds (sync/server/seed_payers.json; PROTOCOL.md, additions of 2026-12-07).

Revision ID: 0006
Revises: 0005
"""

import json
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

SEEDS = Path(__file__).resolve().parents[2] / "seed_payers.json"


def upgrade() -> None:
    table = op.create_table(
        "payers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("billing", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=True),
        sa.Column("modifier", sa.String(length=10), nullable=True),
        sa.Column("modifier_at", sa.Integer(), nullable=True),
        sa.Column("modifier_per", sa.String(length=10), nullable=False),
        sa.Column("needs_authorization", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    columns = {column.name for column in table.columns}
    seeds = json.loads(SEEDS.read_text("utf-8"))
    op.bulk_insert(table, [{k: v for k, v in seed.items() if k in columns} for seed in seeds])
