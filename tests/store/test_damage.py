"""Damage on disk. A damaged file is one clear error (StoreDamagedError) with a
way out (start fresh), never anything raw from SQLite, JSON or a missing row;
a damaged or moved row is reported by damaged() and never counted."""

import json
import os
import sqlite3
from datetime import date

import pytest

from app.store import (
    RecordDamagedError,
    Store,
    StoreDamagedError,
    StoreExistsError,
    StoreState,
)
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


WHILE_LOCKED = {
    "cut short": truncate_to(8192),
    "key wrap deleted": run_sql("DELETE FROM meta WHERE key = 'key_wrap'"),
    "key wrap garbled": run_sql("UPDATE meta SET value = '[]' WHERE key = 'key_wrap'"),
    "wrong-PIN count deleted": run_sql("DELETE FROM meta WHERE key = 'failed_pins'"),
}


@pytest.mark.parametrize("damage", WHILE_LOCKED.values(), ids=WHILE_LOCKED.keys())
def test_damage_done_while_the_app_was_locked_is_the_same_clear_error(store_dir, damage):
    store = Store.create(store_dir, PIN)
    for n in range(200):
        store.put("employer_contact", contact(f"Employer {n}") | {"notes": "n" * 400})
    store.lock()
    store._core.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damage(store_dir / "fieldlog.db")
    # Another connection's write makes the app's connection drop its page cache.
    run_sql("PRAGMA user_version = 1")(store_dir / "fieldlog.db")
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


# ----- one row damaged: reported, never counted, the rest usable ------------------------

WEEK = date(2026, 11, 16)


def on_rows(table, change, *, where="week = '2026-11-16'", rows=1):
    """Damage made with `change(conn, rid, body)` to the first `rows` rows of `table`."""

    def damage(path):
        conn = sqlite3.connect(path)
        key = "name" if table == "secrets" else "rid"
        found = conn.execute(
            f"SELECT {key}, body FROM {table} WHERE {where} ORDER BY {key} LIMIT {rows}"
        ).fetchall()
        assert len(found) == rows
        change(conn, found)
        conn.commit()
        conn.close()

    return damage


def flip_a_byte(table, key="rid"):
    def change(conn, found):
        [(name, body)] = found
        altered = body[:20] + bytes([body[20] ^ 1]) + body[21:]
        conn.execute(f"UPDATE {table} SET body = ? WHERE {key} = ?", [altered, name])

    return change


def swap_bodies(conn, found):
    (rid_a, body_a), (rid_b, body_b) = found
    conn.execute("UPDATE records SET body = ? WHERE rid = ?", [body_b, rid_a])
    conn.execute("UPDATE records SET body = ? WHERE rid = ?", [body_a, rid_b])


def set_column(column, value):
    def change(conn, found):
        [(rid, _)] = found
        conn.execute(f"UPDATE records SET {column} = ? WHERE rid = ?", [value, rid])

    return change


# damage, the counts of the week before and of the week after it, what damaged() says
ROW_DAMAGE = {
    "a byte of a body changed": (
        on_rows("records", flip_a_byte("records")), [1, 2], ["Employer contact saved"]
    ),
    "two bodies swapped": (
        on_rows("records", swap_bodies, rows=2), [1, 1], ["Employer contact saved"] * 2
    ),
    "a row moved to the week before": (
        on_rows("records", set_column("week", "2026-11-09")), [1, 2], ["Employer contact saved"]
    ),
    "a row of the week before moved into this one": (
        on_rows("records", set_column("week", "2026-11-16"), where="week = '2026-11-09'"),
        [0, 3],
        ["Employer contact saved"],
    ),
    "a row marked deleted": (
        on_rows("records", set_column("deleted", 1)), [1, 2], ["Employer contact saved"]
    ),
    "a row's kind changed": (
        on_rows("records", set_column("kind", "member_visit")), [1, 2], ["Member visit saved"]
    ),
    "a row's version changed": (
        on_rows("records", set_column("version", "9999999999999.00000.x")),
        [1, 2],
        ["Employer contact saved 2286"],
    ),
    "a change waiting to sync altered": (
        on_rows("outbox", flip_a_byte("outbox"), where="1"),
        [1, 3],
        ["A change waiting to sync (employer contact saved"],
    ),
    "the device token altered": (
        on_rows("secrets", flip_a_byte("secrets", key="name"), where="1"),
        [1, 3],
        ["A saved sync setting (device token)"],
    ),
}


