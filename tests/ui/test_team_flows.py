"""A supervisor's Team screen against a real central store with two
specialists who synced their contacts from their own phones (by the real
clock: the server keeps it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.store import Store
from sync.client import SyncClient
from sync.team import TeamClient

from .conftest import PIN, run, seed_contact, seed_team, until


@pytest.fixture
def team(central, tmp_path):
    return seed_team(central, tmp_path)


def cell_number(h, key: str) -> str:
    """The number a grid cell shows."""
    return next(c.value for c in h.walk(h.by_key(key)) if getattr(c, "value", None)
                and str(c.value).isdigit())


def test_supervisor_grid_week_review_and_offline(start_app, central, team):
    sam_code, ids, monday = team
    ada, bo = ids["Ada"], ids["Bo"]
    this_week, last_week = monday.isoformat(), (monday - timedelta(days=7)).isoformat()

    async def flow():
        r = await start_app()
        r.clock.now = datetime.now(UTC)
        h = r.harness
        await r.set_up_connected(central.url, sam_code)
        await h.tab("Team")
        assert r.app.route == "team"
        await until(lambda: h.find(f"cell:{ada}:{this_week}") is not None)
        assert cell_number(h, f"cell:{ada}:{this_week}") == "6"
        # This week is not over: its count so far is outlined in its colour, not filled.
        assert h.by_key(f"cell:{ada}:{this_week}").bgcolor == "surface"
        assert h.by_key(f"cell:{ada}:{this_week}").border.top.color == "green900"
        assert cell_number(h, f"cell:{ada}:{last_week}") == "5"
        assert h.by_key(f"cell:{ada}:{last_week}").bgcolor == "amber100"
        assert cell_number(h, f"cell:{bo}:{this_week}") == "2"
        assert h.by_key(f"cell:{bo}:{this_week}").border.top.color == "red900"
        # Bo started this week: the weeks before are blank, not red.
        assert h.by_key(f"cell:{bo}:{last_week}").bgcolor is None
        sent = h.sent_since()
        # Finished weeks since each start: Ada (0 + 0 + 5) / 3; Bo has none yet.
        assert "Team average: 1.7 a week (target 6)" in sent
        assert "Fidelity rating, frequent employer contact: 1 of 5" in sent
        assert h.by_key(f"pending:{bo}").value == "3 unsynced"
        assert h.find(f"pending:{ada}") is None

        await h.click(f"cell:{ada}:{this_week}")
        assert r.app.route == f"team_week/{ada}/{this_week}"
        await until(lambda: h.find("week_count") is not None)
        sent = h.sent_since()
        assert "6 of 6 face to face" in sent
        assert "Ada Employer 0" in sent and "Pat Lee" in sent and "For 1 member" in sent
        assert "Generic" in sent
        assert h.find("week_not_ended") is not None  # reviewing a week still running warns
        assert h.by_key("review_line").value == "Not reviewed yet."
        mark = h.mark()
        await h.click("review")
        assert "Reviewed by Sam Supervisor" in h.sent_since(mark)
        assert ", at 6." in h.by_key("review_line").value
        review = TeamClient(r.app.sync_client).week(ada, monday)["review"]
        assert review["by"]["name"] == "Sam Supervisor" and review["count"] == 6
        await h.back()
        assert r.app.route == "team"
        await until(lambda: h.find(f"reviewed:cell:{ada}:{this_week}") is not None)

        # What is due on each caseload: Ada's member is 40 days in with nothing done.
        assert h.by_key(f"team_due:{ada}").subtitle.value == "2 overdue"
        assert (h.by_key(f"team_due:{bo}").subtitle.value
                == "Nothing overdue or due in the next 7 days")
        await h.click(f"team_due:{ada}")
        await until(lambda: h.find("team_due_item:1") is not None)
        assert "Complete Invented Member's career profile" in h.sent_since()
        await h.back()
        assert r.app.route == "team"

        # Offline: the kept grid, with its age.
        central.server.stop()
        r.clock.now += timedelta(hours=2)
        mark = h.mark()
        await h.click("team_refresh")
        await until(lambda: "Offline — showing the counts fetched 2 h ago" in h.sent_since(mark))
        assert cell_number(h, f"cell:{ada}:{this_week}") == "6"

    run(flow())


def test_a_week_changed_after_its_review_says_so(start_app, central, team, tmp_path):
    sam_code, ids, monday = team
    ada, this_week = ids["Ada"], monday.isoformat()

    async def flow():
        r = await start_app()
        r.clock.now = datetime.now(UTC)
        h = r.harness
        await r.set_up_connected(central.url, sam_code)
        TeamClient(r.app.sync_client).review(ada, monday)
        # Ada logs one more contact of that week after the review, and syncs.
        store = Store.open(tmp_path / "Ada", PIN)
        store.put("employer_contact", seed_contact(monday, "Late Employer"))
        SyncClient(store=store, sleep=lambda _s: None).sync()
        store.close()

        await h.tab("Team")
        await until(lambda: h.find(f"changed:cell:{ada}:{this_week}") is not None)
        await h.click(f"cell:{ada}:{this_week}")
        await until(lambda: h.find("week_count") is not None)
        line = h.by_key("review_line").value
        assert ", at 6. 1 change since (1 added): review it again." in line
        late = next(k for k in (getattr(c, "key", None) for c in h.walk())
                    if isinstance(k, str) and k.startswith("contact:")
                    and h.by_key(k).bgcolor == "amber50")
        assert "Added since review" in h.sent_since() and late
        assert h.by_key("review").content == "Review this week again"
        await h.click("review")
        assert "change since" not in h.by_key("review_line").value
        assert ", at 7." in h.by_key("review_line").value

    run(flow())


def test_the_kept_grid_is_sealed_and_shown_after_a_restart_offline(start_app, central, team):
    sam_code, ids, monday = team
    bo_cell = f"cell:{ids['Bo']}:{monday.isoformat()}"

    async def flow():
        r = await start_app()
        r.clock.now = datetime.now(UTC)
        await r.set_up_connected(central.url, sam_code)
        await r.harness.tab("Team")
        await until(lambda: r.harness.find(bo_cell) is not None)
        r.app.close()
        central.server.stop()

        again = await start_app()
        h = again.harness
        await h.type("pin", PIN)
        await h.click("unlock")
        await h.tab("Team")
        assert cell_number(h, bo_cell) == "2"

    run(flow())
    data = b"".join(f.read_bytes() for f in (central.server.log_path.parent / "data").rglob("*")
                    if f.is_file())
    assert b"Ada Specialist" not in data and b"Bo Specialist" not in data


def test_fidelity_items_their_records_and_the_quarters(start_app, central, team):
    sam_code, ids, monday = team

    async def flow():
        r = await start_app()
        r.clock.now = datetime.now(UTC)
        h = r.harness
        await r.set_up_connected(central.url, sam_code)
        await h.tab("Team")
        await h.click("open_fidelity")
        assert r.app.route == "fidelity"
        await until(lambda: h.find("fidelity:competitive_jobs") is not None)
        assert h.by_key("rating:caseload_size").value == "5 of 5"  # Ada: 1 active member
        assert h.by_key("rating:competitive_jobs").value == "Not rated: the log cannot tell"
        assert "Employment rate: no members served" not in h.sent_since()
        await h.click("fidelity:caseload_size")
        await until(lambda: h.find("fidelity_row:0") is not None)
        assert "Ada Specialist" in h.sent_since()
        await h.back()
        assert r.app.route == "fidelity"
        # The evidence report, handed over as a file (the picker answers like a client).
        mark = h.mark()
        await h.click("fidelity_report")
        saved = [m for m in h.conn.sent[mark:] if getattr(m.body, "name", "") == "save_file"]
        assert saved and saved[0].body.args["src_bytes"].startswith(b"%PDF")
        quarter = h.by_key("quarter").value
        assert h.by_key("quarter_after").disabled is True  # no quarter ahead of today
        await h.click("quarter_before")
        assert r.app.route.startswith("fidelity/") and h.by_key("quarter").value != quarter
        await h.back()
        assert r.app.route == "team"

    run(flow())
