"""Sync through the real screens against a real central store on 127.0.0.1."""

from __future__ import annotations

import asyncio

from app.store import Store, StoreState
from sync.client import SyncClient
from tests.server_harness import copy_sqlite

from .conftest import PIN, run, until


def contact(employer: str) -> dict:
    return {"occurred_at": "2026-11-17T10:00:00-06:00", "employer": employer,
            "face_to_face": True}


def test_connect_log_sync_now_and_all_synced(start_app, central):
    code = central.user("Ada Specialist")

    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        mark = h.mark()
        await h.tab("Home")
        assert "Not connected to a server" in h.sent_since(mark)

        # Plain errors on the fields.
        await h.tab("Settings")
        await h.click("connect_to_server")
        await h.type("server_address", "http://192.0.2.7")
        await h.click("connect")
        assert "Use an https:// address" in h.by_key("server_address").error
        await h.type("server_address", central.url)
        await h.click("connect")
        assert h.by_key("enrollment_code").error.startswith("Enter the enrollment code")
        await h.type("enrollment_code", "not-a-code")
        mark = h.mark()
        await h.click("connect")
        assert "Ask your administrator for a new code" in h.sent_since(mark)
        assert r.app.account is None
        await h.back()
        await h.click("discard")  # what was typed is given up knowingly
        assert r.app.route == "settings"

        mark = h.mark()
        await r.connect(central.url, code)
        assert r.app.route == "settings"
        sent = h.sent_since(mark)
        assert "Connected as Ada Specialist (specialist), team Riverside." in sent

        await h.tab("Home")
        mark = h.mark()
        await r.log_contact("Riverside Hardware")
        assert "1 directory entry and 1 employer contact waiting to sync" in h.sent_since(mark)

        await h.click("open_sync")  # one tap from Home's sync line
        assert r.app.route == "sync"
        assert "1 directory entry and 1 employer contact waiting to sync" in h.sent_since(mark)
        assert "Waiting on this phone: 1 directory entry, 1 employer contact." in \
            h.sent_since(mark)
        mark = h.mark()
        await h.click("sync_now")
        await until(lambda: r.app.store.outbox.pending_count() == 0
                    and not r.app.sync_client.status.running)
        await until(lambda: "All synced" in h.sent_since(mark))
        assert h.by_key("sync_last").value == "Last successful sync: just now"
        assert [row["data"] for row in central.records()
                if "Riverside Hardware" in row["data"]]

        await h.back()
        assert r.app.route == "home"
        assert h.by_key("sync").value == "All synced"
        assert "All synced" in h.sent_since(mark)

    run(flow())


def test_a_refused_record_shows_the_reason_and_editing_sends_it_again(
        start_app, central, tmp_path):
    code = central.user("Ada Specialist")
    other_code = central.user("Bo Specialist")
    other = Store.create(tmp_path / "bo", PIN)
    bo = SyncClient(store=other, sleep=lambda _s: None)
    bo.enroll(central.url, other_code, "Bo's phone")
    taken = other.put("employer_contact", contact("Bo's Employer"))
    bo.sync()
    other.close()

    async def flow():
        r = await start_app()
        h = r.harness
        await r.set_up_connected(central.url, code)
        # The same record id as one of Bo's: the server refuses it for Ada.
        r.app.store.put("employer_contact", contact("Lakeside Diner"), id=taken.id)
        await h.tab("Home")
        await h.click("open_sync")
        mark = h.mark()
        await h.click("sync_now")
        await until(lambda: r.app.sync_client.status.rejected == 1
                    and not r.app.sync_client.status.running)
        await until(lambda: "Refused by the server (1)" in h.sent_since(mark))
        sent = h.sent_since(mark)
        assert "This record belongs to another user, so it was not saved." in sent
        assert "Employer contact: Lakeside Diner" in sent

        await h.click(f"refused:{taken.id}")
        assert r.app.route == f"employer_contact/{taken.id}"
        await h.type("field:employer", "Lakeside Diner North")
        await h.click("save")
        assert r.app.route == "sync"  # back where the fix started
        # The edited contact, and the new employer it names, join the directory.
        assert r.app.store.outbox.pending_count() == 2 and r.app.store.outbox.rejections() == []
        await until(lambda: r.app.sync_client.status.rejected == 0)

    run(flow())


def test_a_revoked_device_is_told_then_starts_again(start_app, central):
    code = central.user("Ada Specialist")

    async def flow():
        r = await start_app()
        h = r.harness
        await r.set_up_connected(central.url, code)
        await h.tab("Home")
        central.server.cli("revoke-device", r.app.store.device_id)
        await r.log_contact("Riverside Hardware")  # pushed within seconds: the phone learns
        await until(lambda: r.app.route == "erased")
        sent = h.sent_since()
        assert "erased because an administrator disconnected this device" in sent
        assert r.app.gate.state is StoreState.ERASED
        await h.click("new_pin")
        assert r.app.route == "setup"
        await r.create_pin()
        assert r.app.route == "home"
        assert "Not connected to a server" in h.sent_since()
        assert r.app.store.count("employer_contact") == 0

    run(flow())


