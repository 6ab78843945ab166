"""The encrypted device store: records, edits, tallies, settings, PINs."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain import Record, ValidationError, new_record_id
from app.store import (
    Merged,
    SetAside,
    Store,
    StoreErasedError,
    StoreExistsError,
    StoreLockedError,
    StoreNotFoundError,
    WrongPinError,
)
from tests.conftest import PIN


def contact(
    employer="Juniper Garden Center", *, when="2026-11-18T10:00:00-06:00", f2f=True, **more
):
    return {"occurred_at": when, "employer": employer, "face_to_face": f2f, **more}


def test_put_get_list_edit_delete(fresh_store):
    first = fresh_store.put("employer_contact", contact(when="2026-11-17T09:00:00-06:00"))
    second = fresh_store.put("employer_contact", contact("Copper Kettle Diner"))
    assert fresh_store.get(first.id) == first
    assert [r.id for r in fresh_store.list("employer_contact")] == [second.id, first.id]

    edited = fresh_store.put("employer_contact", contact("Copper Kettle Cafe"), id=second.id)
    assert edited.id == second.id and edited.version > second.version
    assert fresh_store.get(second.id).data["employer"] == "Copper Kettle Cafe"

    tombstone = fresh_store.delete(first.id)
    assert tombstone.deleted and tombstone.version > first.version
    assert fresh_store.get(first.id) is None
    assert [r.id for r in fresh_store.list("employer_contact")] == [second.id]
    assert fresh_store.count("employer_contact") == 1


def test_undo_of_a_delete_is_a_newer_put(fresh_store):
    record = fresh_store.put("employer_contact", contact())
    fresh_store.delete(record.id)
    restored = fresh_store.put("employer_contact", dict(record.data), id=record.id)
    assert fresh_store.get(record.id) == restored


def test_bad_input_is_refused_with_the_field_and_nothing_is_written(fresh_store):
    with pytest.raises(ValidationError, match="employer"):
        fresh_store.put("employer_contact", contact(""))
    with pytest.raises(ValidationError, match="not a record kind"):
        fresh_store.put("lunch", {})
    member = fresh_store.put(
        "member", {"display_name": "Tamsin", "program_entry": "2026-10-01", "status": "active"}
    )
    with pytest.raises(ValidationError, match="is a member, not a employer_contact"):
        fresh_store.put("employer_contact", contact(), id=member.id)
    with pytest.raises(ValidationError, match="no record"):
        fresh_store.delete("0193a6f0-5c1e-7d4a-9a51-3f2b8c9e1d20")
    assert fresh_store.count("employer_contact") == 0 and fresh_store.outbox.pending_count() == 1


def test_week_tally_and_weekly_counts(fresh_store):
    for day, f2f in [(16, True), (18, True), (18, False), (22, True), (23, True), (9, True)]:
        fresh_store.put(
            "employer_contact", contact(when=f"2026-11-{day:02d}T12:00:00-06:00", f2f=f2f)
        )
    gone = fresh_store.put("employer_contact", contact())
    fresh_store.delete(gone.id)
    tally = fresh_store.week_tally(date(2026, 11, 20))
    assert (tally.week_start, tally.count, tally.target, len(tally.contacts)) == (
        date(2026, 11, 16),
        3,
        6,
        4,
    )
    assert fresh_store.weekly_counts(date(2026, 11, 23), weeks=3) == [
        (date(2026, 11, 9), 1),
        (date(2026, 11, 16), 3),
        (date(2026, 11, 23), 1),
    ]


def test_settings_change_moves_the_week_index(fresh_store):
    # Sunday evening in Chicago: Monday-start week of Nov 16, Sunday-start week of Nov 22.
    fresh_store.put("employer_contact", contact(when="2026-11-22T20:00:00-06:00"))
    assert fresh_store.week_tally(date(2026, 11, 22)).week_start == date(2026, 11, 16)
    fresh_store.update_settings(week_start="sunday", contact_target=5)
    tally = fresh_store.week_tally(date(2026, 11, 22))
    assert (tally.week_start, tally.count, tally.target) == (date(2026, 11, 22), 1, 5)
    fresh_store.update_settings(timezone="Pacific/Auckland")  # Monday 15:00 there
    assert fresh_store.week_tally(date(2026, 11, 23)).count == 1
    fresh_store.close()
    reopened = Store.open(fresh_store.path, PIN)
    assert reopened.settings.week_start == "sunday" and reopened.settings.contact_target == 5
    assert reopened.week_tally(date(2026, 11, 23)).count == 1
    reopened.close()


def test_versions_keep_growing_across_reopen(store_dir):
    store = Store.create(store_dir, PIN)
    before = store.put("employer", {"name": "Quill & Co"})
    store.close()
    store = Store.open(store_dir, PIN)
    assert store.put("employer", {"name": "Quill & Co"}, id=before.id).version > before.version
    store.close()


def test_create_refuses_an_existing_store_and_open_needs_one(store_dir):
    Store.create(store_dir, PIN).close()
    with pytest.raises(StoreExistsError):
        Store.create(store_dir, PIN)
    with pytest.raises(StoreNotFoundError, match="create one"):
        Store.open(store_dir.parent / "elsewhere", PIN)


@pytest.mark.parametrize("pin", ["12345", "12a456", "", "１２３４５６"])
def test_pin_must_be_six_digits(store_dir, pin):
    with pytest.raises(ValidationError) as caught:
        Store.create(store_dir, pin)
    assert caught.value.field == "pin"


def test_wrong_pin_counts_down_and_the_count_survives_restarts(store_dir):
    Store.create(store_dir, PIN).close()
    for left in (9, 8, 7):
        with pytest.raises(WrongPinError, match=f"{left} tries left") as caught:
            Store.open(store_dir, "000000")
        assert caught.value.attempts_left == left
    Store.open(store_dir, PIN).close()  # a right PIN resets the count
    with pytest.raises(WrongPinError) as caught:
        Store.open(store_dir, "000000")
    assert caught.value.attempts_left == 9


def test_ten_wrong_pins_erase_the_data_and_a_new_store_can_be_made(store_dir):
    store = Store.create(store_dir, PIN)
    store.put("employer_contact", contact())
    store.close()
    for _ in range(9):
        with pytest.raises(WrongPinError):
            Store.open(store_dir, "000000")
    with pytest.raises(StoreErasedError, match="erased"):
        Store.open(store_dir, "000000")
    with pytest.raises(StoreErasedError, match="10 wrong PINs"):
        Store.open(store_dir, PIN)  # the right PIN cannot bring it back
    assert not any(p.name.startswith("fieldlog.db") for p in store_dir.iterdir())
    fresh = Store.create(store_dir, "246810")
    assert fresh.list("employer_contact") == []
    fresh.close()


def test_change_pin_rewraps_the_key_only(store_dir):
    store = Store.create(store_dir, PIN)
    record = store.put("employer_contact", contact())
    with pytest.raises(WrongPinError):
        store.change_pin("111111", "222222")
    with pytest.raises(ValidationError):
        store.change_pin(PIN, "12")
    store.change_pin(PIN, "975310")
    store.close()
    with pytest.raises(WrongPinError):
        Store.open(store_dir, PIN)
    store = Store.open(store_dir, "975310")
    assert store.get(record.id) == record
    store.close()


def test_close_and_idle_forget_the_key(store_dir):
    now = [0.0]
    store = Store.create(store_dir, PIN, monotonic=lambda: now[0])
    record = store.put("employer_contact", contact())
    now[0] += store.auto_lock_seconds - 1
    assert store.get(record.id) == record  # use restarts the idle time
    now[0] += store.auto_lock_seconds + 1
    with pytest.raises(StoreLockedError, match="enter your PIN"):
        store.get(record.id)
    assert store.locked
    assert store.outbox.pending_count() == 1  # the count needs no key: the home screen shows it
    with pytest.raises(WrongPinError):
        store.unlock("000000")
    store.unlock(PIN)
    assert store.get(record.id) == record
    store.lock()
    with pytest.raises(StoreLockedError):
        store.list("employer_contact")
    store.unlock(PIN)
    with pytest.raises(ValidationError):
        store.set_auto_lock_seconds(5)
    store.set_auto_lock_seconds(60)
    store.close()
    with pytest.raises(StoreLockedError, match="closed"):
        store.get(record.id)


def test_outbox_acknowledge_reject_and_pull_merge(fresh_store):
    a = fresh_store.put("employer_contact", contact("Alder Auto"))
    b = fresh_store.put("employer_contact", contact("Birch Bikes"))
    c = fresh_store.put("employer_contact", contact("Cedar Crafts"))
    assert [r.id for r in fresh_store.outbox.pending_changes()] == [a.id, b.id, c.id]
    b2 = fresh_store.put("employer_contact", contact("Birch Bicycles"), id=b.id)  # edited in flight
    fresh_store.outbox.acknowledge(
        [
            (a.id, a.version, "applied", None),
            (b.id, b.version, "applied", None),
            (c.id, c.version, "rejected", {"code": "invalid", "message": "employer: too long"}),
        ]
    )
    assert [r.version for r in fresh_store.outbox.pending_changes()] == [b2.version]
    assert fresh_store.outbox.pending_count() == 1
    [rejection] = fresh_store.outbox.rejections()
    assert (rejection.record.id, rejection.code) == (c.id, "invalid")
    fresh_store.put("employer_contact", contact("Cedar Crafts"), id=c.id)  # an edit requeues
    assert fresh_store.outbox.rejections() == [] and fresh_store.outbox.pending_count() == 2

    # Pull: a newer remote version wins; an older one is ignored; the cursor is saved.
    remote_a = a.__class__(
        a.id, a.kind, "9999999999999.00000.other", False, contact("Alder Automotive")
    )
    stale_b = b.__class__(b.id, b.kind, "0000000000001.00000.other", False, contact("Old"))
    assert fresh_store.inbox.apply_pulled([remote_a, stale_b], "cursor-1").changed == 1
    assert fresh_store.get(a.id).data["employer"] == "Alder Automotive"
    assert fresh_store.get(b.id).data["employer"] == "Birch Bicycles"
    assert fresh_store.inbox.cursor == "cursor-1"
    assert fresh_store.put("employer", {"name": "After"}).version > remote_a.version


def test_pulled_records_that_cannot_be_stored_are_set_aside_and_the_page_goes_on(fresh_store):
    good = Record(new_record_id(), "employer_contact", "1763820000123.00000.other", False,
                  contact("Fine Foods"))
    odd = Record(new_record_id(), "employer_contact", "1763820000124.00000.other", False,
                 {**contact(), "occurred_at": "yesterday"})
    unread = SetAside("7", "lunch", "1", "kind: 'lunch' is not a record kind")
    merged = fresh_store.inbox.apply_pulled([good, odd], "cursor-1", set_aside=[unread])
    assert merged == Merged(1, 2)
    assert fresh_store.inbox.cursor == "cursor-1" and fresh_store.get(good.id) == good
    assert fresh_store.get(odd.id) is None  # nothing of it was written
    assert fresh_store.inbox.set_aside_count() == 2
    first, second = fresh_store.inbox.set_aside()
    assert first == unread
    assert (second.id, second.kind) == (odd.id, "employer_contact")
    assert "cannot be stored on this phone" in second.reason
    fixed = Record(odd.id, odd.kind, "1763820000125.00000.other", False, contact("Fixed"))
    assert fresh_store.inbox.apply_pulled([fixed], "cursor-2") == Merged(1, 0)
    assert fresh_store.inbox.set_aside() == [unread]  # the version that fits replaced the note
    assert fresh_store.damaged() == []


def test_secrets_are_sealed_and_removable(fresh_store):
    fresh_store.secrets.set("token", "s3cr3t-token-value")
    assert fresh_store.secrets.get("token") == "s3cr3t-token-value"
    fresh_store.secrets.set("token", None)
    assert fresh_store.secrets.get("token") is None


def test_erase_destroys_the_data_and_says_why(store_dir):
    store = Store.create(store_dir, PIN)
    store.put("employer_contact", contact())
    store.erase("because an administrator disconnected this device")
    assert store.locked
    assert not any(p.name.startswith("fieldlog.db") for p in store_dir.iterdir())
    with pytest.raises(StoreErasedError, match="administrator disconnected this device"):
        Store.open(store_dir, PIN)
    Store.create(store_dir, PIN).close()


def test_changes_stamped_too_far_ahead_are_restamped_from_server_time(store_dir):
    from datetime import timedelta

    day_ms = 86_400_000
    server_ms = 1_800_000_000_000
    wall = [server_ms + 2 * day_ms]  # the phone is two days ahead
    store = Store.create(store_dir, PIN, wall_ms=lambda: wall[0])
    ahead = store.put("employer_contact", contact("Ahead"))
    normal = store.put("employer", {"name": "Pulled Earlier"})
    store.outbox.acknowledge([(normal.id, normal.version, "applied", None)])
    server_time = "2027-01-15T08:00:00+00:00"  # = server_ms
    store.inbox.observe_server_time(server_time)
    assert store.outbox.restamp_ahead(server_time, timedelta(hours=24)) == 1  # only the queued one
    [queued] = store.outbox.pending_changes()
    assert queued.id == ahead.id and queued.version < f"{server_ms + day_ms:013d}"
    assert store.get(ahead.id) == queued
    assert store.outbox.restamp_ahead(server_time, timedelta(hours=24)) == 0
    wall[0] += 1000
    assert store.put("employer", {"name": "Later"}).version.startswith(str(server_ms)[:9])
    store.close()


def wall_at(iso):
    return lambda: int(datetime.fromisoformat(iso).timestamp() * 1000)


def test_put_applies_the_limits_by_the_store_clock(store_dir):
    store = Store.create(store_dir, PIN, wall_ms=wall_at("2026-11-18T16:00:00+00:00"))
    assert store.now() == datetime(2026, 11, 18, 16, 0, tzinfo=UTC)
    store.put("employer_contact", contact(when="2026-11-18T10:10:00-06:00"))  # clocks differ
    with pytest.raises(ValidationError, match="occurred_at: is in the future"):
        store.put("employer_contact", contact(when="2026-11-18T10:20:00-06:00"))
    with pytest.raises(ValidationError, match="program_entry: is 1999-12-31"):
        store.put(
            "member", {"display_name": "Odile", "program_entry": "1999-12-31", "status": "active"}
        )
    store.close()


def test_a_phone_clock_far_behind_is_corrected_by_the_server_time(store_dir):
    store = Store.create(store_dir, PIN, wall_ms=wall_at("2026-11-16T16:00:00+00:00"))
    with pytest.raises(ValidationError, match="in the future"):
        store.put("employer_contact", contact(when="2026-11-18T10:00:00-06:00"))
    store.inbox.observe_server_time("2026-11-18T16:00:00+00:00")  # two days later
    assert store.now() == datetime(2026, 11, 18, 16, 0, tzinfo=UTC)
    assert store.today() == date(2026, 11, 18)
    store.put("employer_contact", contact(when="2026-11-18T10:00:00-06:00"))
    store.close()
    with Store.open(store_dir, PIN, wall_ms=wall_at("2026-11-16T16:00:01+00:00")) as reopened:
        assert reopened.now() - datetime(2026, 11, 18, 16, 0, tzinfo=UTC) == timedelta(seconds=1)


def test_today_is_the_date_in_the_team_zone_and_the_default_week(store_dir):
    # Sunday 21:00 in Chicago is already Monday in UTC and in Berlin.
    store = Store.create(store_dir, PIN, wall_ms=wall_at("2026-11-23T03:00:00+00:00"))
    assert store.today() == date(2026, 11, 22)
    store.put("employer_contact", contact(when="2026-11-22T20:00:00-06:00"))
    assert (store.week_tally().week_start, store.week_tally().count) == (date(2026, 11, 16), 1)
    assert store.weekly_counts(weeks=1) == [(date(2026, 11, 16), 1)]
    store.update_settings(timezone="Europe/Berlin")
    assert store.today() == date(2026, 11, 23)
    assert (store.week_tally().week_start, store.week_tally().count) == (date(2026, 11, 23), 1)
    store.close()


def test_settings_from_the_server_are_kept_and_cannot_be_changed_here(store_dir):
    store = Store.create(store_dir, PIN)
    assert not store.settings_from_server
    store.update_settings(contact_target=5)  # not connected: the phone's own settings
    store.update_settings(week_start="sunday", timezone="America/Denver", contact_target=7,
                          source="server")
    assert store.settings_from_server and store.settings.contact_target == 7
    with pytest.raises(ValidationError, match="come from your team's server") as caught:
        store.update_settings(contact_target=4)
    assert caught.value.field == "settings"
    writes = store._core.db.conn.total_changes
    store.update_settings(week_start="sunday", timezone="America/Denver", contact_target=7,
                          source="server")
    assert store._core.db.conn.total_changes == writes  # unchanged settings write nothing
    store.close()
    with Store.open(store_dir, PIN) as reopened:
        assert reopened.settings_from_server and reopened.settings.timezone == "America/Denver"
        assert reopened.damaged() == []


def test_each_committed_write_is_announced_and_a_batch_once(fresh_store):
    heard: list[int] = []
    stop = fresh_store.on_write(lambda: heard.append(fresh_store.outbox.pending_count()))
    first = fresh_store.put("employer_contact", contact())
    assert heard == [1]  # told after the commit: the change already waits to be pushed
    fresh_store.delete(first.id)
    assert heard == [1, 1]
    with fresh_store.batch():
        for _ in range(3):
            fresh_store.put("employer_contact", contact())
        assert heard == [1, 1]  # nothing yet: one announcement when the batch commits
    assert heard == [1, 1, 4]

    # A batch that fails leaves nothing behind and announces nothing.
    with pytest.raises(ValidationError), fresh_store.batch():
        fresh_store.put("employer_contact", contact())
        fresh_store.put("employer_contact", {"employer": ""})
    assert fresh_store.outbox.pending_count() == 4 and heard == [1, 1, 4]

    stop()
    fresh_store.put("employer_contact", contact())
    assert heard == [1, 1, 4]
