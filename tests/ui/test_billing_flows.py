"""A supervisor's Billing screen against a real central store: a specialist
synced a month of visits from her own phone (last month, by the real clock:
the server keeps it); the supervisor opens Billing from Team, moves between
months, reads each member's lines or blockers and the totals, taps a member,
saves the CSV, and goes on offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.billing import Month
from app.store import Store
from app.ui.billing import month_label
from sync.client import SyncClient
from tests.due_cases import authorization, member, visit

from .conftest import CHICAGO, PIN, run, until


def seed_month(central, root):
    """Ada's caseload, last month: Rowan (LHCC, 6 encounters: the TG line), Sky
    (LHCC, no authorization), Lee (LHCC, LRS checked after the first
    encounter) and Fay (AmeriHealth, a monthly bundle). Returns the
    supervisor's code, the month and the members by first name."""
    sam_code = central.user("Sam Supervisor", "supervisor")
    month = Month.of(datetime.now(CHICAGO).date()).previous()
    entry = month.first - timedelta(days=60)
    checked = {"lrs_checked_on": entry.isoformat()}
    until_after = month.last + timedelta(days=90)
    rowan = member("Rowan Ready", entry, payer="lhcc", **checked)
    sky = member("Sky Waiting", entry, payer="lhcc", **checked)
    lee = member("Lee Late", entry, payer="lhcc",
                 lrs_checked_on=(month.first + timedelta(days=10)).isoformat())
    fay = member("Fay Bundle", entry, payer="acla", **checked)
    records = [rowan, sky, lee, fay,
               authorization(rowan, "lhcc", entry, until_after),
               authorization(lee, "lhcc", entry, until_after),
               authorization(fay, "acla", entry, until_after)]
    records += [visit(rowan, month.first + timedelta(days=d)) for d in (1, 3, 8, 10, 15, 17)]
    records += [visit(sky, month.first + timedelta(days=4)),
                visit(lee, month.first + timedelta(days=2)),
                visit(fay, month.first + timedelta(days=5)),
                visit(fay, month.first + timedelta(days=12))]
    store = Store.create(root / "Ada", PIN)
    phone = SyncClient(store=store, sleep=lambda _s: None)
    phone.enroll(central.url, central.user("Ada Specialist"), "Ada's phone")
    for record in records:
        store.put(record.kind, dict(record.data), id=record.id)
    phone.sync()
    store.close()
    return sam_code, month, {m.data["display_name"].split()[0]: m for m in (rowan, sky, lee, fay)}


@pytest.fixture
def billed(central, tmp_path):
    return seed_month(central, tmp_path)