@pytest.mark.parametrize(
    ("damage", "counts", "reported"), ROW_DAMAGE.values(), ids=ROW_DAMAGE.keys()
)
def test_a_damaged_row_is_reported_and_never_counted(store_dir, damage, counts, reported):
    store = Store.create(store_dir, PIN)
    for day in (16, 17, 18, 9):  # three of the week, one of the week before
        store.put("employer_contact", contact(when=f"2026-11-{day:02d}T10:00:00-06:00"))
    store.secrets.set("device_token", "an-invented-token")
    store.close()
    damage(store_dir / "fieldlog.db")

    store = Store.open(store_dir, PIN)
    assert [n for _, n in store.weekly_counts(WEEK, weeks=2)] == counts
    assert store.week_tally(WEEK).count == counts[1]
    found = store.damaged()
    assert len(found) == len(reported), found
    assert all(text.startswith(start) for text, start in zip(found, reported, strict=True))
    queue_damaged = any(text.startswith("A change") for text in found)
    assert len(store.outbox.pending_changes()) == 4 - queue_damaged
    store.put("employer_contact", contact("Still Works Ltd"))  # the rest stays usable
    assert store.week_tally(WEEK).count == counts[1] + 1
    assert store.damaged() == found
    store.close()


def test_a_damaged_row_read_directly_says_which_and_a_new_version_heals_it(store_dir):
    store = Store.create(store_dir, PIN)
    record = store.put("employer_contact", contact())
    store.close()
    on_rows("records", flip_a_byte("records"))(store_dir / "fieldlog.db")
    store = Store.open(store_dir, PIN)
    with pytest.raises(RecordDamagedError, match=f"Record {record.id} failed its integrity"):
        store.get(record.id)
    assert len(store.damaged()) == 1
    store.put("employer_contact", contact("Rewritten"), id=record.id)
    assert store.damaged() == [] and store.week_tally(WEEK).count == 1
    store.close()


# ----- the readable settings are tagged --------------------------------------------------


def test_settings_altered_on_disk_are_reported_until_set_again(store_dir):
    store = Store.create(store_dir, PIN)
    store.put("employer_contact", contact(when="2026-11-22T10:00:00-06:00"))  # a Sunday
    store.close()
    run_sql("UPDATE meta SET value = 'sunday' WHERE key = 'week_start'")(
        store_dir / "fieldlog.db"
    )
    store = Store.open(store_dir, PIN)
    assert store.damaged() == ["The team settings (week start, time zone, weekly target)"]
    assert store.week_tally(date(2026, 11, 22)).count == 0  # the index is of Monday weeks
    store.update_settings(week_start="sunday")  # the same value: the index is rebuilt
    assert store.damaged() == []
    assert store.week_tally(date(2026, 11, 22)).week_start == date(2026, 11, 22)
    assert store.week_tally(date(2026, 11, 22)).count == 1
    store.close()
    with Store.open(store_dir, PIN) as reopened:
        assert reopened.damaged() == []


def test_settings_marked_local_on_disk_are_reported(store_dir):
    store = Store.create(store_dir, PIN)
    store.update_settings(contact_target=5, source="server")
    store.close()
    run_sql("UPDATE meta SET value = 'local' WHERE key = 'settings_source'")(
        store_dir / "fieldlog.db"
    )
    with Store.open(store_dir, PIN) as store:
        assert store.damaged() == ["The team settings (week start, time zone, weekly target)"]


def test_a_removed_tag_on_a_store_of_this_version_is_reported(store_dir):
    store = Store.create(store_dir, PIN)
    store.put("employer_contact", contact())
    store.close()
    run_sql(
        "UPDATE meta SET value = '1' WHERE key = 'contact_target'",
        "DELETE FROM meta WHERE key = 'settings_tag'",
    )(store_dir / "fieldlog.db")
    with Store.open(store_dir, PIN) as store:
        assert store.damaged() == ["The team settings (week start, time zone, weekly target)"]


# ----- stores made before rows were sealed with their week --------------------------------


def test_an_older_store_is_resealed_with_weeks_at_its_first_unlock(store_dir):
    store = Store.create(store_dir, PIN)
    made = [
        store.put("employer_contact", contact(when=f"2026-11-{day:02d}T10:00:00-06:00"))
        for day in (16, 17, 9)
    ]
    keys = store._core.keys_for_use()
    store.close()
    # As the previous version stored them: bodies sealed with the row's identity
    # only, settings untagged; and one week column changed on disk meanwhile.
    conn = sqlite3.connect(store_dir / "fieldlog.db")
    for record in made:
        rid = keys.row_key(record.id)
        plain = json.dumps({"id": record.id, "data": dict(record.data)}).encode()
        body = keys.seal_bytes(plain, f"{rid}|employer_contact|{record.version}|0".encode())
        conn.execute("UPDATE records SET body = ? WHERE rid = ?", [body, rid])
    conn.execute("UPDATE records SET week = '2026-11-09' WHERE rid = ?", [keys.row_key(made[0].id)])
    conn.execute("DELETE FROM meta WHERE key = 'settings_tag'")
    conn.commit()
    conn.close()

    with Store.open(store_dir, PIN) as store:
        assert store.damaged() == []
        # Weeks come from the sealed times, not from the altered column.
        assert [n for _, n in store.weekly_counts(WEEK, weeks=2)] == [1, 2]
    with Store.open(store_dir, PIN) as store:  # once: now sealed the new way
        assert store.damaged() == [] and store.week_tally(WEEK).count == 2
