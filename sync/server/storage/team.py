"""Supervisors' calls and the tallies: weekly counts, a specialist's week, reviews."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from app.domain import (
    Record,
    ReviewChanges,
    Tally,
    TeamSettings,
    changes_since_review,
    finished_weeks_average,
    week_tally,
    weekly_counts,
)
from sync.protocol import (
    ErrorCode,
    ReviewInfo,
    TalliesResponse,
    TallyRow,
    TeamWeekResponse,
    UserRef,
    WireRecord,
)

from ..db import devices, enrollment_codes, iso, records, users, utc_now, week_reviews
from ..errors import ProtocolError
from .core import Caller, StoreCore, Team, ms, record_of
from .due import DueStore


@dataclass(frozen=True)
class Review:
    """A supervisor's review of a specialist's week, and what it saw."""

    by: UserRef
    at: str  # ISO 8601 UTC
    count: int | None  # the week's count when reviewed; None: not kept (an old review)
    contacts: Mapping[str, str] | None  # the week's live contacts then, id to version

    def changes(self, now: Mapping[str, str]) -> ReviewChanges | None:
        """What changed since, or None when the review did not keep what it saw."""
        return None if self.contacts is None else changes_since_review(self.contacts, now)

    def changed(self, now: Mapping[str, str]) -> bool:
        changes = self.changes(now)
        return changes is None or bool(changes)

    def info(self, now: Mapping[str, str], *, detail: bool = False) -> ReviewInfo:
        """PROTOCOL.md's review object; with `detail`, what changed since it, if
        anything did, for the app to point out."""
        info: ReviewInfo = {
            "by": self.by,
            "at": self.at,
            "count": self.count,
            "changed": self.changed(now),
        }
        changes = self.changes(now)
        if detail and changes:
            info["since_review"] = {
                "added": list(changes.added),
                "edited": list(changes.edited),
                "removed": changes.removed,
            }
        return info


@dataclass(frozen=True)
class SpecialistWeek:
    """One specialist's week for the supervisor: the tally and its review."""

    user: UserRef
    tally: Tally  # live employer contacts of the week, newest first
    review: ReviewInfo | None  # Review.info with detail, or None if not reviewed


def _versions(contacts: Iterable[Record]) -> dict[str, str]:
    """Contacts as a review compares them: id to version."""
    return {record.id: record.version for record in contacts}


