"""The sync client against a real central store: round trips, faults, conflicts."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from datetime import date

import httpx
import pytest
import sqlalchemy as sa

from app.domain import new_record_id
from app.store import Store, StoreErasedError
from sync.client import SyncClient, normalise_server_url
from sync.errors import DeviceRevokedError, EnrollmentError, OfflineError, TokenInvalidError
from sync.server.db import conflicts, iso, records, seq_counter, teams, utc_now
from sync.server.db import devices as devices_table
from tests.due_cases import PAYERS
from tests.sync.conftest import PIN, contact, server_rows
from tests.sync.proxy import CuttingProxy

DAY_MS = 86_400_000


def conflict_rows(server, record_id):
    with server.admin.engine.connect() as conn:
        query = sa.select(conflicts).where(conflicts.c.record_id == record_id)
        return [dict(r._mapping) for r in conn.execute(query)]


def test_enroll_takes_the_team_settings_and_a_bad_code_is_explained(devices):
    devices.user("Ada Specialist")
    phone = devices.enroll("Ada Specialist")
    assert phone.account["user"]["name"] == "Ada Specialist"
    assert phone.store.settings.timezone == "America/Chicago"
    assert phone.store.settings_from_server
    other = Store.create(devices.root / "spare", PIN)
    devices.stores.append(other)
    spare = SyncClient(store=other)
    with pytest.raises(EnrollmentError, match="Ask your administrator for a new code"):
        spare.enroll(devices.server.base_url, "not-a-code", "spare")
    assert not spare.enrolled


def test_a_sync_takes_the_payers_and_their_rules_reach_the_due_list(devices):
    devices.user("Bea Specialist")
    phone = devices.enroll("Bea Specialist")
    store = phone.store
    assert store.payers == {}  # enrolled, not yet synced
    member = store.put(
        "member",
        {"display_name": "Cal", "program_entry": "2026-11-02", "status": "active",
         "payer": "lhcc"},
    )
    assert {i.rule for i in store.due_items() if i.member_id == member.id} == {"career_profile"}
    phone.sync()
    assert store.payers == PAYERS
    rules = {i.rule for i in store.due_items() if i.member_id == member.id}
    assert {"lrs_check", "authorization"} <= rules


def test_guessing_codes_is_stopped_at_once_and_says_how_long_to_wait(devices):
    """The server's 429 is not retried (each try would count as one more
    failure), and the message, on the code, says when to try again."""
    other = Store.create(devices.root / "guesser", PIN)
    devices.stores.append(other)
    attempts: list[int] = []

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            attempts.append(1)
            return super().handle_request(request)

    with Counting() as transport:
        guesser = SyncClient(store=other, transport=transport, sleep=lambda _s: None)
        for _ in range(10):
            with pytest.raises(EnrollmentError, match="new code"):
                guesser.enroll(devices.server.base_url, "WRONG-CODE-0000", "guesser")
        attempts.clear()
        with pytest.raises(EnrollmentError, match=r"try again in about \d+ minutes?"):
            guesser.enroll(devices.server.base_url, "WRONG-CODE-0000", "guesser")
    assert len(attempts) == 1


def test_push_then_pull_on_a_second_device_of_the_same_specialist(devices):
    devices.user("Bo Specialist")
    first, second = devices.enroll("Bo Specialist"), devices.enroll("Bo Specialist")
    made = [first.store.put("employer_contact", contact(f"Employer {n}")) for n in range(3)]
    first.store.delete(made[2].id)
    statuses = []
    first.add_listener(statuses.append)
    report = first.sync()
    assert report.pushed == {"applied": 3}
    assert first.store.outbox.pending_count() == 0 and first.status.pending == 0
    assert first.status.last_synced_at is not None and first.status.error is None
    assert {"pushing", "pulling"} <= {s.phase for s in statuses}
    assert statuses[-1].running is False

    second.sync()
    assert {r.id for r in second.store.list("employer_contact")} == {made[0].id, made[1].id}
    assert second.store.week_tally(date(2026, 11, 18)).count == 2
    assert second.sync().pulled == 0  # the cursor was kept


def test_more_than_one_batch_and_more_than_one_page(devices):
    devices.user("Cy Specialist")
    first, second = devices.enroll("Cy Specialist"), devices.enroll("Cy Specialist")
    page = [(contact(f"Employer {n}"), None) for n in range(1203)]
    for data, _ in page:
        first.store.put("employer_contact", data)
    sizes = []
    first.add_listener(lambda s: s.phase == "pushing" and sizes.append((s.done, s.total)))
    assert first.sync().pushed == {"applied": 1203}
    assert (500, 1203) in sizes and (1203, 1203) in sizes
    assert len(server_rows(devices.server)) == 1203
    # Batches go out together, but the last after every answer: the server
    # keeps the last pending count the phone reported.
    with devices.server.admin.engine.connect() as conn:
        kept = conn.execute(
            sa.select(devices_table.c.pending).where(devices_table.c.id == first.store.device_id)
        ).scalar_one()
    assert kept == 0
    assert second.sync().pulled == 1203
    assert second.store.count("employer_contact") == 1203


def test_a_reply_lost_after_the_server_committed_is_resent_without_duplicates(devices):
    devices.user("Di Specialist")
    proxy = CuttingProxy(devices.server.port)
    try:
        phone = devices.enroll("Di Specialist", url=proxy.url)
        made = [phone.store.put("employer_contact", contact(f"E{n}")) for n in range(5)]
        push = phone._push_all

        def push_losing_the_first_reply(report):
            proxy.cut_replies = 1
            push(report)

        phone._push_all = push_losing_the_first_reply
        report = phone.sync()
        assert proxy.cut_count == 1
        assert report.pushed == {"duplicate": 5}  # the resend found them all stored
        rows = server_rows(devices.server)
        assert sorted(r["id"] for r in rows) == sorted(r.id for r in made)
        assert phone.store.outbox.pending_count() == 0
    finally:
        proxy.close()


def test_the_same_batch_sent_twice_is_idempotent(devices):
    devices.user("Eve Specialist")
    phone = devices.enroll("Eve Specialist")
    phone.store.put("employer_contact", contact())
    batch = [r.to_wire() for r in phone.store.outbox.pending_changes()]
    token = phone.store.secrets.get("device_token")
    for expected in ("applied", "duplicate"):
        answer = httpx.post(
            f"{devices.server.base_url}/v1/sync/push",
            json={"device_id": phone.store.device_id, "changes": batch, "pending": 0},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert answer["results"][0]["status"] == expected
    assert len(server_rows(devices.server)) == 1


def test_server_killed_mid_push_and_restarted_loses_and_duplicates_nothing(devices):
    devices.user("Fay Specialist")
    server = devices.server
    restarts = []

    killer = threading.Timer(0.3, server.kill)  # lands during the push batches
    # The phone pushes several batches at once, so several may back off at
    # once: one of them restarts the server (two would leave one running).
    restarting = threading.Lock()

    def restart_while_backing_off(_seconds):
        killer.join()  # a failed call may come before kill() has finished
        with restarting:
            if server.process is None:
                server.start()
                restarts.append(1)

    made_ids = set()
    phone = devices.enroll("Fay Specialist")
    phone._sleep = restart_while_backing_off
    for n in range(1500):
        made_ids.add(phone.store.put("employer_contact", contact(f"E{n}")).id)
    killer.start()
    phone.sync()
    killer.join()
    rows = server_rows(server)
    assert {r["id"] for r in rows} == made_ids and len(rows) == 1500
    assert phone.store.outbox.pending_count() == 0
    if not restarts:  # the push finished before the kill: sync again across a restart
        server.start()
        assert phone.sync().pushed == {}


def test_offline_is_reported_plainly_and_nothing_is_lost(devices, tmp_path):
    devices.user("Gil Specialist")
    phone = devices.enroll("Gil Specialist")
    record = phone.store.put("employer_contact", contact())
    devices.server.stop()
    with pytest.raises(OfflineError, match="records are safe on this device"):
        phone.sync()
    assert phone.status.online is False and "cannot be reached" in phone.status.error
    assert phone.store.outbox.pending_count() == 1 and not phone.health()
    devices.server.start()
    assert phone.health()
    assert phone.sync().pushed == {"applied": 1}
    assert phone.status.error is None and phone.status.online is True
    assert server_rows(devices.server, record.id)[0]["version"] == record.version


def test_team_settings_changed_on_the_server_reach_the_phone_at_its_next_sync(devices):
    devices.user("Ros Specialist")
    phone = devices.enroll("Ros Specialist")
    sunday = date(2026, 11, 22)
    phone.store.put("employer_contact", contact(when="2026-11-22T20:00:00-06:00"))
    assert phone.store.week_tally(sunday).week_start == date(2026, 11, 16)
    assert phone.account["device"] == {"id": phone.store.device_id, "name": "phone 1"}
    # What the server's set-team command does.
    with devices.server.admin.engine.begin() as conn:
        conn.execute(
            teams.update()
            .where(teams.c.name == "Riverside")
            .values(week_start="sunday", timezone="America/Denver", contact_target=5)
        )
    phone.sync()
    settings = phone.store.settings
    assert (settings.week_start, settings.timezone, settings.contact_target) == (
        "sunday",
        "America/Denver",
        5,
    )
    assert phone.store.settings_from_server
    tally = phone.store.week_tally(sunday)
    assert (tally.week_start, tally.count, tally.target) == (sunday, 1, 5)
    assert phone.account["team"]["week_start"] == "sunday"


def test_a_server_without_the_me_call_still_syncs(devices):
    devices.user("Sol Specialist")

    class BeforeMe(httpx.HTTPTransport):
        def handle_request(self, request):
            if request.url.path == "/v1/me":
                body = {"error": {"code": "not_found", "message": "no such address"}}
                return httpx.Response(404, json=body)
            return super().handle_request(request)

    devices.client_options = {"transport": BeforeMe()}
    phone = devices.enroll("Sol Specialist")
    phone.store.put("employer_contact", contact())
    assert phone.sync().pushed == {"applied": 1}
    assert phone.store.settings.timezone == "America/Chicago"


def plant(server, owner, kind, data, *, record_id=None):
    """A row put straight into the server's database, as an older server might
    have accepted it (this one refuses such pushes); returns its id."""
    record_id = record_id or new_record_id()
    version = f"{int(time.time() * 1000):013d}.00000.planted"
    with server.admin.writing() as (conn, seq):
        conn.execute(records.delete().where(records.c.id == record_id))
        conn.execute(
            records.insert().values(
                id=record_id,
                owner_id=server.admin.user_id_named(owner),
                kind=kind,
                version=version,
                deleted=False,
                data=json.dumps(data),
                seq=seq + 1,
                occurred_ms=None,
                updated_at=iso(utc_now()),
            )
        )
        conn.execute(seq_counter.update().values(value=seq + 1))
    return record_id


def test_pulled_records_the_phone_cannot_store_are_set_aside_and_the_pull_goes_on(devices):
    devices.user("Quin Specialist")
    first, second = devices.enroll("Quin Specialist"), devices.enroll("Quin Specialist")
    first.store.put("employer_contact", contact("Before"))
    first.sync()
    server = devices.server
    nul = plant(server, "Quin Specialist", "employer_contact", contact("Nul\x00 Bakery"))
    member = {"display_name": "Rhea", "program_entry": "1999-12-31", "status": "active"}
    old = plant(server, "Quin Specialist", "member", member)
    lunch = plant(server, "Quin Specialist", "lunch", {"menu": "soup"})
    first.store.put("employer_contact", contact("After"))
    first.sync()

    report = second.sync()
    assert (report.pulled, report.set_aside) == (2, 3)
    assert second.status.set_aside == 3 and second.status.error is None
    assert {r.data["employer"] for r in second.store.list("employer_contact")} == {
        "Before",
        "After",
    }
    aside = {item.id: item for item in second.store.inbox.set_aside()}
    assert aside[nul].kind == "employer_contact" and "NUL character" in aside[nul].reason
    assert aside[old].reason.startswith("program_entry: is 1999-12-31")
    assert aside[lunch].reason.startswith("kind: 'lunch' is not a record kind")
    assert second.sync().set_aside == 0 and second.status.set_aside == 3  # the cursor moved on

    plant(server, "Quin Specialist", "member", {**member, "program_entry": "2026-10-01"},
          record_id=old)  # corrected on the server
    assert second.sync().pulled == 1
    assert second.status.set_aside == 2 and second.store.get(old).data["display_name"] == "Rhea"


def edited_offline_on_two_phones(devices, name):
    """Two phones of one specialist share a synced record, then both edit it
    offline, the second phone later. Returns the phones, the record and both edits."""
    devices.user(name)
    first, second = devices.enroll(name), devices.enroll(name)
    original = first.store.put("employer_contact", contact("Original"))
    first.sync()
    second.sync()
    early = first.store.put("employer_contact", contact("Edit on first"), id=original.id)
    time.sleep(0.01)  # edits in one millisecond are ordered by device id
    late = second.store.put("employer_contact", contact("Edit on second"), id=original.id)
    assert late.version > early.version
    return first, second, original, early, late


def test_two_devices_edit_one_record_offline_the_later_wins_everywhere(devices):
    first, second, original, early, late = edited_offline_on_two_phones(devices, "Hal Specialist")
    second.sync()  # the later edit reaches the server first
    assert first.sync().pushed == {"stale": 1}
    second.sync()
    for phone in (first, second):
        assert phone.store.get(original.id).data["employer"] == "Edit on second"
    [row] = server_rows(devices.server, original.id)
    assert row["version"] == late.version
    logged = {
        (c["version"], c["winner_version"]) for c in conflict_rows(devices.server, original.id)
    }
    assert (early.version, late.version) in logged


def test_a_local_loser_pulled_over_still_reaches_the_conflict_log(devices):
    first, second, original, early, _ = edited_offline_on_two_phones(devices, "Ida Specialist")
    second.sync()
    # The first phone pulls the newer version before its own edit was pushed.
    assert first.pull().pulled == 1
    assert first.store.get(original.id).data["employer"] == "Edit on second"
    assert first.sync().pushed == {"stale": 1}
    assert early.version in {c["version"] for c in conflict_rows(devices.server, original.id)}


def test_a_rejected_record_is_quarantined_and_does_not_block_the_rest(devices):
    devices.user("Jo Specialist")
    devices.user("Kit Specialist")
    jo, kit = devices.enroll("Jo Specialist"), devices.enroll("Kit Specialist")
    theirs = kit.store.put("employer_contact", contact("Kit's employer"))
    kit.sync()
    mine = jo.store.put("employer_contact", contact("Jo's employer"))
    clash = jo.store.put("employer_contact", contact("Same id"), id=theirs.id)
    report = jo.sync()
    assert report.pushed == {"applied": 1, "rejected": 1}
    [rejection] = jo.store.outbox.rejections()
    assert (rejection.record.id, rejection.code) == (clash.id, "forbidden")
    assert rejection.message and jo.status.rejected == 1 and jo.status.pending == 0
    assert jo.sync().pushed == {}  # not resent until edited
    assert server_rows(devices.server, mine.id)
    assert server_rows(devices.server, theirs.id)[0]["data"].find("Kit's employer") >= 0


def test_a_phone_clock_two_days_ahead_is_corrected_and_nothing_is_lost(devices):
    devices.user("Lu Specialist")
    ahead = lambda: int(time.time() * 1000) + 2 * DAY_MS  # noqa: E731
    phone = devices.enroll("Lu Specialist", wall_ms=ahead)
    early = phone.store.put("employer_contact", contact("Dated ahead"))
    assert early.version > f"{int(time.time() * 1000) + DAY_MS:013d}"
    report = phone.sync()
    assert report.restamped == 1
    assert report.pushed == {"rejected": 1, "applied": 1}
    [row] = server_rows(devices.server)
    assert row["version"] < early.version and phone.store.get(early.id).version == row["version"]
    # Versions made after the first server answer follow the server's clock.
    later = phone.store.put("employer_contact", contact("After the correction"))
    assert later.version < f"{int(time.time() * 1000) + DAY_MS:013d}"
    assert phone.sync().pushed == {"applied": 1} and phone.store.outbox.rejections() == []


def test_a_revoked_device_erases_its_store(devices):
    devices.user("Mo Specialist")
    phone = devices.enroll("Mo Specialist")
    phone.store.put("employer_contact", contact())
    devices.server.cli("revoke-device", phone.store.device_id)
    with pytest.raises(DeviceRevokedError, match="disconnected"):
        phone.sync()
    assert phone.store.locked
    with pytest.raises(StoreErasedError, match="administrator disconnected this device"):
        Store.open(phone.store.path, PIN)


def test_a_device_revoked_while_its_batches_are_out_is_erased_once(devices):
    devices.user("Mo Specialist")
    phone = devices.enroll("Mo Specialist")
    for n in range(2400):
        phone.store.put("employer_contact", contact(f"Employer {n}"))
    revoked = []

    def revoke_after_the_first_answer(status):
        if status.phase == "pushing" and status.done and not revoked:
            devices.server.admin.revoke_device(phone.store.device_id)
            revoked.append(status.done)

    phone.add_listener(revoke_after_the_first_answer)
    # The batches still out each hear it; whichever the sync meets first, the
    # phone ends erased with the reason, never with a fault of its own.
    with contextlib.suppress(DeviceRevokedError):
        assert phone.sync() is None  # the erase locked the store under the sync
    assert revoked and phone.store.locked
    assert "fault" not in (phone.status.error or "")
    with pytest.raises(StoreErasedError, match="administrator disconnected this device"):
        Store.open(phone.store.path, PIN)


def test_an_unknown_token_asks_to_enroll_again(devices):
    devices.user("Ned Specialist")
    phone = devices.enroll("Ned Specialist")
    phone.store.secrets.set("device_token", "x" * 43)
    with pytest.raises(TokenInvalidError):
        phone.sync()
    assert phone.store.outbox.pending_count() == 0 and phone.status.error


def test_transient_failures_are_retried_with_backoff(devices):
    devices.user("Oz Specialist")
    failures = iter(["connect", "500", "timeout"])
    waits = []

    class Flaky(httpx.HTTPTransport):
        def handle_request(self, request):
            fault = next(failures, None) if request.url.path.endswith("/push") else None
            if fault == "connect":
                raise httpx.ConnectError("refused", request=request)
            if fault == "timeout":
                raise httpx.ReadTimeout("slow", request=request)
            if fault == "500":
                body = {"error": {"code": "internal_error", "message": "try later"}}
                return httpx.Response(500, json=body)
            return super().handle_request(request)

    devices.client_options = {"transport": Flaky()}
    phone = devices.enroll("Oz Specialist")
    phone._sleep = waits.append
    phone.store.put("employer_contact", contact())
    assert phone.sync().pushed == {"applied": 1}
    assert waits == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("127.0.0.1:8700", "http://127.0.0.1:8700"),
        ("fieldlog.example.org/", "https://fieldlog.example.org"),
        ("https://fieldlog.example.org/", "https://fieldlog.example.org"),
    ],
)
def test_server_addresses_as_typed(typed, url):
    assert normalise_server_url(typed) == url


@pytest.mark.parametrize("typed", ["", "http://fieldlog.example.org", "ftp://x"])
def test_bad_server_addresses_are_explained(typed):
    with pytest.raises(EnrollmentError):
        normalise_server_url(typed)
