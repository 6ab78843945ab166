"""The Billing screen's words (app/ui/billing.py): the month it opens on, the
lines as a clerk writes them, the days, the blockers and what fixes them, and
what a failed fetch says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.domain.billing import Month
from app.ui.billing import (
    Sheet,
    days_text,
    default_month,
    file_problem,
    lines_text,
    month_label,
    problem_text,
)
from sync.errors import OfflineError, RequestError, ServerFailedError, TokenInvalidError
from tests.due_cases import PAYERS

NOW = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)


def test_it_opens_on_the_month_that_ended_last():
    assert default_month(date(2026, 12, 8)) == Month(2026, 11)
    assert default_month(date(2026, 12, 31)) == Month(2026, 11)
    assert default_month(date(2027, 1, 1)) == Month(2026, 12)
    assert month_label(Month(2026, 11)) == "November 2026"


def test_lines_and_days_as_a_clerk_writes_them():
    assert lines_text([{"code": "H2024", "modifier": "TG", "units": 1}]) == "H2024-TG × 1"
    assert lines_text([{"code": "H2024", "modifier": None, "units": 5}]) == "H2024 × 5"
    assert lines_text([{"code": None, "modifier": None, "units": 1}]) == "Monthly bundle × 1"
    assert lines_text([]) == ""
    assert days_text(["2026-11-02", "2026-11-04", "2026-11-19"]) == "Nov 2, 4, 19"
    assert days_text([]) == ""


def sheet(**row):
    base = {"member_id": "m1", "member": "Rowan Q.", "specialist": "Ada Specialist",
            "payer": "lhcc", "encounters": ["2026-11-02"], "lines": [], "billable": False,
            "blockers": ["no_authorization", "lrs_not_documented"]}
    return Sheet.of({"team": {}, "month": "2026-11", "rows": [{**base, **row}],
                     "totals": [{"payer": "lhcc", "members": 1, "billable": 0,
                                 "encounters": 1, "lines": []}]}, PAYERS)


def test_a_blocked_row_says_why_and_what_fixes_it():
    (row,) = sheet().rows
    assert row.payer_name == "Louisiana Healthcare Connections"
    assert row.blocked_text == ("Not billable yet: an encounter on a day no approved "
                                "authorization covers; not documented that IPS is unavailable "
                                "through LRS before the first encounter.")
    title, detail = row.not_here(Month(2026, 11))
    assert title == "Rowan Q.'s page is on Ada Specialist's phone"
    assert "To bill November 2026, Ada Specialist needs to record the payer's approved " \
        "authorization" in detail
    assert "set LRS checked on in the member's details" in detail
    assert detail.endswith("Once their phone has synced, tap Refresh here.")
    (total,) = sheet().totals
    assert total.summary == "0 of 1 member billable · 1 encounter"
    assert total.lines == "No billable lines yet"
    # A payer this phone has not heard of yet goes by its id; a blocker it
    # does not know by its code in words.
    (row,) = sheet(payer="new_plan", blockers=["ors_minimum_not_met"]).rows
    assert row.payer_name == "new_plan"
    assert row.blocked_text == "Not billable yet: ors minimum not met."
    (row,) = sheet(billable=True, blockers=[],
                   lines=[{"code": "H2024", "modifier": None, "units": 1}]).rows
    assert "Nothing to fix: H2024 × 1 is ready to bill for November 2026." in \
        row.not_here(Month(2026, 11))[1]


def test_a_failed_fetch_says_what_to_do_next():
    offline = OfflineError("The server at http://x cannot be reached.")
    assert problem_text(offline, NOW - timedelta(hours=2), NOW) == (
        "Offline — showing the worksheet fetched 2 h ago. Tap Refresh when you have a "
        "connection.")
    assert problem_text(offline, None, NOW).startswith(
        "Offline: the worksheet comes from the server, which cannot be reached now.")
    refused = RequestError("forbidden", "Only a supervisor can see the team's billing.")
    assert problem_text(refused, None, NOW) == (
        "Only a supervisor can see the team's billing. Tap Refresh to try again; if it keeps "
        "happening, tell your administrator.")
    assert problem_text(ServerFailedError("The server failed."), NOW, NOW).endswith(
        "Showing the worksheet fetched just now.")
    forgotten = TokenInvalidError("The server no longer knows this device: connect again.")
    assert problem_text(forgotten, None, NOW) == str(forgotten)
    assert file_problem(offline).startswith("Offline: the worksheet's file comes from the server")
