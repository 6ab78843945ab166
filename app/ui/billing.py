"""The supervisor's Billing screen as words (plain Python, no flet): the
month's billing worksheet (GET /v1/team/billing), a row per member and payer
with its encounters and claim lines or, when it cannot be billed yet, why and
what to do; the totals by payer; and what a fetch that failed means.

The screen opens on the month before this one: billing is done once a month
has ended, so at month end (and in the first days of the next) last month is
the one a supervisor checks. This month, still running, is one tap away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.billing import BLOCKERS, Line, Month, line_words
from app.domain.payers import Payer
from sync.errors import (
    DeviceRevokedError,
    NotEnrolledError,
    OfflineError,
    SyncError,
    TokenInvalidError,
)
from sync.protocol import BillingLine, BillingResponse

from . import text

TIMES = "×"  # a Latin-1 sign: the shipped fonts have it, and screen readers say "times"
BUNDLE = "Monthly bundle"
# What fixes each blocker, said to the specialist who keeps the member.
FIXES = {
    "no_authorization": "record the payer's approved authorization covering every encounter "
    "day (or ask the payer for one)",
    "units_exceeded": "ask the payer for more units or a renewal, and record it",
    "lrs_not_documented": "set LRS checked on in the member's details, on or before the first "
    "encounter",
}


def default_month(today: date) -> Month:
    """The month the screen opens on: the last one ended (billing is done at month end)."""
    return Month.of(today).previous()


def month_label(month: Month) -> str:
    """"November 2026"."""
    return f"{month.first:%B %Y}"


def lines_text(lines: list[BillingLine]) -> str:
    """"H2024-TG × 1", "H2024 × 5", "Monthly bundle × 1"; "" for none."""
    if not lines:
        return ""
    return line_words((Line(x["code"], x["modifier"], x["units"]) for x in lines),
                      times=TIMES, bundle=BUNDLE)


def blocker_words(code: str) -> str:
    """A blocker in plain words, as the worksheet's PDF says it (lower case)."""
    return BLOCKERS.get(code, code.replace("_", " "))


def days_text(days: list[str]) -> str:
    """The encounter days of one month: "Nov 2, 4, 9"."""
    if not days:
        return ""
    parsed = [date.fromisoformat(d) for d in days]
    return f"{parsed[0]:%b} " + ", ".join(str(d.day) for d in parsed)


@dataclass(frozen=True)
class Row:
    """One member under one payer in the month."""

    member_id: str
    payer: str
    member: str
    specialist: str
    payer_name: str
    encounters: int
    days: str
    lines: str  # "" when there are none
    blockers: tuple[str, ...]  # BLOCKERS keys
    billable: bool

    @property
    def key(self) -> str:
        return f"{self.member_id}:{self.payer}"

    @property
    def encounters_text(self) -> str:
        return text.plural(self.encounters, "encounter")

    @property
    def blocked_text(self) -> str:
        """"Not billable yet: an encounter on a day no approved authorization covers."."""
        return "Not billable yet: " + "; ".join(blocker_words(b) for b in self.blockers) + "."

    def not_here(self, month: Month) -> tuple[str, str]:
        """What a tap says when the member is not on this phone: a title and
        what to do, in words."""
        who, keeper = self.member, self.specialist
        title = f"{who}'s page is on {keeper}'s phone"
        detail = (f"This phone holds only your own caseload; {keeper} keeps {who}'s "
                  f"records. ")
        if self.billable:
            return title, detail + f"Nothing to fix: {self.lines} is ready to bill for " \
                f"{month_label(month)}."
        fixes = [FIXES[b] for b in self.blockers if b in FIXES]
        todo = "; ".join(fixes) if fixes else "check the member's records for " + \
            "; ".join(blocker_words(b) for b in self.blockers)
        return title, detail + (f"To bill {month_label(month)}, {keeper} needs to {todo}. "
                                "Once their phone has synced, tap Refresh here.")


@dataclass(frozen=True)
class Total:
    """One payer's month: members, how many billable, encounters, billable lines."""

    payer: str
    payer_name: str
    summary: str
    lines: str


@dataclass(frozen=True)
class Sheet:
    """The worksheet as the screen shows it."""

    month: Month
    rows: tuple[Row, ...]
    totals: tuple[Total, ...]

    @property
    def blocked(self) -> int:
        return sum(1 for row in self.rows if not row.billable)

    @classmethod
    def of(cls, body: BillingResponse, payers: Mapping[str, Payer]) -> Sheet:
        def name(payer: str) -> str:
            known = payers.get(payer)
            return known.name if known else payer

        rows = tuple(
            Row(r["member_id"], r["payer"], r["member"], r["specialist"], name(r["payer"]),
                len(r["encounters"]), days_text(r["encounters"]), lines_text(r["lines"]),
                tuple(r["blockers"]), bool(r["billable"]))
            for r in body["rows"])
        totals = tuple(
            Total(t["payer"], name(t["payer"]),
                  f"{t['billable']} of {text.plural(t['members'], 'member')} billable · "
                  f"{text.plural(t['encounters'], 'encounter')}",
                  f"Billable lines: {lines_text(t['lines'])}" if t["lines"]
                  else "No billable lines yet")
            for t in body["totals"])
        return cls(Month.parse(body["month"]), rows, totals)


def problem_text(error: SyncError, fetched_at: datetime | None, now: datetime) -> str:
    """Why the worksheet could not be fetched, and what to do next; with the
    age of the one still shown, if any."""
    shown = "" if fetched_at is None else \
        f" Showing the worksheet fetched {text.ago(fetched_at, now)}."
    if isinstance(error, OfflineError):
        if fetched_at is not None:
            return (f"Offline — showing the worksheet fetched {text.ago(fetched_at, now)}. "
                    "Tap Refresh when you have a connection.")
        return ("Offline: the worksheet comes from the server, which cannot be reached now. "
                "Tap Refresh when you have a connection.")
    said = str(error).strip()
    if isinstance(error, TokenInvalidError | NotEnrolledError | DeviceRevokedError):
        return said + shown  # these say already what to do
    return (f"{said} Tap Refresh to try again; if it keeps happening, tell your "
            f"administrator.{shown}")


def file_problem(error: SyncError) -> str:
    """Why the worksheet's file could not be made, and what to do next."""
    if isinstance(error, OfflineError):
        return ("Offline: the worksheet's file comes from the server. Try again when you have "
                "a connection.")
    return (f"The worksheet's file could not be made: {str(error).strip()} Try again; if it "
            "keeps happening, tell your administrator.")
