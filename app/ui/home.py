"""Home as plain Python (no flet): this week's count against the target, what
it still needs and the days left, the last eight weeks, and any items on the
phone that could not be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.store import Store

from . import text


@dataclass(frozen=True)
class HomeSummary:
    tally: str  # "N of 6"
    progress: float  # 0..1 for the ring
    status: str
    days_left: str
    weeks: list[tuple[date, int]]  # last 8 weeks, oldest first
    target: int
    unreadable: str | None  # items on the phone that failed their integrity check

    @classmethod
    def of(cls, store: Store, now: datetime) -> HomeSummary:
        tally = store.week_tally(now)
        damaged = len(store.damaged())
        return cls(
            tally=text.tally_text(tally),
            progress=min(1.0, tally.count / tally.target),
            status=text.tally_status(tally),
            days_left=text.days_left_text(store.settings.days_left(now)),
            weeks=store.weekly_counts(now, weeks=8),
            target=tally.target,
            unreadable=(f"{text.plural(damaged, 'item')} on this phone could not be read and "
                        "are left out of the counts. What was synced is safe on the server; "
                        "tell your supervisor." if damaged else None),
        )
