"""In a real browser at 360 px (issue 19): an authorization due on Home, one
tap to the form, Save, and the item leaves Home; on the member's page the
authorization shows, an approved one without dates says so on the field, and
the member's details hold the payer and the LRS check."""

from __future__ import annotations

import re
from datetime import timedelta

from app.store import Store
from tests.due_cases import PAYERS_LISTED

from .browser import expect, open_app, paste, phone, shot
from .conftest import PIN

ASK = "Ask Louisiana Healthcare Connections to authorize Lena Example's services"


def test_an_authorization_added_from_home_leaves_home(web_app):
    store = Store.create(web_app.data_dir, PIN)
    store.take_payers(PAYERS_LISTED)
    entry = store.today() - timedelta(days=40)
    store.put("member", {"display_name": "Lena Example", "status": "active",
                         "program_entry": entry.isoformat(), "job_seeking": True,
                         "payer": "lhcc", "lrs_checked_on": entry.isoformat()})
    store.close()
    with phone(web_app.url, width=360) as page:
        open_app(page, web_app.url)
        paste(page.get_by_role("textbox", name="PIN", exact=True), PIN)
        page.get_by_role("button", name="Unlock").click()
        item = page.get_by_text(ASK, exact=False).first
        expect(item).to_be_visible(timeout=10000)
        shot(page, "19_home_authorization_due")

        # One tap to the form, the member's payer and Requested chosen; Save.
        item.click()
        expect(page.get_by_role("button", name="Requested")).to_be_visible(timeout=5000)
        expect(page.get_by_role("button", name=re.compile(
            "^Payer: Louisiana Healthcare Connections"))).to_be_attached()
        shot(page, "19_authorization_form")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Authorization saved.", exact=False).first).to_be_visible(
            timeout=10000)
        expect(page.get_by_role("button", name="Log employer contact")).to_be_visible()
        expect(page.get_by_text(ASK, exact=False)).to_have_count(0)
        shot(page, "19_home_after_authorization")

        # The member's page lists it; approved without dates is refused on the field.
        page.get_by_role("tab", name="Members").click()
        page.get_by_role("button", name=re.compile("^Lena Example")).click()
        tile = page.get_by_role("button", name=re.compile("^Requested"))
        expect(tile).to_be_visible(timeout=5000)
        tile.scroll_into_view_if_needed()
        shot(page, "19_member_authorization")
        tile.click()
        page.get_by_role("button", name="Approved").click()
        page.get_by_role("button", name="Save").click()
        # The message joins the field's name for screen readers.
        expect(page.get_by_role("group", name=re.compile(
            "^First day it covers Pick the first day it covers: an approved authorization "
            "needs both dates"))).to_be_visible(timeout=5000)
        shot(page, "19_approved_needs_dates")

        # Leaving it unsaved asks; the member's details show the payer and the
        # LRS check with its one-tap button.
        page.get_by_role("button", name="Back").click()
        page.get_by_role("button", name="Discard").click()
        page.get_by_role("button", name="Edit details").click()
        expect(page.get_by_role("button", name="Checked today")).to_be_visible(timeout=5000)
        expect(page.get_by_role("button", name=re.compile(
            "^Payer: Louisiana Healthcare Connections"))).to_be_attached()
        shot(page, "19_member_form_lrs")
