"""In a real browser: a supervisor connects to a seeded central store, the
Team screen shows the expected counts, a week is reviewed, and Sync says all
is synced. Screenshots go to test-output/screens/ (412 x 915)."""

from __future__ import annotations

import re
from pathlib import Path

from app.store import Store
from app.ui import text
from sync.client import SyncClient

from .browser import connect, create_pin, expect, open_app, phone, shot
from .conftest import PIN, seed_contact, seed_team


def test_supervisor_connects_and_reviews_the_team(web_app, central, tmp_path):
    code, _ids, this_week = seed_team(central, tmp_path)
    label = text.chart_label(this_week)
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        create_pin(page)
        connect(page, central.url, code, shot_name="09_connect")
        expect(page.get_by_text("Connected as Sam Supervisor (supervisor), team Riverside."
                                ).first).to_be_visible(timeout=15000)

        page.get_by_role("tab", name="Team").click()
        # Flutter merges the plain texts of a list into one label.
        expect(page.get_by_label("Team average: 1.7 a week (target 6)")).to_be_visible(
            timeout=15000)
        ada = page.get_by_role("button",
                               name=f"Ada Specialist, week of {label}: 6, so far this week")
        expect(ada).to_be_visible()
        expect(page.get_by_role("button", name=f"Bo Specialist, week of {label}: 2, "
                                "so far this week")).to_be_visible()
        expect(page.get_by_label("3 unsynced")).to_be_visible()
        shot(page, "10_team")

        ada.click()
        expect(page.get_by_label("6 of 6 face to face")).to_be_visible(timeout=15000)
        page.get_by_role("button", name="Mark this week reviewed").click()
        expect(page.get_by_text("Reviewed by Sam Supervisor", exact=False)).to_be_visible(
            timeout=15000)
        shot(page, "11_team_week")

        # Ada logs one more contact of the reviewed week: the grid says so.
        store = Store.open(tmp_path / "Ada", PIN)
        store.put("employer_contact", seed_contact(this_week, "Late Employer"))
        SyncClient(store=store, sleep=lambda _s: None).sync()
        store.close()
        page.get_by_role("button", name="Back").click()
        expect(page.get_by_role("button", name=f"Ada Specialist, week of {label}: 7, "
                                "so far this week, changed since review")).to_be_visible(
            timeout=15000)
        shot(page, "14_team_changed_review")
        page.get_by_role("button", name=f"Ada Specialist, week of {label}: 7, "
                         "so far this week, changed since review").click()
        expect(page.get_by_text("1 change since (1 added)", exact=False)).to_be_visible(
            timeout=15000)
        expect(page.get_by_role("button", name="Review this week again")).to_be_visible()
        shot(page, "15_team_week_changed")
        page.get_by_role("button", name="Back").click()
        page.get_by_role("button", name="Fidelity and outcomes").click()
        expect(page.get_by_text("Caseload size").first).to_be_visible(timeout=15000)
        shot(page, "21_fidelity")
        with page.expect_download(timeout=15000) as download:
            page.get_by_role("button", name=re.compile("Save the evidence report")).click()
        report = Path(download.value.path())
        assert report.read_bytes().startswith(b"%PDF")
        assert download.value.suggested_filename.startswith("fidelity-evidence-")
        page.get_by_role("button", name="Back").click()
        page.get_by_role("tab", name="Home").click()
        page.get_by_role("button", name="All synced").click()
        expect(page.get_by_role("button", name="Sync now")).to_be_visible(timeout=10000)
        expect(page.get_by_label("Last successful sync")).to_be_visible()
        shot(page, "12_sync")


def test_a_new_team_target_reaches_home_at_the_next_sync(web_app, central):
    """The server owns the team's settings: an administrator's `set-team`
    reaches the phone at its next sync, and Settings shows them read-only."""
    code = central.user("Dee Specialist")
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        create_pin(page)
        connect(page, central.url, code)
        expect(page.get_by_text("Connected as Dee Specialist", exact=False).first).to_be_visible(
            timeout=15000)
        central.server.cli("set-team", "Riverside", "--target", "4")
        page.get_by_role("button", name="Open sync").click()
        page.get_by_role("button", name="Sync now").click()
        page.get_by_role("button", name="Back").click()
        expect(page.get_by_text("the target is 4 face-to-face", exact=False)).to_be_visible(
            timeout=15000)
        expect(page.get_by_role("button", name="Save team settings")).to_have_count(0)
        shot(page, "16_settings_from_server")
        page.get_by_role("tab", name="Home").click()
        expect(page.get_by_text("0 of 4", exact=True)).to_be_visible(timeout=10000)
        shot(page, "17_home_new_target")
