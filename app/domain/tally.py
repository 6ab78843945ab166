"""The weekly employer-contact tally: the counting rule of PROTOCOL.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .records import Record, sort_newest_first
from .weeks import TeamSettings

# IPS Fidelity Scale, frequent employer contact: (lowest average weekly count, rating).
# Anchors below 5 are recalled, not checked against the published scale:
# kept here as data so they can be corrected without touching the logic.
EMPLOYER_CONTACT_FIDELITY: tuple[tuple[float, int], ...] = ((6, 5), (5, 4), (4, 3), (2, 2), (0, 1))


def counts_toward_target(record: Record) -> bool:
    """Face to face and not deleted. Generic and member-specific contacts both
    count, and a second visit to one employer in a week counts again."""
    return (
        record.kind == "employer_contact"
        and not record.deleted
        and record.data.get("face_to_face") is True
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


def fidelity_rating(average_weekly_count: float) -> int:
    """The fidelity rating (1-5) for a team's average weekly contact count."""
    for lowest, rating in EMPLOYER_CONTACT_FIDELITY:
        if average_weekly_count >= lowest:
            return rating
    return 1