def test_billing_months_rows_totals_taps_and_offline(start_app, central, billed):
    sam_code, month, members = billed
    rowan, sky, lee, fay = (members[n].id for n in ("Rowan", "Sky", "Lee", "Fay"))
    current = month.next()

    async def flow():
        r = await start_app()
        r.clock.now = datetime.now(UTC)
        h = r.harness
        await r.set_up_connected(central.url, sam_code)
        await h.tab("Team")
        mark = h.mark()
        await h.click("open_billing")
        # Last month by default: billing is done once a month has ended.
        assert r.app.route == "billing"
        assert h.by_key("billing_month").value == month_label(month)
        assert f"Fetching the worksheet for {month_label(month)}" in h.sent_since(mark)
        await until(lambda: h.find(f"billing_row:{rowan}:lhcc") is not None)
        assert h.find("billing_progress") is None

        # Each member's lines, or why not yet, in red.
        assert h.by_key(f"billing_lines:{rowan}:lhcc").value == "H2024-TG × 1"
        assert h.by_key(f"billing_encounters:{rowan}:lhcc").value == "6 encounters"
        assert h.by_key(f"billing_days:{rowan}:lhcc").value == (
            f"{month.first:%b} " + ", ".join(str(d) for d in (2, 4, 9, 11, 16, 18)))
        assert h.by_key(f"billing_lines:{fay}:acla").value == "Monthly bundle × 1"
        blocked = h.by_key(f"billing_blockers:{sky}:lhcc")
        assert blocked.value == ("Not billable yet: an encounter on a day no approved "
                                 "authorization covers.")
        assert blocked.color == "error"
        assert "not documented that IPS is unavailable through LRS" in h.by_key(
            f"billing_blockers:{lee}:lhcc").value
        assert h.find(f"billing_lines:{sky}:lhcc") is None
        assert h.by_key("billing_blocked").value == (
            "2 rows cannot be billed yet: fix them before you bill.")
        # The totals by payer.
        assert h.by_key("billing_total:lhcc").value == "1 of 3 members billable · 8 encounters"
        assert h.by_key("billing_total_lines:lhcc").value == "Billable lines: H2024-TG × 1"
        assert h.by_key("billing_total:acla").value == "1 of 1 member billable · 2 encounters"
        sent = h.sent_since(mark)
        assert "Louisiana Healthcare Connections" in sent and "Ada Specialist" in sent

        # A member kept on the specialist's phone: the tap says so, and what to do.
        mark = h.mark()
        await h.click(f"billing_row:{sky}:lhcc")
        said = h.sent_since(mark)
        assert "Sky Waiting's page is on Ada Specialist's phone" in said
        assert "Ada Specialist needs to record the payer's approved authorization" in said
        await h.click("billing_ok")
        assert h.find("billing_ok") is None and r.app.route == "billing"

        # The clerk's CSV, handed over as a file.
        mark = h.mark()
        await h.click("billing_csv")
        saved = [m for m in h.conn.sent[mark:] if getattr(m.body, "name", "") == "save_file"]
        assert saved and saved[0].body.args["src_bytes"].startswith(b"member,specialist,payer")
        assert saved[0].body.args["file_name"] == f"billing-{month}.csv"

        # This month, and no month after it.
        assert h.by_key("month_after").disabled is not True
        await h.click("month_after")
        assert r.app.route == f"billing/{current}"
        assert h.by_key("billing_month").value == month_label(current)
        assert h.by_key("month_after").disabled is True
        assert h.by_key("billing_running").value == (
            f"{month_label(current)} is still running: visits logged later this month join it.")
        await until(lambda: h.find("billing_empty") is not None)
        await h.click("month_before")
        assert r.app.route == f"billing/{month}" and h.find("billing_running") is None
        await until(lambda: h.find(f"billing_row:{rowan}:lhcc") is not None)

        # Offline: what was shown stays, and the note says so.
        central.server.stop()
        r.clock.now += timedelta(hours=2)
        mark = h.mark()
        await h.click("billing_refresh")
        await until(lambda: h.find("billing_note") is not None)
        assert h.by_key("billing_note").value == (
            "Offline — showing the worksheet fetched 2 h ago. Tap Refresh when you have a "
            "connection.")
        assert h.by_key(f"billing_lines:{rowan}:lhcc").value == "H2024-TG × 1"
        await h.click("billing_pdf")
        assert "Offline: the worksheet's file comes from the server" in h.sent_since(mark)
        # A month never fetched on this phone: nothing to show, and why.
        await h.click("month_before")
        await until(lambda: h.find("billing_note") is not None)
        assert h.by_key("billing_note").value.startswith(
            "Offline: the worksheet comes from the server, which cannot be reached now.")
        assert h.find("billing_total:lhcc") is None
        await h.back()
        assert r.app.route == "team"

        # Back again, still offline: the kept worksheet, sealed on the phone.
        await h.click("open_billing")
        await until(lambda: h.find("billing_note") is not None)
        assert h.by_key(f"billing_lines:{fay}:acla").value == "Monthly bundle × 1"

    run(flow())


def test_a_member_on_the_supervisors_phone_opens_at_a_tap(start_app, central, billed):
    """A supervisor's phone holds only its own caseload; a member of the
    worksheet that is on it (a specialist made supervisor keeps her phone)
    opens at a tap, and Back returns to the worksheet."""
    sam_code, month, members = billed
    rowan = members["Rowan"]

    async def flow():
        r = await start_app()
        r.clock.now = datetime.now(UTC)
        h = r.harness
        await r.set_up_connected(central.url, sam_code)
        r.app.store.put("member", dict(rowan.data), id=rowan.id)
        await h.tab("Team")
        await h.click("open_billing")
        await until(lambda: h.find(f"billing_row:{rowan.id}:lhcc") is not None)
        await h.click(f"billing_row:{rowan.id}:lhcc")
        assert r.app.route == f"member_page/{rowan.id}"
        await h.back()
        assert r.app.route == "billing"

    run(flow())
