"""In a real browser: a new specialist creates a PIN, connects to a real central
store, logs a face-to-face contact and syncs it; the page says All synced and
the server holds the record. Screenshot: test-output/screens/13_synced.png."""

from __future__ import annotations

import json
import re

from tests.server_harness import copy_sqlite

from .browser import connect, create_pin, expect, open_app, phone, shot, type_into

EMPLOYER = "Marigold Print Shop"  # invented


def test_specialist_connects_logs_a_contact_and_syncs_it(web_app, central):
    code = central.user("Cleo Specialist")
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        create_pin(page)
        connect(page, central.url, code)
        expect(page.get_by_text("Connected as Cleo Specialist (specialist), team Riverside."
                                ).first).to_be_visible(timeout=15000)

        page.get_by_role("tab", name="Home").click()
        page.get_by_role("button", name="Log employer contact").click()
        type_into(page, "Employer", EMPLOYER)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("1 of 6", exact=True)).to_be_visible(timeout=10000)

        # A saved change goes out by itself within seconds; Sync shows it done.
        page.get_by_role("button", name=re.compile("waiting to sync|All synced")).click()
        # Flutter merges the texts of the screen into one label.
        expect(page.get_by_label("All synced Last successful sync: just now")).to_be_visible(
            timeout=15000)
        shot(page, "13_synced")

    cleo = central.server.admin.user_id_named("Cleo Specialist")
    stored = [r for r in central.records() if r["owner_id"] == cleo]
    contacts = [json.loads(r["data"]) for r in stored if r["kind"] == "employer_contact"]
    assert [c["employer"] for c in contacts] == [EMPLOYER]
    assert contacts[0]["face_to_face"] is True
    # The employer met joined the directory, and that synced too.
    assert [json.loads(r["data"])["name"] for r in stored if r["kind"] == "employer"] == [
        EMPLOYER]


def test_offline_shows_within_seconds_and_the_work_goes_when_back(web_app, central):
    """Offline is the normal case: the phone says so calmly within 10 s, the
    specialist keeps logging, and everything goes out by itself once the server
    answers again."""
    code = central.user("Dara Specialist")
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        create_pin(page)
        connect(page, central.url, code)
        expect(page.get_by_text("Connected as Dara Specialist", exact=False).first
               ).to_be_visible(timeout=15000)
        page.get_by_role("tab", name="Home").click()
        central.server.stop()
        expect(page.get_by_text("Offline — will sync when connected")).to_be_visible(
            timeout=10000)
        page.get_by_role("button", name="Log employer contact").click()
        type_into(page, "Employer", "Offline Bakery")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("1 of 6", exact=True)).to_be_visible(timeout=10000)
        expect(page.get_by_role("button", name=re.compile("waiting to sync"))).to_be_visible()
        shot(page, "20_offline")
        central.server.start()  # the same port
        expect(page.get_by_role("button", name=re.compile("All synced"))).to_be_visible(
            timeout=20000)
    dara = central.server.admin.user_id_named("Dara Specialist")
    employers = [json.loads(r["data"]).get("employer") for r in central.records()
                 if r["owner_id"] == dara and r["kind"] == "employer_contact"]
    assert employers == ["Offline Bakery"]


def test_a_phone_the_restored_server_does_not_know_connects_again(web_app, central, tmp_path):
    """The store was restored from a backup taken before this phone enrolled:
    Sync says the server does not recognise the phone and offers Connect
    again; with a new code the phone sends what it holds, and Back still
    walks home. Screenshots: test-output/screens/22_connect_again.png and
    23_connected_again.png."""
    database, backup = tmp_path / "central.db", tmp_path / "backup.db"
    code = central.user("Fern Specialist")
    copy_sqlite(database, backup)
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        create_pin(page)
        connect(page, central.url, code)
        page.get_by_role("tab", name="Home").click()
        page.get_by_role("button", name="Log employer contact").click()
        type_into(page, "Employer", "Juniper Books")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("button", name=re.compile("All synced"))).to_be_visible(
            timeout=20000)

        central.server.close()
        copy_sqlite(backup, database)
        central.server.start()  # the same port
        central.server.cli("restored")
        page.get_by_role("button", name=re.compile("All synced")).click()
        page.get_by_role("button", name="Sync now").click()
        expect(page.get_by_role("button", name="Connect again")).to_be_visible(timeout=15000)
        # Flutter merges the texts of the screen into one label.
        expect(page.get_by_label(re.compile("does not recognise this device"))).to_be_visible()
        shot(page, "22_connect_again")

        page.get_by_role("button", name="Connect again").click()
        type_into(page, "Server address", central.url)
        type_into(page, "Enrollment code", central.code("Fern Specialist"))
        page.get_by_role("button", name="Connect", exact=True).click()
        expect(page.get_by_label(re.compile("All synced"))).to_be_visible(timeout=20000)
        expect(page.get_by_role("button", name="Connect again")).to_have_count(0)
        shot(page, "23_connected_again")
        for _ in range(3):  # Sync and Back, again and again: Home each time, never stuck
            page.get_by_role("button", name="Back").click()  # Connect returned to Sync
            expect(page.get_by_role("button", name="Back")).to_have_count(0)  # Home
            page.get_by_role("button", name=re.compile("All synced")).click()
        expect(page.get_by_role("button", name="Sync now")).to_be_visible()
    fern = central.server.admin.user_id_named("Fern Specialist")
    employers = [json.loads(r["data"]).get("employer") for r in central.records()
                 if r["owner_id"] == fern and r["kind"] == "employer_contact"]
    assert employers == ["Juniper Books"]
