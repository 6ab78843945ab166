"""A supervisor's Team screen against a real central store with two
specialists who synced their contacts from their own phones."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sync.team import TeamClient

from .conftest import PIN, run, seed_team, until

THIS_WEEK, LAST_WEEK = "2026-11-16", "2026-11-09"  # Mondays, around the test clock


@pytest.fixture
def team(central, tmp_path):
    return seed_team(central, tmp_path, date.fromisoformat(THIS_WEEK))


def test_supervisor_grid_week_review_and_offline(start_app, central, team):
    sam_code, ids = team
    ada, bo = ids["Ada"], ids["Bo"]

    async def flow():
        r = await start_app()
        h = r.harness
        await r.set_up_connected(central.url, sam_code)
        await h.tab("Team")
        assert r.app.route == "team"
        await until(lambda: h.find(f"cell:{ada}:{THIS_WEEK}") is not None)
        cell = h.by_key(f"cell:{ada}:{THIS_WEEK}")
        assert cell.content.value == "6" and cell.bgcolor == "green100"
        assert h.by_key(f"cell:{ada}:{LAST_WEEK}").content.value == "5"
        assert h.by_key(f"cell:{ada}:{LAST_WEEK}").bgcolor == "amber100"
        assert h.by_key(f"cell:{bo}:{THIS_WEEK}").content.value == "2"
        assert h.by_key(f"cell:{bo}:{THIS_WEEK}").bgcolor == "red100"
        sent = h.sent_since()
        assert "Team average: 0.8 a week (target 6)" in sent  # (6 + 5 + 2) / 16
        assert "Fidelity rating, frequent employer contact: 1 of 5" in sent
        assert h.by_key(f"pending:{bo}").value == "3 unsynced"
        assert h.find(f"pending:{ada}") is None

        await h.click(f"cell:{ada}:{THIS_WEEK}")
        assert r.app.route == f"team_week/{ada}/{THIS_WEEK}"
        await until(lambda: h.find("week_count") is not None)
        sent = h.sent_since()
        assert "6 of 6 face to face" in sent
        assert "Ada Employer 0" in sent and "Pat Lee" in sent and "For 1 member" in sent
        assert "Generic" in sent
        assert h.by_key("review_line").value == "Not reviewed yet."
        mark = h.mark()
        await h.click("review")
        assert "Reviewed by Sam Supervisor" in h.sent_since(mark)
        review = TeamClient(r.app.sync_client).week(ada, datetime(2026, 11, 18).date())["review"]
        assert review["by"]["name"] == "Sam Supervisor"
        await h.back()
        assert r.app.route == "team"

        # Offline: the kept grid, with its age.
        central.server.stop()
        r.clock.now += timedelta(hours=2)
        mark = h.mark()
        await h.click("team_refresh")
        await until(lambda: "Offline — showing the counts fetched 2 h ago" in h.sent_since(mark))
        assert h.by_key(f"cell:{ada}:{THIS_WEEK}").content.value == "6"

    run(flow())


def test_the_kept_grid_is_sealed_and_shown_after_a_restart_offline(start_app, central, team):
    sam_code, ids = team

    async def flow():
        r = await start_app()
        await r.set_up_connected(central.url, sam_code)
        await r.harness.tab("Team")
        await until(lambda: r.harness.find(f"cell:{ids['Bo']}:{THIS_WEEK}") is not None)
        r.app.close()
        central.server.stop()

        again = await start_app()
        h = again.harness
        await h.type("pin", PIN)
        await h.click("unlock")
        await h.tab("Team")
        assert h.by_key(f"cell:{ids['Bo']}:{THIS_WEEK}").content.value == "2"

    run(flow())
    data = b"".join(f.read_bytes() for f in (central.server.log_path.parent / "data").rglob("*")
                    if f.is_file())
    assert b"Ada Specialist" not in data and b"Bo Specialist" not in data
