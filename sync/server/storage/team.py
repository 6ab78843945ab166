"""Supervisors' calls and the tallies: weekly counts, a specialist's week, reviews."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from app.domain import Record, Tally, TeamSettings, week_tally, weekly_counts
from sync.protocol import ErrorCode

from ..db import devices, iso, records, reviews, users, utc_now
from ..errors import ProtocolError
from .core import Caller, StoreCore, Team, ms, record_of


@dataclass(frozen=True)
class SpecialistWeek:
    """One specialist's week for the supervisor: the tally and who reviewed it."""

    user: dict[str, str]  # id, name
    tally: Tally  # live employer contacts of the week, newest first
    review: dict[str, Any] | None  # {"by": {id, name}, "at": ISO UTC} or None


class TeamStore(StoreCore):
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

    def _specialists(self, conn: Connection, team_id: str) -> dict[str, str]:
        """The team's specialists, name by id, in order of name."""
        rows = conn.execute(
            sa.select(users.c.id, users.c.name)
            .where(users.c.team_id == team_id, users.c.role == "specialist")
            .order_by(users.c.name)
        )
        return {row.id: row.name for row in rows}

    def _weeks_of(
        self,
        conn: Connection,
        names: dict[str, str],
        settings: TeamSettings,
        week_start: date,
    ) -> list[SpecialistWeek]:
        """The week of each user (name by id), in the order given."""
        contacts = self._contacts(conn, list(names), settings, week_start, week_start)
        return [
            SpecialistWeek(
                {"id": user_id, "name": name},
                week_tally(contacts[user_id], settings, week_start),
                self._review(conn, user_id, week_start),
            )
            for user_id, name in names.items()
        ]

    def tallies(self, caller: Caller, day: date | None, weeks: int) -> dict[str, Any]:
        settings = caller.team.settings
        day = day or settings.local_date(utc_now())
        week_starts = settings.weeks_ending(day, weeks)
        with self.engine.begin() as conn:
            if caller.is_supervisor:
                names = self._specialists(conn, caller.team.id)
            else:
                names = {caller.user_id: caller.user_name}
            ids = list(names)
            contacts = self._contacts(conn, ids, settings, week_starts[0], week_starts[-1])
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
        rows = []
        for user_id in ids:
            counts = weekly_counts(contacts[user_id], settings, week_starts)
            rows.append(
                {
                    "user": {"id": user_id, "name": names[user_id]},
                    "counts": counts,
                    "average": round(sum(counts) / len(counts), 2),
                    "pending": pending[user_id],
                    "last_sync": last_sync.get(user_id),
                }
            )
        return {
            "team": caller.team.info(),
            "target": settings.contact_target,
            "weeks": [w.isoformat() for w in week_starts],
            "rows": rows,
        }

    def team_week(self, caller: Caller, user_id: object, day: date | None) -> dict[str, Any]:
        """One specialist's week for the caller (a supervisor); the read is audited."""
        settings = caller.team.settings
        week_start = settings.week_of(day or settings.local_date(utc_now()))
        with self.writing() as (conn, _):
            user = self._team_member(conn, caller, user_id)
            (week,) = self._weeks_of(conn, {user.id: user.name}, settings, week_start)
            self._audit(
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
            "contacts": [r.to_wire() for r in week.tally.contacts],
            "review": week.review,
        }

    def supervised_team(self, caller: Caller, team_id: str | None = None) -> Team:
        """The caller's team (or the team named by id) if the caller supervises it."""
        if not caller.is_supervisor:
            raise ProtocolError(
                ErrorCode.FORBIDDEN, "Only a supervisor can export the team's week."
            )
        if team_id not in (None, caller.team.id):
            raise ProtocolError(
                ErrorCode.FORBIDDEN, "You supervise another team, so you cannot export this one."
            )
        return caller.team

    def specialist_weeks(
        self, team: Team, day: date, *, caller: Caller | None = None
    ) -> list[SpecialistWeek]:
        """Every specialist of the team with the week holding `day`, for the
        tracking form. Audited as an export by the caller (None: the command line)."""
        week_start = team.settings.week_of(day)
        with self.writing() as (conn, _):
            weeks = self._weeks_of(
                conn, self._specialists(conn, team.id), team.settings, week_start
            )
            self._audit(
                conn,
                "export",
                user_id=caller.user_id if caller else None,
                device_id=caller.device_id if caller else None,
                count=sum(len(w.tally.contacts) for w in weeks),
                detail=f"{team.name} {week_start.isoformat()}",
            )
        return weeks

    def review(self, caller: Caller, user_id: object, day: date) -> dict[str, Any]:
        """Mark a specialist's week reviewed by the caller; the first review stands."""
        week_start = caller.team.settings.week_of(day)
        with self.writing() as (conn, _):
            user = self._team_member(conn, caller, user_id)
            existing = self._review(conn, user.id, week_start)
            if existing is not None:
                return existing
            conn.execute(
                reviews.insert().values(
                    user_id=user.id,
                    week_start=week_start.isoformat(),
                    reviewed_by=caller.user_id,
                    reviewed_at=iso(utc_now()),
                )
            )
            self._audit(
                conn,
                "review",
                user_id=caller.user_id,
                device_id=caller.device_id,
                detail=f"{user.id} {week_start.isoformat()}",
            )
            review = self._review(conn, user.id, week_start)
        assert review is not None
        return review

    def _review(self, conn: Connection, user_id: str, week_start: date) -> dict[str, Any] | None:
        row = conn.execute(
            sa.select(reviews.c.reviewed_at, users.c.id, users.c.name)
            .join(users, users.c.id == reviews.c.reviewed_by)
            .where(reviews.c.user_id == user_id, reviews.c.week_start == week_start.isoformat())
        ).first()
        if row is None:
            return None
        return {"by": {"id": row.id, "name": row.name}, "at": row.reviewed_at}
