"""The README's "Try it" tour, step by step, in chromium against `make run`
itself (the Makefile's own command, on free ports, data in a temporary
folder), with what its block printed: the specialist connects, logs a
contact and sees 1 of 6 and All synced; the supervisor's phone shows the demo
team's history on the Team grid, with the tour's contact in it.
Screenshots: test-output/screens/tour_*.png."""

from __future__ import annotations

from datetime import timedelta

from app.ui import text
from tests.make_run import make_run

from .browser import connect, create_pin, expect, open_app, phone, shot, type_into
from .conftest import current_week


def test_the_try_it_tour_against_make_run(tmp_path):
    with make_run(tmp_path / "data") as shown:
        # 1-2. The specialist's phone: create a PIN.
        with phone(shown.specialist) as page:
            open_app(page, shown.specialist)
            create_pin(page)
            # 3. Settings -> Connect to server, with the printed address and code.
            connect(page, shown.server, shown.codes["specialist"])
            expect(page.get_by_text("Connected as Demo Specialist Ada (specialist), team Demo "
                                    "team.").first).to_be_visible(timeout=15000)
            # 4. Log a contact: Home reads 1 of 6, and the sync state turns to All synced.
            page.get_by_role("tab", name="Home").click()
            expect(page.get_by_text("0 of 6", exact=True)).to_be_visible(timeout=10000)
            page.get_by_role("button", name="Log employer contact").click()
            type_into(page, "Employer", "Example Bakery")
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_text("1 of 6", exact=True)).to_be_visible(timeout=10000)
            expect(page.get_by_role("button", name="All synced")).to_be_visible(timeout=15000)
            shot(page, "tour_1_specialist_home")

        # 5. The supervisor's phone, in a second tab: the Team grid.
        with phone(shown.supervisor) as page:
            open_app(page, shown.supervisor)
            create_pin(page)
            connect(page, shown.server, shown.codes["supervisor"])
            expect(page.get_by_text("Connected as Demo Supervisor (supervisor)", exact=False
                                    ).first).to_be_visible(timeout=15000)
            page.get_by_role("tab", name="Team").click()
            this_week = current_week()
            last_week = text.chart_label(this_week - timedelta(weeks=1))
            for cell in (f"Demo Specialist Ada, week of {last_week}: 6, target met, reviewed",
                         f"Demo Specialist Ben, week of {last_week}: 4, one or two short, "
                         "changed since review",
                         f"Demo Specialist Cleo, week of {last_week}: 7, target met, reviewed",
                         f"Demo Specialist Ada, week of {text.chart_label(this_week)}: 1, "
                         "so far this week"):
                expect(page.get_by_role("button", name=cell)).to_be_visible(timeout=15000)
            shot(page, "tour_2_supervisor_team")
