"""In a real browser 360 px wide (a small phone), every screen with long names
and its error messages shown: nothing is cut off at the screen's edge.

A text cut off by the edge leaves ink in the last pixels of the screen; every
screen keeps a margin there, so the test looks for dark pixels in the
rightmost columns of each screenshot (and shows them: test-output/screens/
narrow_*.png)."""

from __future__ import annotations

import re

from PIL import Image

from app.store import Store

from .browser import SHOTS, expect, open_app, phone, shot
from .conftest import NOW, PIN
from .test_browser_walk import unlock

WIDTH = 360
EDGE = 4  # the rightmost pixel columns that must hold no ink
INK = 110  # a pixel darker than this (0-255) is ink: text, an icon, a line
LONG_MEMBER = "Maximiliana Featherstonehaugh-Worthington"
LONG_EMPLOYER = "The Riverside Community Cooperative Grocery and Bakery"


def seed_long_names(data_dir) -> None:
    store = Store.create(data_dir, PIN, wall_ms=lambda: int(NOW.timestamp() * 1000))
    member = store.put("member", {"display_name": LONG_MEMBER, "program_entry": "2025-09-01",
                                  "status": "active", "job_seeking": True})
    store.put("employer", {"name": LONG_EMPLOYER})
    store.put("employer_contact", {"occurred_at": "2025-12-03T10:00:00-06:00",
                                   "employer": LONG_EMPLOYER, "face_to_face": True,
                                   "contact_person": "Bartholomew Winterbottom-Smythe",
                                   "purpose": "Ask about openings " * 8,
                                   "member_ids": [member.id]})
    store.put("employment_plan", {"member_id": member.id, "written_on": "2025-10-05",
                                  "goal": "A steady job in a bakery near the bus line",
                                  "steps": [{"text": "Visit the cooperative bakery and ask for "
                                                     "the manager by name", "who": LONG_MEMBER,
                                             "by": "2026-01-30"}]})
    store.close()


def ink_at_the_edge(path) -> int:
    image = Image.open(path).convert("L")
    width, height = image.size
    pixels = image.load()
    return sum(1 for x in range(width - EDGE, width) for y in range(height)
               if pixels[x, y] < INK)


def look(page, name: str, bad: dict[str, int]) -> None:
    shot(page, f"narrow_{name}")
    found = ink_at_the_edge(SHOTS / f"narrow_{name}.png")
    if found:
        bad[name] = found


def test_nothing_is_cut_off_at_360_px(web_app):
    seed_long_names(web_app.data_dir)
    bad: dict[str, int] = {}
    with phone(web_app.url, width=WIDTH) as page:
        open_app(page, web_app.url)
        unlock(page)
        expect(page.get_by_role("button", name="Log employer contact")).to_be_visible(
            timeout=10000)
        look(page, "home", bad)
        page.get_by_role("button", name="Log employer contact").click()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Enter the employer you met", exact=False)).to_be_visible()
        look(page, "contact_errors", bad)
        page.get_by_role("button", name="Back", exact=True).click()
        page.get_by_role("button", name="Log member visit").click()
        page.get_by_role("button", name="Save").click()
        look(page, "visit_errors", bad)
        page.get_by_role("button", name="Back", exact=True).click()
        for tab in ("History", "Employers", "Settings", "Members"):
            page.get_by_role("tab", name=tab).click()
            expect(page.get_by_role("heading", name=tab)).to_be_visible(timeout=10000)
            look(page, tab.lower(), bad)
        page.get_by_role("button", name=re.compile(f"^{LONG_MEMBER}")).click()
        look(page, "member_page", bad)
        page.get_by_role("button", name="Start a job").click()
        look(page, "job_form", bad)
        page.get_by_role("button", name="Back", exact=True).click()
        page.get_by_role("button", name="Close", exact=True).click()
        page.get_by_role("button", name=re.compile("^Close ")).last.click()
        expect(page.get_by_text("Choose why services end.").first).to_be_visible()
        look(page, "close_member", bad)
    assert not bad, f"ink at the right edge (cut off?): {bad}; see {SHOTS}/narrow_*.png"
