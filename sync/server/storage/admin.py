"""Administration (the command line): teams, users, enrollment codes, revocation,
and the new generation after a restore."""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from app.domain import TeamSettings, ValidationError
from sync.protocol import ENROLLMENT_CODE_LIFETIME

from ..db import (
    GENERATION,
    devices,
    enrollment_codes,
    iso,
    new_generation,
    store_meta,
    teams,
    users,
    utc_now,
)
from ..errors import AdminError
from .core import StoreCore, Team, hash_secret, new_id, team_of

ROLES = ("specialist", "supervisor", "admin")
# Enrollment codes are typed by hand: no 0/O or 1/I/L. 16 characters = 80 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


class AdminStore:
    """What the command line administers: teams, users, enrollment codes,
    revocation, and the generation."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def add_team(
        self,
        name: str,
        *,
        week_start: str = "monday",
        timezone: str = "America/Chicago",
        contact_target: int = 6,
    ) -> Team:
        name = name.strip()
        if not name:
            raise AdminError("A team needs a name.")
        team = Team(new_id(), name, _settings(week_start, timezone, contact_target))
        with self.core.writing() as (conn, _):
            if conn.execute(sa.select(teams.c.id).where(teams.c.name == name)).first():
                raise AdminError(f"A team named {name!r} already exists.")
            conn.execute(teams.insert().values(created_at=iso(utc_now()), **team.info()))
            self.core.audit(conn, "add_team", detail=name)
        return team

    def set_team(
        self,
        name: str,
        *,
        week_start: str | None = None,
        timezone: str | None = None,
        contact_target: int | None = None,
    ) -> Team:
        """Change a team's settings (those given); devices take them at their next sync."""
        if week_start is None and timezone is None and contact_target is None:
            raise AdminError("Give at least one of --week-start, --timezone, --target.")
        with self.core.writing() as (conn, _):
            row = conn.execute(sa.select(teams).where(teams.c.name == name)).first()
            if row is None:
                raise AdminError(f"There is no team named {name!r}; `users` lists the teams.")
            old = team_of(row).settings
            team = Team(
                row.id,
                row.name,
                _settings(
                    old.week_start if week_start is None else week_start,
                    old.timezone if timezone is None else timezone,
                    old.contact_target if contact_target is None else contact_target,
                ),
            )
            conn.execute(teams.update().where(teams.c.id == row.id).values(**team.info()))
            new = team.settings
            self.core.audit(
                conn,
                "set_team",
                detail=f"{name}: {new.week_start}, {new.timezone}, target {new.contact_target}",
            )
        return team

    def team_named(self, name: str) -> Team | None:
        with self.core.engine.connect() as conn:
            row = conn.execute(sa.select(teams).where(teams.c.name == name)).first()
        return team_of(row) if row else None

    def add_user(self, name: str, *, role: str, team: str, started_on: date | None = None) -> str:
        """A new user; `started_on` for a specialist who worked before enrolling."""
        name = name.strip()
        if not name:
            raise AdminError("A user needs a name.")
        if role not in ROLES:
            raise AdminError(f"{role!r} is not a role; choose one of {', '.join(ROLES)}.")
        user_id = new_id()
        with self.core.writing() as (conn, _):
            team_id = conn.execute(sa.select(teams.c.id).where(teams.c.name == team)).scalar()
            if team_id is None:
                raise AdminError(f"There is no team named {team!r}; create it with add-team.")
            if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise AdminError(f"A user named {name!r} already exists.")
            conn.execute(
                users.insert().values(
                    id=user_id,
                    name=name,
                    role=role,
                    team_id=team_id,
                    created_at=iso(utc_now()),
                    started_on=started_on.isoformat() if started_on else None,
                )
            )
            self.core.audit(conn, "add_user", user_id=user_id, detail=f"{role} of {team}")
        return user_id

    def set_user_start(self, name: str, started_on: date) -> None:
        """The day a specialist started, when before the first enrollment: the
        tallies' averages count the weeks from that day's week on."""
        with self.core.writing() as (conn, _):
            user_id = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
            if user_id is None:
                raise AdminError(f"There is no user named {name!r}; `users` lists them.")
            conn.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(started_on=started_on.isoformat())
            )
            self.core.audit(conn, "set_user", user_id=user_id, detail=f"start {started_on}")

    def user_id_named(self, name: str) -> str | None:
        with self.core.engine.connect() as conn:
            return conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()

    def make_enrollment_code(self, user_name: str, *, now: datetime | None = None) -> str:
        """A fresh single-use code for the user, valid ENROLLMENT_CODE_LIFETIME."""
        now = now or utc_now()
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        with self.core.writing() as (conn, _):
            user_id = conn.execute(sa.select(users.c.id).where(users.c.name == user_name)).scalar()
            if user_id is None:
                raise AdminError(f"There is no user named {user_name!r}; create it with add-user.")
            conn.execute(
                enrollment_codes.insert().values(
                    code_hash=hash_secret(code),
                    user_id=user_id,
                    created_at=iso(now),
                    expires_at=iso(now + ENROLLMENT_CODE_LIFETIME),
                )
            )
            self.core.audit(conn, "enrollment_code", user_id=user_id)
        return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))

    def revoke_device(self, device_id: str) -> None:
        with self.core.writing() as (conn, _):
            row = conn.execute(sa.select(devices).where(devices.c.id == device_id)).first()
            if row is None:
                raise AdminError(f"There is no device {device_id!r}; `users` lists the devices.")
            conn.execute(
                devices.update()
                .where(devices.c.id == device_id)
                .values(revoked=True, revoked_at=iso(utc_now()))
            )
            self.core.audit(conn, "revoke", user_id=row.user_id, device_id=device_id)

    def restored(self) -> None:
        """After a backup was restored: a new generation, so every cursor handed
        out before names an old one and each device's next pull starts over
        and asks it to send everything again (storage.records.PullCursor)."""
        with self.core.writing() as (conn, _):
            conn.execute(
                store_meta.update()
                .where(store_meta.c.name == GENERATION)
                .values(value=new_generation())
            )
            self.core.audit(conn, "restored")

    def list_users(self) -> list[dict[str, Any]]:
        """Every user with team and devices, for the `users` command."""
        with self.core.engine.connect() as conn:
            rows = conn.execute(
                sa.select(users, teams.c.name.label("team"))
                .join(teams, teams.c.id == users.c.team_id)
                .order_by(teams.c.name, users.c.name)
            ).all()
            device_rows = conn.execute(sa.select(devices).order_by(devices.c.enrolled_at)).all()
        by_user: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for d in device_rows:
            by_user[d.user_id].append(
                {"id": d.id, "name": d.name, "revoked": d.revoked, "last_sync": d.last_sync_at}
            )
        return [
            {"id": r.id, "name": r.name, "role": r.role, "team": r.team, "devices": by_user[r.id]}
            for r in rows
        ]


def _settings(week_start: str, timezone: str, contact_target: int) -> TeamSettings:
    """The settings as the domain checks them, or one line saying what is wrong."""
    try:
        return TeamSettings(week_start.lower(), timezone, contact_target)
    except ValidationError as exc:
        raise AdminError(f"{exc.field}: {exc.problem}.") from None
