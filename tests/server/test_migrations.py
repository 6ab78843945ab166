"""Migrations keep what a database held: reviews made before reviews kept what
they saw read as changed until a supervisor reviews again; records stored
before the limits with times outside them stay out of every week."""

import json
import uuid
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from sync.server.db import create_engine, migrate
from sync.server.store import Caller, CentralStore


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("postgres").create_database(f"old_{uuid.uuid4().hex[:8]}")


def _old_database(url: str, revision: str, *statements: tuple[str, dict]) -> None:
    """A database at an old revision holding team 't1' with supervisor 'u1' and
    specialist 'u2', and whatever the statements add."""
    engine = create_engine(url)
    migrate(engine, revision)
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
                    "INSERT INTO users (id, name, role, team_id, created_at) "
                    "VALUES (:id, :name, :role, 't1', '2025-11-01T00:00:00.000000Z')"
                ),
                {"id": user_id, "name": name, "role": role},
            )
        for statement, values in statements:
            conn.execute(sa.text(statement), values)
    engine.dispose()


def test_an_old_review_reads_as_changed_until_reviewed_again(database_url):
    review = "INSERT INTO reviews VALUES ('u2', '2025-11-17', 'u1', '2025-11-24T15:00:00.000000Z')"
    _old_database(database_url, "0002", (review, {}))

    store = CentralStore.open(database_url)  # migrates to the newest revision
    try:
        team = store.admin.team_named("Old team")
        assert team is not None
        boss = Caller("u1", "Old Boss", "supervisor", team, "dev-old")
        old = store.team.specialist_week(boss, "u2", date(2025, 11, 19))["review"]
        assert old == {
            "by": {"id": "u1", "name": "Old Boss"},
            "at": "2025-11-24T15:00:00.000000Z",
            "count": None,
            "changed": True,
        }
        again = store.team.review(boss, "u2", date(2025, 11, 19))
        assert again == {**again, "count": 0, "changed": False}
        assert store.team.specialist_week(boss, "u2", date(2025, 11, 19))["review"] == again
    finally:
        store.close()


def _stored_contact(seq: int, occurred_at: str) -> tuple[str, dict]:
    """A contact of 'u2' stored as the server did before the limits."""
    return (
        "INSERT INTO records VALUES (:id, 'u2', 'employer_contact', "
        "'1763820000000.00000.d1', false, :data, :seq, :ms, '2025-11-20T00:00:00.000000Z')",
        {
            "id": str(uuid.uuid4()),
            "data": json.dumps({"occurred_at": occurred_at, "employer": "E", "face_to_face": True}),
            "seq": seq,
            "ms": int(datetime.fromisoformat(occurred_at).timestamp() * 1000),
        },
    )


def test_times_stored_before_the_limits_leave_the_weeks_alone(database_url):
    _old_database(
        database_url,
        "0003",
        _stored_contact(1, "1999-12-31T23:00:00-05:00"),
        _stored_contact(2, "9999-12-31T10:00:00-06:00"),
        _stored_contact(3, "2025-11-19T10:00:00-06:00"),
    )

    store = CentralStore.open(database_url)
    try:
        team = store.admin.team_named("Old team")
        assert team is not None
        boss = Caller("u1", "Old Boss", "supervisor", team, "dev-old")
        for day, count in ((date(2000, 1, 2), 0), (date(2025, 11, 19), 1)):
            (row,) = store.team.tallies(boss, day, 2)["rows"]
            assert row["counts"][-1] == count
            assert store.team.specialist_week(boss, "u2", day)["count"] == count
        worker = Caller("u2", "Old Worker", "specialist", team, "d1")
        assert len(store.records.pull(worker, None, 10)[0]) == 3  # still pulled as they are
    finally:
        store.close()
