"""A damaged store file is one clear error (StoreDamagedError) with a way out
(start fresh); nothing raw from SQLite, JSON or a missing row gets through."""

import os
import sqlite3

import pytest

from app.store import Store, StoreDamagedError, StoreExistsError, StoreState
from tests.conftest import PIN


def contact(employer="Juniper Garden Center", when="2026-11-18T10:00:00-06:00"):
    return {"occurred_at": when, "employer": employer, "face_to_face": True}


@pytest.fixture
def closed_store(store_dir):
    """A store with a few records, closed (its WAL folded into the file)."""
    store = Store.create(store_dir, PIN)
    for n in range(40):
        store.put("employer_contact", contact(f"Employer {n}") | {"notes": "n" * 400})
    store.close()
    return store_dir / "fieldlog.db"


def truncate_to(size):
    def damage(path):
        with open(path, "r+b") as file:
            file.truncate(size if size >= 0 else os.path.getsize(path) + size)

    return damage


def overwrite(offset, data):
    def damage(path):
        with open(path, "r+b") as file:
            file.seek(offset)
            file.write(data)

    return damage


def garbage(path):
    path.write_bytes(os.urandom(os.path.getsize(path)))


def run_sql(*statements):
    def damage(path):
        conn = sqlite3.connect(path)
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()

    return damage


FILE_DAMAGE = {
    "truncated to nothing": truncate_to(0),
    "truncated inside the header": truncate_to(60),
    "truncated to one page": truncate_to(4096),
    "truncated to three pages": truncate_to(3 * 4096),
    "cut short by a page": truncate_to(-4096),
    "header zeroed": overwrite(0, bytes(100)),
    "overwritten with garbage": garbage,
    "key wrap deleted": run_sql("DELETE FROM meta WHERE key = 'key_wrap'"),
    "key wrap garbled": run_sql("UPDATE meta SET value = '{\"kdf\": ' WHERE key = 'key_wrap'"),
    "key wrap wiped": run_sql("UPDATE meta SET value = '' WHERE key = 'key_wrap'"),
    "wrong-PIN count deleted": run_sql("DELETE FROM meta WHERE key = 'failed_pins'"),
    "target garbled": run_sql("UPDATE meta SET value = 'six' WHERE key = 'contact_target'"),
    "time zone unknown": run_sql("UPDATE meta SET value = 'Mars/Olympus' WHERE key = 'timezone'"),
    "outbox dropped": run_sql("DROP TABLE outbox"),
    "week column missing": run_sql(
        "DROP INDEX idx_records_kind_week", "ALTER TABLE records DROP COLUMN week"
    ),
    "a store whose making was cut short (tables, no meta)": run_sql("DELETE FROM meta"),
}


@pytest.mark.parametrize("damage", FILE_DAMAGE.values(), ids=FILE_DAMAGE.keys())
def test_a_damaged_file_is_one_clear_error_and_start_fresh_recovers(
    closed_store, store_dir, damage
):
    damage(closed_store)
    assert Store.state(store_dir) is StoreState.DAMAGED
    with pytest.raises(StoreDamagedError, match="Start fresh") as caught:
        Store.open(store_dir, PIN)
    assert "synced come back at the next sync" in str(caught.value)
    with pytest.raises(StoreDamagedError):
        Store.create(store_dir, PIN)  # never over a damaged store by accident
    Store.start_fresh(store_dir)
    assert Store.state(store_dir) is StoreState.NEW
    Store.create(store_dir, PIN).close()
    with Store.open(store_dir, PIN) as fresh:
        assert fresh.list("employer_contact") == []


def test_a_file_cut_short_while_open_is_the_same_clear_error(store_dir):
    store = Store.create(store_dir, PIN)
    for n in range(200):
        store.put("employer_contact", contact(f"Employer {n}") | {"notes": "n" * 400})
    store.lock()
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    truncate_to(8192)(store_dir / "fieldlog.db")
    with pytest.raises(StoreDamagedError):
        store.unlock(PIN)
        store.list("employer_contact")


def test_states_of_a_directory(store_dir):
    assert Store.state(store_dir) is StoreState.NEW
    Store.create(store_dir, PIN).close()
    assert Store.state(store_dir) is StoreState.READY
    with pytest.raises(StoreExistsError, match="open it with the PIN"):
        Store.start_fresh(store_dir)  # a usable store is never thrown away
    Store.open(store_dir, PIN).erase("because an administrator disconnected this device")
    assert Store.state(store_dir) is StoreState.ERASED


def test_the_leftover_of_an_interrupted_create_does_not_block_the_next(store_dir, monkeypatch):
    def crash(*_args):
        raise KeyboardInterrupt  # the moment before the rename

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", crash)
        with pytest.raises(KeyboardInterrupt):
            Store.create(store_dir, PIN)
    assert [p.name for p in store_dir.iterdir()] == ["fieldlog.db.creating"]
    assert Store.state(store_dir) is StoreState.NEW and not Store.exists(store_dir)
    Store.create(store_dir, PIN).close()
    assert [p.name for p in store_dir.iterdir()] == ["fieldlog.db"]


def test_an_erase_cut_short_is_finished_at_the_next_open(closed_store, store_dir):
    (store_dir / "ERASED").write_text('{"at": "2026-11-20T10:00:00+00:00", "reason": "after')
    assert Store.state(store_dir) is StoreState.ERASED and not Store.exists(store_dir)
    with pytest.raises(Exception, match="erased to protect it"):
        Store.open(store_dir, PIN)
    assert [p.name for p in store_dir.iterdir()] == ["ERASED"]
    Store.create(store_dir, PIN).close()
    assert [p.name for p in store_dir.iterdir()] == ["fieldlog.db"]
