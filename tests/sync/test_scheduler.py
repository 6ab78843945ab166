"""The background scheduler against a real central store: it survives any
failure and says why, pushes a saved change within seconds, and notices
within seconds when the server goes away and comes back."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from sync.client import SyncScheduler
from tests.sync.conftest import PIN, contact, server_rows


def test_the_scheduler_survives_a_locked_phone_and_syncs_once_unlocked(devices):
    devices.user("Pia Specialist")
    phone = devices.enroll("Pia Specialist")
    record = phone.store.put("employer_contact", contact())
    synced = threading.Event()
    phone.add_listener(lambda status: status.pending == 0 and not status.running and synced.set())
    scheduler = SyncScheduler(phone, interval=0.05)
    phone.store.lock()  # the phone locks itself before the first tick
    scheduler.start()
    try:
        scheduler.request()
        time.sleep(0.3)
        assert scheduler._thread.is_alive() and not server_rows(devices.server, record.id)
        phone.store.unlock(PIN)
        assert synced.wait(10), "the waiting record was not synced after unlocking"
        assert server_rows(devices.server, record.id)
    finally:
        scheduler.stop()
    assert not scheduler._thread.is_alive()


def test_the_scheduler_survives_any_exception_says_why_and_keeps_trying(devices):
    devices.user("Una Specialist")
    phone = devices.enroll("Una Specialist")
    record = phone.store.put("employer_contact", contact())
    faults = [RuntimeError("boom"), KeyError("week_start")]
    push = phone._push_all

    def faulty_push(report):
        if faults:
            raise faults.pop(0)
        push(report)

    phone._push_all = faulty_push
    errors = []
    phone.add_listener(lambda status: errors.append(status.error))
    phone.add_listener(lambda status: 1 / 0)  # a failing listener stops nothing either
    scheduler = SyncScheduler(phone, interval=60, retry_delay=0.05).start()
    try:
        scheduler.request()
        deadline = time.monotonic() + 10
        while not server_rows(devices.server, record.id) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server_rows(devices.server, record.id), "sync gave up after the faults"
    finally:
        scheduler.stop()
    shown = [error for error in dict.fromkeys(errors) if error]
    assert [error.split("(")[1].split(")")[0] for error in shown] == ["RuntimeError", "KeyError"]
    assert "tell your administrator" in shown[0]
    assert phone.status.error is None  # cleared by the sync that succeeded


def seconds_until(condition, limit):
    """How long `condition` took to hold; fails after `limit` seconds."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < limit, f"not within {limit} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_saved_changes_go_out_within_seconds_and_offline_shows_within_ten(devices):
    """With the app's own timings: push 1 s after a save, a probe every 5 s."""
    devices.user("Vic Specialist")
    phone = devices.enroll("Vic Specialist")
    server = devices.server
    scheduler = SyncScheduler(phone).start()
    try:
        scheduler.request()
        seconds_until(lambda: phone.status.last_synced_at is not None, 10)

        record = phone.store.put("employer_contact", contact("Saved And Sent"))
        scheduler.changed()
        to_server = seconds_until(lambda: server_rows(server, record.id), 5)

        server.stop()
        offline = datetime.now(UTC)
        to_offline = seconds_until(lambda: phone.status.online is False, 10)
        assert "cannot be reached" in phone.status.offline_reason
        waiting = phone.store.put("employer_contact", contact("Saved Offline"))
        scheduler.changed()
        time.sleep(2)
        assert phone.status.pending == 1 and phone.status.online is False

        server.start()
        to_synced = seconds_until(
            lambda: server_rows(server, waiting.id) and phone.status.last_synced_at > offline, 15
        )
        status = phone.status
        assert (status.pending, status.online, status.offline_reason, status.error) == (
            0,
            True,
            None,
            None,
        )
    finally:
        scheduler.stop()
    print(
        f"\nsave -> on the server {to_server:.2f} s; server stopped -> offline "
        f"{to_offline:.2f} s; server back -> change synced {to_synced:.2f} s"
    )
