"""A supervisor's calls (PROTOCOL.md: tallies, team week, review, due,
fidelity, billing). No flet.

The HTTP goes through `SyncClient._request`, the one path with the device
token, retries and the mapping to the SyncError tree. Calling it from this
sibling module of the same package is deliberate: sync/client.py has another
owner, and a second HTTP path would be a copy.

The last tallies fetched, and the billing worksheets of the last few months
fetched, are kept sealed in the store, so the Team and Billing screens can
show them offline with their age.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from .client import SyncClient
from .protocol import (
    DUE_PATH,
    FIDELITY_QUARTERS_DEFAULT,
    TALLIES_PATH,
    TALLY_WEEKS_DEFAULT,
    TEAM_BILLING_PATH,
    TEAM_FIDELITY_PATH,
    TEAM_FIDELITY_REPORT_PATH,
    TEAM_REVIEW_PATH,
    TEAM_WEEK_PATH,
    BillingResponse,
    FidelityResponse,
)

TALLIES_SECRET = "team_tallies"
BILLING_SECRET = "team_billing"
BILLING_MONTHS_KEPT = 6  # the worksheets of the months fetched last, for offline viewing


@dataclass(frozen=True)
class TeamTallies:
    """GET /v1/tallies as the server sent it, and when it was fetched."""

    body: dict[str, Any]
    fetched_at: datetime


@dataclass(frozen=True)
class TeamBilling:
    """GET /v1/team/billing as the server sent it, and when it was fetched."""

    body: BillingResponse
    fetched_at: datetime


class TeamClient:
    def __init__(self, sync: SyncClient) -> None:
        self._sync = sync

    def tallies(self, week: date, *, weeks: int = TALLY_WEEKS_DEFAULT) -> TeamTallies:
        """The weeks ending with the week holding `week`; kept for offline viewing."""
        body = self._sync._request(
            "GET", TALLIES_PATH, params={"week": week.isoformat(), "weeks": weeks}
        )
        fetched = TeamTallies(body, self._sync.store.now())
        self._sync.store.secrets.set(
            TALLIES_SECRET, json.dumps({"fetched_at": fetched.fetched_at.isoformat(), "body": body})
        )
        return fetched

    def cached_tallies(self) -> TeamTallies | None:
        """The last tallies fetched on this device, or None."""
        raw = self._sync.store.secrets.get(TALLIES_SECRET)
        if raw is None:
            return None
        kept = json.loads(raw)
        return TeamTallies(kept["body"], datetime.fromisoformat(kept["fetched_at"]))

    def week(self, user_id: str, week: date) -> dict[str, Any]:
        """One specialist's employer contacts of the week holding `week`, and its review."""
        answer: dict[str, Any] = self._sync._request(
            "GET", TEAM_WEEK_PATH, params={"user": user_id, "week": week.isoformat()}
        )
        return answer

    def review(self, user_id: str, week: date) -> dict[str, Any]:
        """Mark that week reviewed by this supervisor; returns {"by", "at"}."""
        answer = self._sync._request(
            "POST", TEAM_REVIEW_PATH, json={"user": user_id, "week": week.isoformat()}
        )
        review: dict[str, Any] = answer["review"]
        return review

    def due(self, user_id: str, on: date | None = None) -> dict[str, Any]:
        """What is due on a specialist's caseload as of `on` (today in the
        team's zone if None): {"user", "on", "items": [DueItem.to_wire()...]}."""
        params = {"user": user_id} if on is None else {"user": user_id, "on": on.isoformat()}
        answer: dict[str, Any] = self._sync._request("GET", DUE_PATH, params=params)
        return answer

    def fidelity(
        self, quarter: str | None = None, *, quarters: int = FIDELITY_QUARTERS_DEFAULT
    ) -> FidelityResponse:
        """The team's fidelity items and outcomes over `quarter` ("2026-Q4";
        the current one in the team's zone if None), with the outcomes of
        `quarters` quarters ending with it in `outcomes_by_quarter` (5 gives
        the four before too, for a chart of the employment rate)."""
        params: dict[str, str | int] = {"quarters": quarters}
        if quarter is not None:
            params["quarter"] = quarter
        answer: FidelityResponse = self._sync._request("GET", TEAM_FIDELITY_PATH, params=params)
        return answer

    def fidelity_report(self, quarter: str) -> bytes:
        """The fidelity evidence report of the team over `quarter`, as a PDF a
        reviewer reads."""
        report: bytes = self._sync._request(
            "GET", TEAM_FIDELITY_REPORT_PATH, params={"quarter": quarter, "format": "pdf"},
            document=True)
        return report

    def billing(self, month: str) -> TeamBilling:
        """The team's billing worksheet of `month` ("2026-11"): a row per member
        and payer with encounters, and the totals by payer. Kept for offline
        viewing, with the last few months fetched."""
        body: BillingResponse = self._sync._request(
            "GET", TEAM_BILLING_PATH, params={"month": month})
        fetched = TeamBilling(body, self._sync.store.now())
        kept = self._kept_billing()
        kept.pop(month, None)  # the newest last: the oldest leaves first
        kept[month] = {"fetched_at": fetched.fetched_at.isoformat(), "body": body}
        for old in list(kept)[:-BILLING_MONTHS_KEPT]:
            del kept[old]
        self._sync.store.secrets.set(BILLING_SECRET, json.dumps(kept))
        return fetched

    def cached_billing(self, month: str) -> TeamBilling | None:
        """The worksheet of `month` last fetched on this device, or None."""
        kept = self._kept_billing().get(month)
        if kept is None:
            return None
        return TeamBilling(kept["body"], datetime.fromisoformat(kept["fetched_at"]))

    def billing_document(self, month: str, format: Literal["csv", "pdf"]) -> bytes:
        """The worksheet of `month` as the billing clerk takes it: CSV or PDF."""
        document: bytes = self._sync._request(
            "GET", TEAM_BILLING_PATH, params={"month": month, "format": format},
            document=True)
        return document

    def _kept_billing(self) -> dict[str, Any]:
        raw = self._sync.store.secrets.get(BILLING_SECRET)
        kept: dict[str, Any] = json.loads(raw) if raw else {}
        return kept
