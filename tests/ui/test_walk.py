"""Thousands of random taps, types, picks and Backs through the real screens
(renderer-less): the app never crashes, never shows the generic failure
notice, keeps its one View, and reaches every screen a specialist has."""

from __future__ import annotations

import time

from app.store import Store
from app.ui.navigator import UNEXPECTED
from tests.due_cases import PAYERS_LISTED
from tests.sizes import tries

from .conftest import NOW, PIN, run
from .walk import Walk

STEPS = tries(2000, 300)
# Which choices the seed makes shifts with every screen's controls, so a walk
# may need more steps to reach every screen; it goes on until it has, up to this.
MAX_STEPS = 4000
KNOWN_SCREENS = {"home", "history", "members", "employers", "settings", "sync", "connect",
                 "employer_contact", "member_visit", "member", "employer", "merge_employer", "lock",
                 "setup", "member_page", "close_member", "job", "job_end", "career_profile",
                 "employment_plan", "authorization"}
FAILED = UNEXPECTED.split(":")[0]


def seed_records(data_dir) -> None:
    """A caseload (a job, a profile, a plan, payers that need the LRS check and
    authorizations), a directory and a few weeks of contacts and visits."""
    store = Store.create(data_dir, PIN, wall_ms=lambda: int(NOW.timestamp() * 1000))
    store.take_payers(PAYERS_LISTED)
    members = [store.put("member", {"display_name": name, "program_entry": "2026-09-01",
                                    "status": "active", "job_seeking": True, "payer": payer})
               for name, payer in (("Rowan Q.", "lhcc"), ("Ike P.", "ny_pros"),
                                   ("Juno B.", "acla"))]
    for name in ("Bluebird Print Shop", "Northside Grocery"):
        store.put("employer", {"name": name})
    for day in range(3, 18, 2):
        when = f"2026-11-{day:02d}T10:00:00-06:00"
        store.put("employer_contact", {"occurred_at": when, "employer": "Bluebird Print Shop",
                                       "face_to_face": day % 3 != 0,
                                       "member_ids": [members[day % 3].id]})
        store.put("member_visit", {"occurred_at": when, "member_id": members[day % 3].id,
                                   "type": "job_search", "face_to_face": True,
                                   "setting": "community", "minutes": 30})
    # Two members working, so End job stays within reach whichever filter
    # Members keeps (a kept "Looking for work" hides them).
    for member, employer in ((members[0], "Northside Grocery"),
                             (members[2], "Bluebird Print Shop")):
        store.put("job", {"member_id": member.id, "employer": employer, "title": "Stocker",
                          "start_date": "2026-11-02", "hours_per_week": 20,
                          "competitive": True})
    store.put("career_profile", {"member_id": members[1].id, "work_goal": "Office work",
                                 "completed_on": "2026-10-01"})
    store.put("employment_plan", {"member_id": members[1].id, "written_on": "2026-10-05",
                                  "goal": "An office job", "steps": [
                                      {"text": "Update the resume", "done": True},
                                      {"text": "Visit two offices", "by": "2026-11-30"}]})
    store.close()


def test_a_long_random_walk_never_breaks_the_app(start_app, tmp_path, capsys):
    seed_records(tmp_path / "data")

    async def flow():
        r = await start_app()
        h, app = r.harness, r.app
        view = h.top_view()
        walk = Walk(h, seed=20261125)
        started = time.perf_counter()
        slowest = (0.0, "")
        seen = {"setup"}  # the walk starts on an existing store
        number = 0
        while number < STEPS or (not seen >= KNOWN_SCREENS and number < MAX_STEPS):
            number += 1
            if app.route == "lock":  # the walk locked the app (Lock now, Change PIN)
                await h.type("pin", PIN)
                await h.click("unlock")
            mark = h.mark()
            began = time.perf_counter()
            step = await walk.step()
            took = time.perf_counter() - began
            slowest = max(slowest, (took, step))
            where = f"step {number} ({step}) after {walk.steps[-6:-1]}"
            assert h.page.views == [view], where
            assert app.route.partition("/")[0] in KNOWN_SCREENS, where
            assert FAILED not in h.sent_since(mark), where
            if app.route != "lock":
                assert app.nav.screen is not None and app.nav.screen.route == app.nav.top, where
            seen.add(app.route.partition("/")[0])
            r.clock.seconds += 1
        elapsed = time.perf_counter() - started
        with capsys.disabled():
            print(f"\nrenderer-less walk: {number} steps in {elapsed:.1f} s, slowest step "
                  f"{slowest[0] * 1000:.0f} ms ({slowest[1]})")
        assert seen >= KNOWN_SCREENS, f"never reached: {KNOWN_SCREENS - seen}"

    run(flow())
