"""In a real browser, typing as a person does (tap the field, a key at a time):
after each kind of error on the forms, and while the sync status changes under
the form, what is saved is exactly what was typed. Back on a form holding
input asks first, and the browser's own Back button never leaves the app.

(Issue 24: clearing the employer's error after the first key put the cursor
back at the start, so "Cafe Uno Pizzeria" was saved as "afe Uno PizzeriaC".)
"""

from __future__ import annotations

import json
import re
import time

from .browser import FOCUS_SETTLE, connect, create_pin, expect, open_app, phone, shot

KEY_DELAY_MS = 70  # between keys, as a quick thumb types
BACK_PACE = 0.3  # seconds between presses of the browser's Back, as a person presses


def type_slowly(page, label: str, value: str) -> None:
    field = page.get_by_role("textbox", name=label, exact=True)
    field.click()
    time.sleep(FOCUS_SETTLE)
    page.keyboard.type(value, delay=KEY_DELAY_MS)
    expect(field).to_have_value(value)


def saved(central, kind: str) -> list[dict]:
    return [json.loads(r["data"]) for r in central.records() if r["kind"] == kind]


def test_what_is_typed_after_an_error_is_what_is_saved(web_app, central):
    code = central.user("Tess Specialist")
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        create_pin(page)
        connect(page, central.url, code)
        expect(page.get_by_text("Connected as Tess Specialist", exact=False).first
               ).to_be_visible(timeout=15000)

        # The employer contact: Save with no employer, then type it.
        page.get_by_role("tab", name="Home").click()
        page.get_by_role("button", name="Log employer contact").click()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Enter the employer you met", exact=False)).to_be_visible()
        type_slowly(page, "Employer", "Cafe Uno Pizzeria")
        # The server goes away while the rest is typed: the sync status changes
        # under the form, and nothing typed moves.
        central.server.stop()
        type_slowly(page, "Contact person", "Main Street Deli")
        type_slowly(page, "Purpose", "Ask about the kitchen porter opening")
        shot(page, "24_typed_after_error")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("1 of 6", exact=True)).to_be_visible(timeout=10000)
        expect(page.get_by_text("Offline — will sync when connected")).to_be_visible(
            timeout=20000)

        # A member: Save with no name, then type it.
        page.get_by_role("tab", name="Members").click()
        page.get_by_role("button", name="Add member").click()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Enter the member's name", exact=False)).to_be_visible()
        type_slowly(page, "Name", "Rowan Quill-Amberly")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name="Members")).to_be_visible(timeout=10000)

        # A visit from the member's page: minutes that are not a number, then
        # notes typed after the error.
        page.get_by_role("button", name=re.compile("^Rowan Quill-Amberly")).click()
        page.get_by_role("button", name="Log visit").click()
        type_slowly(page, "Minutes", "forty")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Enter minutes as a whole number", exact=False)).to_be_visible()
        minutes = page.get_by_role("textbox", name="Minutes", exact=True)
        minutes.click()
        time.sleep(FOCUS_SETTLE)
        page.keyboard.press("Control+A")
        page.keyboard.type("45", delay=KEY_DELAY_MS)
        expect(minutes).to_have_value("45")
        type_slowly(page, "Notes", "Talked through the bus route to the bakery")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Member visit saved.", exact=False).first).to_be_visible(
            timeout=10000)

        central.server.start()  # everything goes out by itself once it is back
        page.get_by_role("button", name="Back", exact=True).click()
        page.get_by_role("tab", name="Home").click()
        expect(page.get_by_role("button", name=re.compile("All synced"))).to_be_visible(
            timeout=30000)

    contact = saved(central, "employer_contact")[0]
    assert (contact["employer"], contact["contact_person"], contact["purpose"]) == (
        "Cafe Uno Pizzeria", "Main Street Deli", "Ask about the kitchen porter opening")
    assert [m["display_name"] for m in saved(central, "member")] == ["Rowan Quill-Amberly"]
    visit = saved(central, "member_visit")[0]
    assert (visit["minutes"], visit["notes"]) == (
        45, "Talked through the bus route to the bakery")


def test_back_asks_on_a_form_with_input_and_the_browser_back_stays_in_the_app(web_app):
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        create_pin(page)
        page.get_by_role("button", name="Log employer contact").click()
        type_slowly(page, "Employer", "Half Typed Bakery")
        page.get_by_role("button", name="Back", exact=True).click()
        expect(page.get_by_text("Discard this employer contact?")).to_be_visible()
        shot(page, "25_discard_question")
        page.get_by_role("button", name="Keep editing").click()
        employer = page.get_by_role("textbox", name="Employer", exact=True)
        employer.click()  # the field shows its text to the page while it has focus
        expect(employer).to_have_value("Half Typed Bakery")
        page.go_back()  # the browser's Back: the app's Back, which asks
        page.get_by_role("button", name="Discard").click()
        expect(page.get_by_role("button", name="Log employer contact")).to_be_visible()

        page.get_by_role("tab", name="Settings").click()
        page.get_by_role("button", name="Connect to server").click()
        expect(page.locator("[flt-semantics-identifier='screen-connect']")).to_be_attached()
        page.go_back()
        expect(page.locator("[flt-semantics-identifier='screen-settings']")).to_be_attached()
        for n in range(6):
            # At a person's pace: the app puts its history entries back one
            # round trip after each Back; three pressed faster than that are
            # absorbed (tests/ui/test_flows.py), six in 50 ms are not.
            time.sleep(BACK_PACE)
            page.go_back()
            assert page.url.startswith(web_app.url), f"Back {n + 1} left the app: {page.url}"
            expect(page.locator("[flt-semantics-identifier='screen-home']")).to_be_attached()
