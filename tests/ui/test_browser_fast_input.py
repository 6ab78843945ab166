"""In a real browser: fields filled the way a paste or a password manager does
(the whole value at once) and the button tapped at once. Every form acts on
what is in its fields at the moment of the tap."""

from __future__ import annotations

import json

from .browser import expect, open_app, paste, phone
from .conftest import PIN

ROUNDS = 3


def test_paste_then_tap_at_once_on_every_kind_of_form(web_app, central):
    code = central.user("Ada Specialist")
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        paste(page.get_by_role("textbox", name="PIN", exact=True), PIN)
        paste(page.get_by_role("textbox", name="Confirm PIN"), PIN)
        page.get_by_role("button", name="Create").click()
        expect(page.get_by_text("0 of 6", exact=True)).to_be_visible(timeout=10000)

        for n in range(1, ROUNDS + 1):
            page.get_by_role("button", name="Log employer contact").click()
            paste(page.get_by_role("textbox", name="Employer"), f"Pasted Employer {n}")
            paste(page.get_by_role("textbox", name="Contact person"), "Ottoline Vance")
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_text(f"{n} of 6", exact=True)).to_be_visible(timeout=5000)

        page.get_by_role("tab", name="Settings").click()
        page.get_by_role("button", name="Lock now").click()
        paste(page.get_by_role("textbox", name="PIN", exact=True), PIN)
        page.get_by_role("button", name="Unlock").click()
        expect(page.get_by_role("button", name="Connect to server")).to_be_visible(timeout=5000)

        page.get_by_role("button", name="Connect to server").click()
        paste(page.get_by_role("textbox", name="Server address"), central.url)
        paste(page.get_by_role("textbox", name="Enrollment code"), code)
        page.get_by_role("button", name="Connect", exact=True).click()
        expect(page.get_by_text("Connected as Ada Specialist (specialist)").first).to_be_visible(
            timeout=15000)
        # What was pasted is what was saved, and what reached the server.
        page.get_by_role("button", name="Open sync").click()
        expect(page.get_by_label("All synced")).to_be_visible(timeout=15000)
    employers = sorted(json.loads(r["data"])["employer"] for r in central.records()
                       if r["kind"] == "employer_contact")
    assert employers == [f"Pasted Employer {n}" for n in range(1, ROUNDS + 1)]


def test_fill_and_tap_never_reads_a_field_other_than_it_shows(web_app):
    """Playwright's `fill` writes straight into the field's accessibility node,
    which Flutter may reset to empty as it takes the field over. Whatever
    happens, the app's answer matches what the boxes show at the tap: it goes
    on when both hold the PIN, and never says "differ" about two equal PINs."""
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        pin = page.get_by_role("textbox", name="PIN", exact=True)
        confirm = page.get_by_role("textbox", name="Confirm PIN")
        pin.fill(PIN)
        confirm.fill(PIN)
        page.get_by_role("button", name="Create").click()
        home = page.get_by_role("button", name="Log employer contact")
        try:
            expect(home).to_be_visible(timeout=3000)
            return
        except AssertionError:
            pass
        shown = (pin.input_value(), confirm.input_value())
        assert shown != (PIN, PIN), "both boxes show the PIN, yet the app did not go on"
        assert page.get_by_text("The two PINs differ").count() == 0
