"""A central store restored from a backup loses nothing: the records devices
pushed after the backup, acknowledged and dropped from their queues, come back
at their next sync, whether the administrator ran `restored` or forgot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from sync.errors import EnrollmentError, TokenInvalidError
from sync.server.db import audit_log
from sync.server.settings import is_sqlite
from tests.server_harness import Postgres, ServerProcess, copy_sqlite
from tests.sync.conftest import contact, server_rows


@dataclass
class Backups:
    """One backup of the central store, taken and restored as an agency would:
    SQLite's online backup of the file, or `pg_dump -Fc` and `pg_restore` into
    an empty database. The server is stopped while its database is replaced."""

    server: ServerProcess
    path: Path
    cluster: Postgres | None

    @property
    def database(self) -> str:
        name = make_url(self.server.db_url).database
        assert name is not None
        return name

    def take(self) -> None:
        if self.cluster is None:
            copy_sqlite(self.database, self.path)
        else:
            self.cluster.dump(self.database, self.path)

    def restore(self) -> None:
        self.server.close()  # the server, and the test's own connections
        if self.cluster is None:
            copy_sqlite(self.path, self.database)
        else:
            self.cluster.restore(self.database, self.path)
        self.server.start()


@pytest.fixture
def backups(central: ServerProcess, request: pytest.FixtureRequest, tmp_path: Path) -> Backups:
    if is_sqlite(central.db_url):
        return Backups(central, tmp_path / "backup.db", None)
    cluster: Postgres = request.getfixturevalue("postgres")
    if not all((cluster.bin / tool).exists() for tool in ("pg_dump", "pg_restore")):
        pytest.skip(f"pg_dump and pg_restore are not in {cluster.bin}, next to initdb")
    return Backups(central, tmp_path / "backup.dump", cluster)


def resend_audits(server: ServerProcess, device_id: str) -> list[str]:
    with server.admin.engine.connect() as conn:
        query = sa.select(audit_log.c.detail).where(
            audit_log.c.action == "resend", audit_log.c.device_id == device_id
        )
        return list(conn.execute(query).scalars())


@pytest.mark.parametrize("admin_ran_restored", [True, False], ids=["restored", "forgotten"])
def test_records_acknowledged_after_the_backup_come_back_after_a_restore(
    devices, backups, admin_ran_restored
):
    server = devices.server
    user = devices.user("Ida Specialist")
    phone, other_phone = devices.enroll(user), devices.enroll(user)
    a = phone.store.put("employer_contact", contact("Employer A"))
    phone.sync()
    backups.take()
    b, c = (phone.store.put("employer_contact", contact(f"Employer {n}")) for n in "BC")
    d = other_phone.store.put("employer_contact", contact("Employer D"))
    assert other_phone.sync().pushed == {"applied": 1}
    assert phone.sync().pushed == {"applied": 2}  # B and C acknowledged; D pulled
    assert phone.store.outbox.pending_count() == 0

    backups.restore()
    assert {row["id"] for row in server_rows(server)} == {a.id}
    if admin_ran_restored:
        server.cli("restored")
    statuses = []
    phone.add_listener(statuses.append)
    report = phone.sync()

    # Everything the phone holds went again, at the versions it holds: D
    # too, whose version names the other phone of the same user.
    assert report.requeued == 4
    assert report.pushed == {"duplicate": 1, "applied": 3}
    held = {record.id: record.version for record in (a, b, c, d)}
    rows = server_rows(server)
    assert len(rows) == 4 and {row["id"]: row["version"] for row in rows} == held
    assert any(status.pending == 4 for status in statuses)  # the Sync screen's count
    assert phone.store.outbox.pending_count() == 0 and phone.status.pending == 0
    (why,) = resend_audits(server, phone.store.device_id)
    assert ("another generation" if admin_ran_restored else "past the last seq") in why

    new_phone = devices.enroll(user)
    assert new_phone.sync().pulled == 4
    assert {r.id: r.version for r in new_phone.store.list("employer_contact")} == held


def test_a_phone_enrolled_after_the_backup_connects_again_only_as_its_own_user(devices, backups):
    server = devices.server
    ida, jo = devices.user("Ida Specialist"), devices.user("Jo Specialist")
    backups.take()
    phone = devices.enroll(ida)  # after the backup: the restored store never knew it
    made = phone.store.put("employer_contact", contact("Employer A"))
    assert phone.sync().pushed == {"applied": 1}
    backups.restore()
    server.cli("restored")

    with pytest.raises(TokenInvalidError):
        phone.sync()
    assert phone.status.enroll_again

    # Another person's code would send Ida's records again as Jo's: refused,
    # and not spent.
    jos_code = server.admin.make_enrollment_code(jo)
    with pytest.raises(EnrollmentError, match="holds another person's records"):
        phone.enroll(server.base_url, jos_code, "phone")
    assert phone.account["user"]["name"] == "Ida Specialist"
    jos_phone = devices.enroll(jo, code=jos_code)
    assert jos_phone.sync().pulled == 0

    phone.enroll(server.base_url, server.admin.make_enrollment_code(ida), "phone")
    assert not phone.status.enroll_again and phone.status.error is None
    assert phone.sync().pushed == {"applied": 1}
    (row,) = server_rows(server)
    assert row["id"] == made.id and row["owner_id"] == server.admin.user_id_named(ida)


def test_a_user_the_restore_lost_connects_again_once_made_again(devices, backups):
    server = devices.server
    backups.take()
    kim = devices.user("Kim Specialist")  # added after the backup: the restore loses them
    phone = devices.enroll(kim)
    made = phone.store.put("employer_contact", contact("Employer A"))
    assert phone.sync().pushed == {"applied": 1}
    backups.restore()

    lee = devices.user("Lee Specialist")
    with pytest.raises(EnrollmentError, match="holds another person's records"):
        phone.enroll(server.base_url, server.admin.make_enrollment_code(lee), "phone")
    devices.user("Kim Specialist")  # the administrator makes Kim again: a new id
    phone.enroll(server.base_url, server.admin.make_enrollment_code(kim), "phone")
    assert phone.sync().pushed == {"applied": 1}
    (row,) = server_rows(server)
    assert row["id"] == made.id and row["owner_id"] == server.admin.user_id_named(kim)