def test_a_phone_the_restored_server_does_not_know_connects_again_and_sends_everything(
    start_app, central, tmp_path
):
    """Enrolled after the backup the server was restored from: the phone is
    told, offered Connect again, and then sends every record it holds."""
    database = tmp_path / "central.db"
    backup = tmp_path / "backup.db"
    copy_sqlite(database, backup)
    code = central.user("Ada Specialist")  # after the backup: lost with the restore

    async def flow():
        r = await start_app()
        h = r.harness
        await r.set_up_connected(central.url, code)
        await h.tab("Home")
        await r.log_contact("Riverside Hardware")
        r.app.sync_now()
        await until(lambda: r.app.store.outbox.pending_count() == 0
                    and not r.app.sync_client.status.running)
        central.server.close()
        copy_sqlite(backup, database)
        central.server.start()
        central.server.cli("restored")
        assert central.records() == []

        r.app.sync_now()
        await until(lambda: r.app.sync_client.status.enroll_again)
        await h.click("open_sync")
        assert "does not recognise this device" in h.by_key("sync_problem").value
        await h.click("connect_again")
        assert r.app.route == "connect"
        await h.type("server_address", central.url)
        await h.type("enrollment_code", central.user("Ada Specialist"))
        await h.click("connect")
        await until(lambda: len(central.records()) == 2
                    and not r.app.sync_client.status.running)
        assert not r.app.sync_client.status.enroll_again
        assert r.app.store.outbox.pending_count() == 0
        assert sorted(row["kind"] for row in central.records()) == ["employer", "employer_contact"]
        assert r.app.route == "sync"  # back where Connect again was tapped
        assert h.find("connect_again") is None and h.find("sync_problem") is None

    run(flow())


def test_offline_is_calm_and_syncs_when_back(start_app, central):
    code = central.user("Ada Specialist")

    async def flow():
        r = await start_app()
        h = r.harness
        await r.set_up_connected(central.url, code)
        await h.tab("Home")
        await r.log_contact("Riverside Hardware")
        central.server.stop()
        mark = h.mark()
        r.app.sync_now()
        await until(lambda: "Offline — will sync when connected" in h.sent_since(mark))
        assert h.by_key("sync").value == "1 directory entry and 1 employer contact waiting to sync"
        await h.click("open_sync")
        # Offline is the normal case: the reason, calmly, and no problem in red.
        assert "cannot be reached" in h.by_key("sync_offline_reason").value
        assert h.find("sync_problem") is None
        # Sync now while offline tries again and the screen stays steadily
        # offline: no "Syncing now" flashing, no 0/0 progress.
        mark = h.mark()
        await h.click("sync_now")
        await asyncio.sleep(1.0)
        assert "Syncing now" not in h.sent_since(mark)
        assert "0/0" not in h.sent_since(mark)
        assert h.by_key("sync_detail").value == "Offline — will sync when connected"

        central.server.start()  # same port
        mark = h.mark()
        await h.click("sync_now")
        await until(lambda: "All synced" in h.sent_since(mark))

    run(flow())


def test_every_write_reaches_the_server_without_a_screen_asking(start_app, central):
    """The store announces each committed write: a merge (one transaction) and
    a closing from the member's page go out within seconds, no Sync now."""
    code = central.user("Cleo Specialist")

    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await r.connect(central.url, code)
        store = r.app.store
        await h.tab("Home")
        await r.log_contact("Juniper Garden")
        await r.log_contact("Juniper Garden Center")
        await until(lambda: store.outbox.pending_count() == 0)
        duplicate = next(e for e in store.list("employer") if e.data["name"].endswith("Center"))
        keep = next(e for e in store.list("employer") if e.id != duplicate.id)
        r.app.nav.open(f"merge_employer/{duplicate.id}")
        await h.click(f"merge_into:{keep.id}")
        await h.click("merge_confirm")
        await until(lambda: store.outbox.pending_count() == 0)
        pushed = [row for row in central.records() if row["kind"] == "employer_contact"]
        assert all(keep.id in row["data"] for row in pushed), pushed

        who = store.put("member", {"display_name": "Ike P.", "program_entry": "2026-09-01",
                                   "status": "active", "job_seeking": True})
        r.app.nav.open(f"close_member/{who.id}")
        await h.choose("close_reason", "Moved away")
        await h.click("close_confirm")
        await until(lambda: store.outbox.pending_count() == 0)
        assert any('"closed_reason": "Moved away"' in row["data"] or
                   '"closed_reason":"Moved away"' in row["data"] for row in central.records())

    run(flow())
