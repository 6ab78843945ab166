"""In a real browser: what is due shows on Home, one tap leads to the member's
page, and logging the visit from there makes the item go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.store import Store

from .browser import expect, open_app, paste, phone, shot
from .conftest import PIN


def test_home_due_list_to_the_members_page_and_back(web_app):
    store = Store.create(web_app.data_dir, PIN)
    today = store.today()
    maria = store.put("member", {"display_name": "Maria T.", "status": "active",
                                 "program_entry": (today - timedelta(days=40)).isoformat(),
                                 "job_seeking": True})
    store.put("job", {"member_id": maria.id, "employer": "Example Bakery",
                      "start_date": (today - timedelta(days=1)).isoformat(),
                      "competitive": True})
    store.put("member_visit", {"occurred_at": (datetime.now(UTC) - timedelta(days=20)).isoformat(),
                               "member_id": maria.id, "type": "job_search",
                               "face_to_face": True, "setting": "community"})
    store.close()
    after_start = "See Maria T. face to face within 3 days of the job start at Example Bakery"
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        paste(page.get_by_role("textbox", name="PIN", exact=True), PIN)
        page.get_by_role("button", name="Unlock").click()
        item = page.get_by_text(after_start, exact=False).first
        expect(item).to_be_visible(timeout=10000)
        expect(page.get_by_text("Was due", exact=False).first).to_be_visible()
        shot(page, "18_home_due")

        item.click()
        expect(page.get_by_role("button", name="Log visit")).to_be_visible(timeout=5000)
        expect(page.get_by_text("Working at Example Bakery since", exact=False)).to_be_visible()
        shot(page, "19_member_page")
        page.get_by_role("button", name="Log visit").click()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("button", name="Log visit")).to_be_visible(timeout=5000)
        expect(page.get_by_text(after_start, exact=False)).to_have_count(0)
        page.get_by_role("button", name="Back").click()  # the member's page, to Home
        expect(page.get_by_role("button", name="Log employer contact")).to_be_visible(
            timeout=5000)
        expect(page.get_by_role("button", name="Back")).to_have_count(0)  # Home is the root
        expect(page.get_by_text(after_start, exact=False)).to_have_count(0)
