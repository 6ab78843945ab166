"""The supervisor's Team screen as plain Python (no flet): each specialist's
weekly counts (GET /v1/tallies) coloured against the target, the averages and
the fidelity rating, and a week's review and contacts in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.domain import TeamSettings, fidelity_rating, team_average

from . import text

NEAR_MISS = 2  # one or two short of the target is "short", more is "far short"


class Level(StrEnum):
    MET = "met"
    SHORT = "short"
    FAR = "far"


def level(count: int, target: int) -> Level:
    if count >= target:
        return Level.MET
    return Level.SHORT if target - count <= NEAR_MISS else Level.FAR


def level_ranges(target: int) -> dict[Level, str]:
    """What each colour means, in counts: the legend under the grid."""
    low = max(0, target - NEAR_MISS)
    ranges = {Level.MET: f"{target} or more",
              Level.SHORT: f"{low}–{target - 1}" if low < target - 1 else str(low)}
    if low > 0:
        ranges[Level.FAR] = "0" if low == 1 else f"{low - 1} or fewer"
    return ranges


@dataclass(frozen=True)
class Review:
    """A supervisor's review of one week, as the server keeps it."""

    by: str
    at: datetime
    count: int | None  # the week's count when reviewed (None: reviewed before snapshots)
    changed: bool  # a contact of the week was added, edited or deleted since

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> Review | None:
        if raw is None:
            return None
        return cls(raw["by"]["name"], datetime.fromisoformat(raw["at"]), raw.get("count"),
                   bool(raw.get("changed")))


@dataclass(frozen=True)
class TeamCell:
    user_id: str
    week: date
    count: int | None  # None: a week before the specialist started with the app
    level: Level | None
    review: Review | None
    running: bool = False  # the week has not ended: its count is "so far"


@dataclass(frozen=True)
class TeamRow:
    user_id: str
    name: str
    cells: list[TeamCell]
    average: float | None  # finished weeks since the start; None when there are none
    pending: int  # records still on the specialist's devices
    overdue: int = 0  # timed rules past due on the caseload (as the server last saw it)
    due_soon: int = 0  # due within the next 7 days


@dataclass(frozen=True)
class TeamGrid:
    """GET /v1/tallies for the Team screen: specialists x weeks, oldest first."""

    weeks: list[date]
    target: int
    rows: list[TeamRow]
    week_averages: list[float | None]  # the team's average of each week (None: nobody yet)
    running: list[bool]  # each week: not ended yet (its count is no verdict)
    average: float | None  # the mean of the specialists' averages (PROTOCOL.md)
    rating: int | None  # IPS fidelity, frequent employer contact (1-5); None: no data

    @classmethod
    def of(cls, body: dict[str, Any], today: date) -> TeamGrid:
        weeks = [date.fromisoformat(w) for w in body["weeks"]]
        target = int(body["target"])
        rows = [_team_row(row, weeks, target, today)
                for row in sorted(body["rows"], key=lambda r: r["user"]["name"].casefold())]
        week_averages = []
        for i in range(len(weeks)):
            counts = [c for row in rows if (c := row.cells[i].count) is not None]
            week_averages.append(sum(counts) / len(counts) if counts else None)
        average = team_average(row.average for row in rows)
        running = [week + timedelta(days=7) > today for week in weeks]
        return cls(weeks, target, rows, week_averages, running, average,
                   fidelity_rating(average))


def _team_row(row: dict[str, Any], weeks: list[date], target: int, today: date) -> TeamRow:
    user_id = row["user"]["id"]
    since = date.fromisoformat(row["since"]) if row.get("since") else weeks[0]
    reviews = row.get("reviews") or [None] * len(weeks)
    cells = []
    for week, count, review in zip(weeks, row["counts"], reviews, strict=True):
        before = week < since
        cells.append(TeamCell(user_id, week, None if before else count,
                              None if before else level(count, target), Review.of(review),
                              running=week + timedelta(days=7) > today))
    average = row.get("average")
    due = row.get("due") or {}
    return TeamRow(user_id, row["user"]["name"], cells,
                   None if average is None else float(average), int(row.get("pending") or 0),
                   int(due.get("overdue") or 0), int(due.get("due") or 0))


def average_text(average: float | None) -> str:
    return "no finished weeks yet" if average is None else f"{average:.1f} a week"


def rating_text(rating: int | None) -> str:
    return "no data yet" if rating is None else f"{rating} of 5"


def review_line(review: Review | None, zone: Any, changes: dict[str, Any] | None,
                today: date) -> str:
    """What the week screen says of its review: who, when, at what count, and
    what changed since."""
    if review is None:
        return "Not reviewed yet."
    when = text.when_label(review.at.astimezone(zone), today=today)
    line = f"Reviewed by {review.by}, {when}"
    line += f", at {review.count}." if review.count is not None else "."
    if review.changed:
        changes = changes or {}
        parts = [text.plural(len(changes.get("added") or []), "added", "added"),
                 text.plural(len(changes.get("edited") or []), "edited", "edited"),
                 text.plural(int(changes.get("removed") or 0), "removed", "removed")]
        total = sum(int(p.split()[0]) for p in parts)
        detail = ", ".join(p for p in parts if not p.startswith("0 "))
        line += (f" {text.plural(total, 'change')} since ({detail}): review it again."
                 if total else " Changed since: review it again.")
    return line


def contact_line(data: dict[str, Any], settings: TeamSettings, today: date) -> str:
    """One contact of a specialist's week for the supervisor: when, who, how, for whom.
    Members are counted, never named: their records stay on the specialist's phone."""
    when, how = text.when_and_how(data, settings, today)
    members = len(data.get("member_ids") or [])
    parts = [
        when,
        data.get("contact_person") or "",
        how,
        f"For {text.plural(members, 'member')}" if members else "Generic",
    ]
    return " · ".join(p for p in parts if p)
