"""What every part of the central store shares: the engine, the one write
transaction, the audit log, the team's specialists, and the caller and team
every call speaks of."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from app.domain import Record, TeamSettings
from sync.protocol import ErrorCode, TeamInfo

from ..db import audit_log, create_engine, iso, migrate, seq_counter, users, utc_now
from ..errors import AdminError, ProtocolError

# A no-op write that takes the seq counter's row lock and reads the last seq.
TAKE_SEQ_LOCK = (
    seq_counter.update().values(value=seq_counter.c.value).returning(seq_counter.c.value)
)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_id() -> str:
    return str(uuid.uuid4())


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    settings: TeamSettings

    def info(self) -> TeamInfo:
        return {
            "id": self.id,
            "name": self.name,
            "week_start": self.settings.week_start,
            "timezone": self.settings.timezone,
            "contact_target": self.settings.contact_target,
        }


@dataclass(frozen=True)
class Caller:
    """The user and device behind an authenticated request."""

    user_id: str
    user_name: str
    role: str
    team: Team
    device_id: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    def supervised_team(
        self, team_id: str | None = None, *, action: str = "export", thing: str = "week"
    ) -> Team:
        """The caller's team (or the team named by id) if the caller supervises
        it; a refusal says what the caller meant to do with which of its things."""
        if not self.is_supervisor:
            raise ProtocolError(
                ErrorCode.FORBIDDEN, f"Only a supervisor can {action} the team's {thing}."
            )
        if team_id not in (None, self.team.id):
            raise ProtocolError(
                ErrorCode.FORBIDDEN,
                f"You supervise another team, so you cannot {action} this one's {thing}.",
            )
        return self.team


def team_of(row: Row[Any]) -> Team:
    return Team(row.id, row.name, TeamSettings(row.week_start, row.timezone, row.contact_target))


def record_of(row: Row[Any]) -> Record:
    return Record(row.id, row.kind, row.version, row.deleted, json.loads(row.data))


class StoreCore:
    """The engine and the one way to write: `writing()`, then `audit` within it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Writers of this process queue on it (see `writing`); the group
        # committer of pushes takes it for each group.
        self.writer = threading.Lock()

    @classmethod
    def open(cls, database_url: str) -> Self:
        """Connect and bring the schema up to date."""
        engine = create_engine(database_url)
        try:
            migrate(engine)
        except sa.exc.OperationalError as exc:
            engine.dispose()
            raise AdminError(f"Cannot open the database: {exc.orig}") from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def writing(self) -> Iterator[tuple[Connection, int]]:
        """A write transaction holding the seq counter's lock; yields the last seq.

        Taking the lock first serialises writers on both databases, so seqs
        commit in order (see db.seq_counter) and SQLite never has to upgrade a
        read lock mid-transaction. Writers of this process queue on a thread
        lock before that: a waiting thread then holds no pooled connection, and
        the next one starts the moment the last commits, where SQLite's busy
        handler would poll with sleeps of up to 100 ms.
        """
        with self.writer, self.engine.begin() as conn:
            yield conn, conn.execute(TAKE_SEQ_LOCK).scalar_one()

    def specialists(self, conn: Connection, team_id: str) -> dict[str, str]:
        """The team's specialists, name by id, in order of name."""
        rows = conn.execute(
            sa.select(users.c.id, users.c.name)
            .where(users.c.team_id == team_id, users.c.role == "specialist")
            .order_by(users.c.name)
        )
        return {row.id: row.name for row in rows}

    def audit_refusal(
        self,
        status: int,
        code: str,
        request_line: str,
        *,
        user_id: str | None = None,
        device_id: str | None = None,
    ) -> None:
        """An answer refusing a caller (401, 403, 410): which, to whom (when
        known), and the method and path; never a token or a query's values."""
        with self.writing() as (conn, _):
            self.audit(
                conn,
                "refused",
                user_id=user_id,
                device_id=device_id,
                detail=f"{status} {code} {request_line}",
            )

    def audit(
        self,
        conn: Connection,
        action: str,
        *,
        user_id: str | None = None,
        device_id: str | None = None,
        count: int = 0,
        detail: str = "",
    ) -> None:
        """A row of the audit log, written with the transaction of `conn`."""
        conn.execute(audit_log.insert(), audit_row(action, user_id, device_id, count, detail))


def audit_row(
    action: str, user_id: str | None, device_id: str | None, count: int = 0, detail: str = ""
) -> dict[str, Any]:
    """A row of the audit log, stamped now (pushes committed together write
    theirs in one statement)."""
    return {
        "at": iso(utc_now()),
        "action": action,
        "user_id": user_id,
        "device_id": device_id,
        "count": count,
        "detail": detail,
    }