class TeamStore:
    """The team's weeks: tallies, a specialist's week, reviews; the tallies
    count each caseload's due items with `due`."""

    def __init__(self, core: StoreCore, due: DueStore) -> None:
        self.core = core
        self.due = due

    def _team_member(self, conn: Connection, caller: Caller, user_id: object) -> Row[Any]:
        """A user of the caller's team, for a supervisor; anything else is forbidden."""
        if not caller.is_supervisor:
            raise ProtocolError(ErrorCode.FORBIDDEN, "Only a supervisor can see the team's weeks.")
        row = None
        if isinstance(user_id, str):
            row = conn.execute(
                sa.select(users).where(users.c.id == user_id, users.c.team_id == caller.team.id)
            ).first()
        if row is None:
            raise ProtocolError(
                ErrorCode.FORBIDDEN, "That user is not on your team, so you cannot see their week."
            )
        return row

    def _contacts(
        self,
        conn: Connection,
        owner_ids: Sequence[str],
        settings: TeamSettings,
        first_week: date,
        last_week: date,
    ) -> dict[str, list[Record]]:
        """Live employer contacts of the owners that fall in the weeks, by owner."""
        start = settings.week_bounds(first_week)[0]
        end = settings.week_bounds(last_week)[1]
        rows = conn.execute(
            sa.select(records).where(
                records.c.owner_id.in_(owner_ids),
                records.c.kind == "employer_contact",
                records.c.deleted.is_(False),
                records.c.occurred_ms >= ms(start),
                records.c.occurred_ms < ms(end),
            )
        ).all()
        found: dict[str, list[Record]] = defaultdict(list)
        for row in rows:
            found[row.owner_id].append(record_of(row))
        return found

    def _weeks_of(
        self,
        conn: Connection,
        names: dict[str, str],
        settings: TeamSettings,
        week_start: date,
    ) -> list[SpecialistWeek]:
        """The week of each user (name by id), in the order given."""
        contacts = self._contacts(conn, list(names), settings, week_start, week_start)
        reviews = self._reviews(conn, list(names), [week_start])
        weeks = []
        for user_id, name in names.items():
            tally = week_tally(contacts[user_id], settings, week_start)
            review = reviews.get((user_id, week_start))
            info = review.info(_versions(tally.contacts), detail=True) if review else None
            weeks.append(SpecialistWeek({"id": user_id, "name": name}, tally, info))
        return weeks

    def tallies(self, caller: Caller, day: date | None, weeks: int) -> TalliesResponse:
        settings = caller.team.settings
        today = settings.local_date(utc_now())
        week_starts = settings.weeks_ending(day or today, weeks)
        with self.core.engine.begin() as conn:
            if caller.is_supervisor:
                names = self.core.specialists(conn, caller.team.id)
            else:
                names = {caller.user_id: caller.user_name}
            ids = list(names)
            contacts = self._contacts(conn, ids, settings, week_starts[0], week_starts[-1])
            reviews = self._reviews(conn, ids, week_starts)
            since = self.since(conn, ids, settings, today)
            due = self.due.counts(conn, ids, settings)
            device_rows = conn.execute(
                sa.select(devices.c.user_id, devices.c.pending, devices.c.last_sync_at).where(
                    devices.c.user_id.in_(ids), devices.c.revoked.is_(False)
                )
            ).all()
        pending: dict[str, int] = defaultdict(int)
        last_sync: dict[str, str] = {}
        for d in device_rows:
            pending[d.user_id] += d.pending
            if d.last_sync_at and d.last_sync_at > last_sync.get(d.user_id, ""):
                last_sync[d.user_id] = d.last_sync_at
        rows: list[TallyRow] = []
        for user_id in ids:
            counts = weekly_counts(contacts[user_id], settings, week_starts)
            average = finished_weeks_average(week_starts, counts, since=since[user_id], today=today)
            by_week: dict[date, dict[str, str]] = defaultdict(dict)
            for record in contacts[user_id]:
                week = settings.week_of_instant(record.data["occurred_at"])
                by_week[week][record.id] = record.version
            rows.append(
                {
                    "user": {"id": user_id, "name": names[user_id]},
                    "counts": counts,
                    "average": None if average is None else round(average, 2),
                    "since": since[user_id].isoformat(),
                    "pending": pending[user_id],
                    "last_sync": last_sync.get(user_id),
                    "due": due[user_id],
                    "reviews": [
                        reviews[user_id, week].info(by_week[week])
                        if (user_id, week) in reviews
                        else None
                        for week in week_starts
                    ],
                }
            )
        return {
            "team": caller.team.info(),
            "target": settings.contact_target,
            "weeks": [w.isoformat() for w in week_starts],
            "rows": rows,
        }

    def since(
        self, conn: Connection, user_ids: Sequence[str], settings: TeamSettings, today: date
    ) -> dict[str, date]:
        """The first week each user worked with the app: the week of the start an
        admin gave, else of the first enrollment, else (never enrolled) this week."""
        rows = conn.execute(
            sa.select(
                users.c.id,
                users.c.started_on,
                sa.func.min(enrollment_codes.c.used_at).label("first_enrolled"),
            )
            .select_from(
                users.outerjoin(enrollment_codes, enrollment_codes.c.user_id == users.c.id)
            )
            .where(users.c.id.in_(user_ids))
            .group_by(users.c.id, users.c.started_on)
        )
        since = {}
        for row in rows:
            if row.started_on:
                first_day = date.fromisoformat(row.started_on)
            elif row.first_enrolled:
                first_day = settings.local_date(row.first_enrolled)
            else:
                first_day = today
            since[row.id] = settings.week_of(first_day)
        return since

    def specialist_week(
        self, caller: Caller, user_id: object, day: date | None
    ) -> TeamWeekResponse:
        """One specialist's week for the caller (a supervisor); the read is audited."""
        settings = caller.team.settings
        week_start = settings.week_of(day or settings.local_date(utc_now()))
        with self.core.writing() as (conn, _):
            user = self._team_member(conn, caller, user_id)
            (week,) = self._weeks_of(conn, {user.id: user.name}, settings, week_start)
            self.core.audit(
                conn,
                "team_week",
                user_id=caller.user_id,
                device_id=caller.device_id,
                count=len(week.tally.contacts),
                detail=f"{user.id} {week_start.isoformat()}",
            )
        return {
            "user": week.user,
            "week_start": week_start.isoformat(),
            "count": week.tally.count,
            "target": week.tally.target,
            # The domain writes PROTOCOL.md's shape; it imports no sync.protocol.
            "contacts": cast(list[WireRecord], [r.to_wire() for r in week.tally.contacts]),
            "review": week.review,
        }

    def specialist_weeks(
        self, team: Team, day: date, *, caller: Caller | None = None
    ) -> list[SpecialistWeek]:
        """Every specialist of the team with the week holding `day`, for the
        tracking form. Audited as an export by the caller (None: the command line)."""
        week_start = team.settings.week_of(day)
        with self.core.writing() as (conn, _):
            weeks = self._weeks_of(
                conn, self.core.specialists(conn, team.id), team.settings, week_start
            )
            self.core.audit(
                conn,
                "export",
                user_id=caller.user_id if caller else None,
                device_id=caller.device_id if caller else None,
                count=sum(len(w.tally.contacts) for w in weeks),
                detail=f"{team.name} {week_start.isoformat()}",
            )
        return weeks

    def review(self, caller: Caller, user_id: object, day: date) -> ReviewInfo:
        """Mark a specialist's week reviewed by the caller, keeping what was
        reviewed. Reviewing again records a new review only if the week changed."""
        settings = caller.team.settings
        week_start = settings.week_of(day)
        with self.core.writing() as (conn, _):
            user = self._team_member(conn, caller, user_id)
            contacts = self._contacts(conn, [user.id], settings, week_start, week_start)
            tally = week_tally(contacts[user.id], settings, week_start)
            now = _versions(tally.contacts)
            review = self._reviews(conn, [user.id], [week_start]).get((user.id, week_start))
            if review is None or review.changed(now):
                review = Review(
                    {"id": caller.user_id, "name": caller.user_name},
                    iso(utc_now()),
                    tally.count,
                    now,
                )
                conn.execute(
                    week_reviews.insert().values(
                        user_id=user.id,
                        week_start=week_start.isoformat(),
                        reviewed_by=caller.user_id,
                        reviewed_at=review.at,
                        count=review.count,
                        contacts=json.dumps(now, sort_keys=True),
                    )
                )
                self.core.audit(
                    conn,
                    "review",
                    user_id=caller.user_id,
                    device_id=caller.device_id,
                    count=tally.count,
                    detail=f"{user.id} {week_start.isoformat()}",
                )
        return review.info(now)

    def _reviews(
        self, conn: Connection, user_ids: Sequence[str], week_starts: Sequence[date]
    ) -> dict[tuple[str, date], Review]:
        """The latest review of each of the users' weeks, by (user id, week start)."""
        reviewer = users.alias("reviewer")
        rows = conn.execute(
            sa.select(
                week_reviews.c.user_id,
                week_reviews.c.week_start,
                week_reviews.c.reviewed_by,
                week_reviews.c.reviewed_at,
                week_reviews.c.count.label("reviewed_count"),  # Row.count is tuple's
                week_reviews.c.contacts,
                reviewer.c.name.label("reviewer_name"),
            )
            .join(reviewer, reviewer.c.id == week_reviews.c.reviewed_by)
            .where(
                week_reviews.c.user_id.in_(user_ids),
                week_reviews.c.week_start.in_([w.isoformat() for w in week_starts]),
            )
            .order_by(week_reviews.c.id)
        )
        latest = {}
        for row in rows:
            latest[(row.user_id, date.fromisoformat(row.week_start))] = Review(
                {"id": row.reviewed_by, "name": row.reviewer_name},
                row.reviewed_at,
                row.reviewed_count,
                None if row.contacts is None else json.loads(row.contacts),
            )
        return latest
