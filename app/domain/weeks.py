"""Team settings and weeks: which week a contact falls in.

A week runs from the team's start day 00:00 to the next one, in the team's
time zone. Working on local calendar dates keeps this right across DST changes
(a week may then be 167 or 169 hours long) and across year ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ValidationError
from .kinds import parse_datetime

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_TARGET = 6


@dataclass(frozen=True)
class TeamSettings:
    """The three settings a team chooses: PROTOCOL.md's team object."""

    week_start: str = "monday"
    timezone: str = "America/Chicago"
    contact_target: int = DEFAULT_TARGET

    def __post_init__(self) -> None:
        if self.week_start not in WEEKDAYS:
            raise ValidationError(
                "week_start",
                f"{self.week_start!r} is not a day; choose one of {', '.join(WEEKDAYS)}",
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                "timezone", f"{self.timezone!r} is not a known time zone, like America/Chicago"
            ) from None
        target = self.contact_target
        if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= 50:
            raise ValidationError(
                "contact_target", f"{target!r} must be a whole number from 1 to 50"
            )

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, at: datetime | str) -> date:
        instant = parse_datetime(at) if isinstance(at, str) else at
        return instant.astimezone(self.zone).date()

    def week_of(self, day: date) -> date:
        """The first day of the week holding `day`."""
        offset = (day.weekday() - WEEKDAYS.index(self.week_start)) % 7
        return day - timedelta(days=offset)

    def week_of_instant(self, at: datetime | str) -> date:
        return self.week_of(self.local_date(at))

    def week_bounds(self, week_start: date) -> tuple[datetime, datetime]:
        """The week's first and past-the-last instant, in UTC (aware datetimes in
        one zone subtract as wall time, which would hide a DST hour)."""
        start = datetime.combine(week_start, time(0), tzinfo=self.zone)
        end = datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def weeks_ending(self, day: date, count: int) -> list[date]:
        """Start dates of `count` weeks ending with the week holding `day`, oldest first."""
        last = self.week_of(day)
        return [last - timedelta(weeks=n) for n in range(count - 1, -1, -1)]

    def days_left(self, now: datetime) -> int:
        """Days left in the current week, today included."""
        today = self.local_date(now)
        return 7 - (today - self.week_of(today)).days
