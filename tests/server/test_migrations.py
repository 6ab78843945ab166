"""Migrations keep what a database held: reviews made before reviews kept
what they saw still show, as changed until a supervisor reviews again."""

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from sync.server.db import create_engine, migrate
from sync.server.store import Caller, CentralStore


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("postgres").create_database(f"old_{uuid.uuid4().hex[:8]}")


def test_an_old_review_reads_as_changed_until_reviewed_again(database_url):
    engine = create_engine(database_url)
    migrate(engine, "0002")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO teams VALUES ('t1', 'Old team', 'monday', 'America/Chicago', 6, "
                "'2025-11-01T00:00:00.000000Z')"
            )
        )
        for user_id, name, role in (
            ("u1", "Old Boss", "supervisor"),
            ("u2", "Old Worker", "specialist"),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO users VALUES (:id, :name, :role, 't1', "
                    "'2025-11-01T00:00:00.000000Z')"
                ),
                {"id": user_id, "name": name, "role": role},
            )
        conn.execute(
            sa.text(
                "INSERT INTO reviews VALUES ('u2', '2025-11-17', 'u1', "
                "'2025-11-24T15:00:00.000000Z')"
            )
        )
    engine.dispose()

    store = CentralStore.open(database_url)  # migrates to the newest revision
    try:
        team = store.team_named("Old team")
        assert team is not None
        boss = Caller("u1", "Old Boss", "supervisor", team, "dev-old")
        old = store.team_week(boss, "u2", date(2025, 11, 19))["review"]
        assert old == {
            "by": {"id": "u1", "name": "Old Boss"},
            "at": "2025-11-24T15:00:00.000000Z",
            "count": None,
            "changed": True,
        }
        again = store.review(boss, "u2", date(2025, 11, 19))
        assert again == {**again, "count": 0, "changed": False}
        assert store.team_week(boss, "u2", date(2025, 11, 19))["review"] == again
    finally:
        store.close()
