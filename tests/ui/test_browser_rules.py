"""In a real browser, the forms of the rules as the policies write them
(issue 17): what an employer contact was for and who made it, one tap each;
face to face and the visit's setting kept in agreement as they are tapped;
closing asks the day and the reason."""

from __future__ import annotations

import re

from .browser import create_pin, expect, open_app, phone, shot
from .test_browser_typing import type_slowly


def test_the_rule_forms_tap_by_tap(web_app):
    with phone(web_app.url, width=360) as page:
        open_app(page, web_app.url)
        create_pin(page)

        # A contact the member made alone: logged, not counted.
        page.get_by_role("button", name="Log employer contact").click()
        expect(page.get_by_role("button", name="Job search")).to_be_visible()
        expect(page.get_by_role("button", name="Job support")).to_be_visible()
        type_slowly(page, "Employer", "Lantern Print Works")
        page.get_by_role("button", name="The member alone").click()
        shot(page, "17_contact_by_the_member")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("member made alone does not count", exact=False).first
               ).to_be_visible(timeout=10000)
        expect(page.get_by_text("0 of 6", exact=True)).to_be_visible()

        # A member, then a visit: switching face to face off moves the setting
        # to phone, and back on to the community.
        page.get_by_role("tab", name="Members").click()
        page.get_by_role("button", name="Add member").click()
        type_slowly(page, "Name", "Noor Example")
        page.get_by_role("button", name="Save").click()
        page.get_by_role("button", name=re.compile("^Noor Example")).click()
        page.get_by_role("button", name="Log visit").click()
        expect(page.get_by_role("button", name=re.compile("^Setting: Community"))).to_be_attached()
        page.get_by_role("group", name="Face to face").get_by_role("switch").click()
        expect(page.get_by_role("button", name=re.compile("^Setting: Phone"))).to_be_attached()
        shot(page, "17_visit_by_phone")
        page.get_by_role("group", name="Face to face").get_by_role("switch").click()
        expect(page.get_by_role("button", name=re.compile("^Setting: Community"))).to_be_attached()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Member visit saved.", exact=False).first).to_be_visible(
            timeout=10000)

        # Closing asks the day and why; without a reason it says so.
        page.get_by_role("button", name="Close", exact=True).click()
        expect(page.get_by_role("button", name=re.compile("Closed on|Pick a date|Dec|Jan"))
               .first).to_be_visible()
        page.get_by_role("button", name="Close Noor Example").click()
        expect(page.get_by_role("button", name=re.compile("Why services end: none chosen. Choose"))
               ).to_be_visible()
        shot(page, "17_close_asks_why")
