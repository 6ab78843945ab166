"""The weekly employer-contact tally: the counting rule of PROTOCOL.md
(additions of 2026-12-07, "The weekly count")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import overload

from .records import Record, sort_newest_first
from .scales import FREQUENT_EMPLOYER_CONTACT
from .weeks import TeamSettings


def counts_toward_target(record: Record) -> bool:
    """The policies ask for "at least 6 face-to-face employer contacts per week on behalf of members
    looking for work ... counted even when ... meets the same employer more
    than one time in a week, and when the member is present or not present.
    Member-specific and generic contacts are included" (CCP.4043 Components
    6; LA.CP.BH.509c II.F). A contact counts when not deleted, face to face, made by the specialist
    (`by`, default `specialist`) and job development (`service`, default
    `job_development`), not support of a working member's job."""
    data = record.data
    return (
        record.kind == "employer_contact"
        and not record.deleted
        and data.get("face_to_face") is True
        and data.get("by", "specialist") == "specialist"
        and data.get("service", "job_development") == "job_development"
    )


@dataclass(frozen=True)
class Tally:
    week_start: date
    count: int
    target: int
    contacts: tuple[Record, ...]  # the week's employer contacts, newest first, counted or not

    @property
    def met(self) -> bool:
        return self.count >= self.target

    @property
    def short_by(self) -> int:
        return max(0, self.target - self.count)


def week_tally(records: Iterable[Record], settings: TeamSettings, week_start: date) -> Tally:
    """The tally of the week starting `week_start` from any set of records."""
    contacts = [
        r
        for r in records
        if r.kind == "employer_contact"
        and not r.deleted
        and settings.week_of_instant(r.data["occurred_at"]) == week_start
    ]
    return Tally(
        week_start=week_start,
        count=sum(map(counts_toward_target, contacts)),
        target=settings.contact_target,
        contacts=tuple(sort_newest_first(contacts)),
    )


def weekly_counts(
    records: Iterable[Record], settings: TeamSettings, weeks: Sequence[date]
) -> list[int]:
    """Counting contacts per week, for the given week start dates."""
    per_week = Counter(
        settings.week_of_instant(r.data["occurred_at"]) for r in records if counts_toward_target(r)
    )
    return [per_week[w] for w in weeks]


def finished_weeks(week_starts: Sequence[date], *, since: date, today: date) -> list[bool]:
    """For each week, whether it counts toward an average: it has ended by
    `today` and does not start before `since`, the first week the specialist
    worked with the app."""
    return [since <= start and start + timedelta(days=7) <= today for start in week_starts]


def finished_weeks_average(
    week_starts: Sequence[date], counts: Sequence[int], *, since: date, today: date
) -> float | None:
    """A specialist's average weekly count (PROTOCOL.md additions of 2026-11-25):
    the mean over the weeks given that are `finished_weeks`. None when there is
    no such week: an unfinished week or one before the specialist joined would
    only pull the average down."""
    counted = finished_weeks(week_starts, since=since, today=today)
    kept = [count for count, finished in zip(counts, counted, strict=True) if finished]
    return sum(kept) / len(kept) if kept else None


def team_average(averages: Iterable[float | None]) -> float | None:
    """The mean of the specialists' averages, leaving out those without one;
    None when no specialist has one."""
    known = [average for average in averages if average is not None]
    return sum(known) / len(known) if known else None


@overload
def fidelity_rating(average_weekly_count: float) -> int: ...
@overload
def fidelity_rating(average_weekly_count: None) -> None: ...
def fidelity_rating(average_weekly_count: float | None) -> int | None:
    """The fidelity rating (1-5) for a team's average weekly contact count;
    None ("no data") without an average, as for a team with no finished week.
    The anchors are data: scales.FREQUENT_EMPLOYER_CONTACT."""
    if average_weekly_count is None:
        return None
    return FREQUENT_EMPLOYER_CONTACT.rating(average_weekly_count)


@dataclass(frozen=True)
class ReviewChanges:
    """What changed in a week's employer contacts since a supervisor reviewed it."""

    added: tuple[str, ...]  # ids of contacts new to the week (made, or moved into it)
    edited: tuple[str, ...]  # ids of contacts still there with another version
    removed: int  # contacts gone from the week (deleted, or moved out of it)

    def __bool__(self) -> bool:
        return bool(self.added or self.edited or self.removed)


def changes_since_review(reviewed: Mapping[str, str], now: Mapping[str, str]) -> ReviewChanges:
    """Compare the week's live contacts, id to version, when reviewed and now."""
    return ReviewChanges(
        added=tuple(sorted(set(now) - set(reviewed))),
        edited=tuple(sorted(i for i in now if i in reviewed and now[i] != reviewed[i])),
        removed=len(set(reviewed) - set(now)),
    )
