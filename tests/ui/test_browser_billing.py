"""In a real browser at 360 px (issue 19): a supervisor opens Billing from
Team, reads last month's worksheet (lines, a blocked row in words, the
totals), taps a member kept on the specialist's phone, saves the PDF and
looks at this month. Screenshots go to test-output/screens/."""

from __future__ import annotations

import re
from pathlib import Path

from app.ui.billing import month_label

from .browser import connect, create_pin, expect, open_app, phone, shot
from .test_billing_flows import seed_month


def test_a_supervisor_reads_last_months_billing_at_360_px(web_app, central, tmp_path):
    code, month, _members = seed_month(central, tmp_path)
    with phone(web_app.url, width=360) as page:
        open_app(page, web_app.url)
        create_pin(page)
        connect(page, central.url, code)
        expect(page.get_by_text("Connected as Sam Supervisor", exact=False).first).to_be_visible(
            timeout=15000)
        page.get_by_role("tab", name="Team").click()
        expect(page.get_by_label("Team average", exact=False)).to_be_visible(timeout=15000)
        # Billing is under the grid and the chart: a thumb's scroll down.
        billing = page.get_by_role("button", name="Billing")
        page.mouse.move(180, 450)
        for _ in range(10):
            if billing.count():
                break
            page.mouse.wheel(0, 600)
            page.wait_for_timeout(300)
        page.mouse.wheel(0, 600)  # the list's end: the button in full view
        page.wait_for_timeout(500)
        shot(page, "26_team_billing_button")
        billing.click()

        # Last month, the totals on top, then each member.
        # (Flutter merges the plain texts of a list into one label.)
        expect(page.get_by_text(month_label(month), exact=True)).to_be_visible(timeout=15000)
        totals = page.get_by_label("1 of 3 members billable · 8 encounters", exact=False)
        expect(totals).to_be_visible(timeout=15000)
        expect(totals).to_have_accessible_name(re.compile("Billable lines: H2024-TG × 1"))
        shot(page, "26_billing_last_month")
        sky = page.get_by_role("button", name=re.compile("^Sky Waiting"))
        sky.scroll_into_view_if_needed()
        expect(sky).to_contain_text("Not billable yet: an encounter on a day no approved "
                                    "authorization covers.")
        shot(page, "27_billing_rows")
        sky.click()
        expect(page.get_by_text("Sky Waiting's page is on Ada Specialist's phone")).to_be_visible(
            timeout=5000)
        shot(page, "28_billing_not_on_this_phone")
        page.get_by_role("button", name="OK").click()

        with page.expect_download(timeout=15000) as download:
            page.get_by_role("button", name="Save PDF").click()
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
        assert download.value.suggested_filename == f"billing-{month}.pdf"

        # This month, and no month after it.
        page.get_by_role("button", name=f"Month after ({month_label(month.next())})").click()
        expect(page.get_by_text(month_label(month.next()), exact=True)).to_be_visible(
            timeout=5000)
        expect(page.get_by_text(f"No encounters with a payer in {month_label(month.next())}",
                                exact=False)).to_be_visible(timeout=15000)
        expect(page.get_by_role("button", name=re.compile("^Month after"))).to_be_disabled()
        expect(page.get_by_text("is still running", exact=False)).to_be_visible()
        page.mouse.move(180, 500)  # the disabled arrow's tooltip, left by the pointer, goes
        shot(page, "29_billing_this_month")
        page.get_by_role("button", name="Back").click()
        expect(page.get_by_role("button", name="Billing")).to_be_attached(timeout=5000)
