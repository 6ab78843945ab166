"""What Home's sync line and the Sync screen say, state by state: only what is
true (issue 24: a phone never connected said "All synced"; offline flipped
between "Syncing now" and "Offline"; "Sync now" offline showed 0/0)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.ui.syncing import OFFLINE, SyncSummary
from sync.client import SyncStatus

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
ONE_CONTACT = {"employer_contact": 1, "employer": 1}


def test_a_phone_never_connected_says_its_records_are_on_it_only():
    for waiting in ({}, ONE_CONTACT):
        said = SyncSummary.of(None, waiting, NOW)
        assert said.waiting == "On this phone only"
        assert not said.synced and "Not connected to a server" in said.detail
    assert SyncSummary.of(None, ONE_CONTACT, NOW).waiting_list == (
        "1 directory entry, 1 employer contact")


def test_what_waits_is_named_by_kind():
    status = SyncStatus(online=True, last_synced_at=NOW - timedelta(minutes=5))
    said = SyncSummary.of(status, ONE_CONTACT, NOW)
    assert said.waiting == "1 directory entry and 1 employer contact waiting to sync"
    assert said.detail == "Last successful sync: 5 min ago"
    many = {"employer_contact": 3, "member_visit": 2, "member": 1}
    assert SyncSummary.of(status, many, NOW).waiting == "6 records waiting to sync"
    assert SyncSummary.of(status, many, NOW).waiting_list == (
        "3 employer contacts, 2 member visits, 1 member")


def test_offline_stays_offline_while_a_retry_runs():
    idle = SyncStatus(online=False, offline_reason="The server cannot be reached.")
    retrying = SyncStatus(online=False, running=True, phase="pushing", total=0,
                          offline_reason="The server cannot be reached.")
    for status in (idle, retrying):
        said = SyncSummary.of(status, ONE_CONTACT, NOW)
        assert said.detail == OFFLINE
        assert not said.running and said.progress is None and said.progress_text == ""
        assert said.problem is None  # offline is normal, not a problem in red


def test_syncing_shows_progress_only_once_records_move():
    starting = SyncStatus(online=True, running=True, phase="pushing", total=0)
    said = SyncSummary.of(starting, ONE_CONTACT, NOW)
    assert said.detail == "Syncing now" and said.running
    assert said.progress is None and said.progress_text == ""
    moving = SyncStatus(online=True, running=True, phase="pushing", done=1, total=2)
    said = SyncSummary.of(moving, ONE_CONTACT, NOW)
    assert said.progress == 0.5 and said.progress_text == "Sending 1/2"


def test_all_synced_only_from_a_phone_that_syncs_and_has_nothing_waiting():
    status = SyncStatus(online=True, last_synced_at=NOW)
    said = SyncSummary.of(status, {}, NOW)
    assert (said.waiting, said.synced, said.waiting_list) == ("All synced", True, "")
