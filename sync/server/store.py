"""The central store: teams, users, devices and records, over SQLAlchemy Core.

`CentralStore` is what the HTTP routes and the command line call; it speaks in
domain terms and raises ProtocolError (for devices) or AdminError (for the
command line). Every rule about records comes from `app.domain`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from app.domain import (
    Record,
    Tally,
    TeamSettings,
    UnknownKindError,
    ValidationError,
    kind_spec,
    parse_version,
    week_tally,
    weekly_counts,
)
from app.domain.kinds import parse_datetime
from sync.protocol import (
    CLOCK_AHEAD_LIMIT,
    ENROLLMENT_CODE_LIFETIME,
    ErrorCode,
    PushResult,
    PushStatus,
    error_body,
)

from .db import (
    audit_log,
    conflicts,
    create_engine,
    devices,
    enrollment_codes,
    iso,
    migrate,
    records,
    reviews,
    seq_counter,
    teams,
    users,
    utc_now,
)
from .errors import AdminError, ProtocolError

ROLES = ("specialist", "supervisor", "admin")
# Enrollment codes are typed by hand: no 0/O or 1/I/L. 16 characters = 80 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
FOREIGN_RECORD = "This record belongs to another user, so it was not saved."


# A no-op write that takes the seq counter's row lock and reads the last seq.
_TAKE_SEQ_LOCK = (
    seq_counter.update().values(value=seq_counter.c.value).returning(seq_counter.c.value)
)


# Statements every push or call runs, built once so SQLAlchemy reuses their
# compiled form instead of rebuilding them per request (a quarter of a push's CPU).
_RECORDS_BY_ID = sa.select(records).where(records.c.id.in_(sa.bindparam("ids", expanding=True)))
_LOGGED_LOSERS = sa.select(conflicts.c.record_id, conflicts.c.version).where(
    conflicts.c.record_id.in_(sa.bindparam("ids", expanding=True))
)
_UPDATE_RECORD = records.update().where(records.c.id == sa.bindparam("b_id"))
_DEVICE_SYNCED = (
    devices.update()
    .where(devices.c.id == sa.bindparam("b_device"))
    .values(
        last_sync_at=sa.bindparam("b_at"),
        # A push without `pending` keeps the last reported count.
        pending=sa.func.coalesce(sa.bindparam("b_pending", type_=sa.Integer), devices.c.pending),
    )
)
_CALLER_BY_TOKEN = (
    sa.select(
        devices.c.id.label("device_id"),
        devices.c.revoked,
        users.c.id.label("user_id"),
        users.c.name.label("user_name"),
        users.c.role,
        teams,
    )
    .join(users, users.c.id == devices.c.user_id)
    .join(teams, teams.c.id == users.c.team_id)
    .where(devices.c.token_hash == sa.bindparam("token_hash"))
)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_id() -> str:
    return str(uuid.uuid4())


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    settings: TeamSettings

    def info(self) -> dict[str, Any]:
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


@dataclass(frozen=True)
class SpecialistWeek:
    """One specialist's week for the supervisor: the tally and who reviewed it."""

    user: dict[str, str]  # id, name
    tally: Tally  # live employer contacts of the week, newest first
    review: dict[str, Any] | None  # {"by": {id, name}, "at": ISO UTC} or None


def _team(row: Row[Any]) -> Team:
    return Team(row.id, row.name, TeamSettings(row.week_start, row.timezone, row.contact_target))


def _record(row: Row[Any]) -> Record:
    return Record(row.id, row.kind, row.version, row.deleted, json.loads(row.data))


def _occurred_ms(record: Record) -> int | None:
    spec = kind_spec(record.kind)
    value = record.data.get(spec.time_field) if spec.time_field else None
    if value is None:
        return None
    try:
        return int(parse_datetime(value).timestamp() * 1000)
    except ValidationError:  # tombstones are not validated
        return None


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass(eq=False)
class _PushJob:
    """One push waiting for a group commit, and what became of it."""

    caller: Caller
    checked: list[Any]  # a Record, or the rejected result of a bad change
    data_json: list[str | None]  # each Record's data, serialised once when checked
    pending: int | None
    now: datetime
    results: list[PushResult] = field(default_factory=list)
    error: Exception | None = None
    finished: bool = False


class CentralStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = threading.Lock()
        self._queue_lock = threading.Lock()
        self._push_queue: list[_PushJob] = []

    @classmethod
    def open(cls, database_url: str) -> CentralStore:
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
        with self._writer, self.engine.begin() as conn:
            yield conn, conn.execute(_TAKE_SEQ_LOCK).scalar_one()

    def _audit(
        self,
        conn: Connection,
        action: str,
        *,
        user_id: str | None = None,
        device_id: str | None = None,
        count: int = 0,
        detail: str = "",
    ) -> None:
        conn.execute(
            audit_log.insert(),
            {
                "at": iso(utc_now()),
                "action": action,
                "user_id": user_id,
                "device_id": device_id,
                "count": count,
                "detail": detail,
            },
        )

    # --- Administration (the command line) ---------------------------------------

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
        try:
            settings = TeamSettings(week_start.lower(), timezone, contact_target)
        except ValidationError as exc:
            raise AdminError(f"{exc.field}: {exc.problem}") from None
        team = Team(new_id(), name, settings)
        with self.writing() as (conn, _):
            if conn.execute(sa.select(teams.c.id).where(teams.c.name == name)).first():
                raise AdminError(f"A team named {name!r} already exists.")
            conn.execute(teams.insert().values(created_at=iso(utc_now()), **team.info()))
            self._audit(conn, "add_team", detail=name)
        return team

    def team_named(self, name: str) -> Team | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(teams).where(teams.c.name == name)).first()
        return _team(row) if row else None

    def add_user(self, name: str, *, role: str, team: str) -> str:
        name = name.strip()
        if not name:
            raise AdminError("A user needs a name.")
        if role not in ROLES:
            raise AdminError(f"{role!r} is not a role; choose one of {', '.join(ROLES)}.")
        user_id = new_id()
        with self.writing() as (conn, _):
            team_id = conn.execute(sa.select(teams.c.id).where(teams.c.name == team)).scalar()
            if team_id is None:
                raise AdminError(f"There is no team named {team!r}; create it with add-team.")
            if conn.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise AdminError(f"A user named {name!r} already exists.")
            conn.execute(
                users.insert().values(
                    id=user_id, name=name, role=role, team_id=team_id, created_at=iso(utc_now())
                )
            )
            self._audit(conn, "add_user", user_id=user_id, detail=f"{role} of {team}")
        return user_id

    def user_id_named(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()

    def make_enrollment_code(self, user_name: str, *, now: datetime | None = None) -> str:
        """A fresh single-use code for the user, valid ENROLLMENT_CODE_LIFETIME."""
        now = now or utc_now()
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        with self.writing() as (conn, _):
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
            self._audit(conn, "enrollment_code", user_id=user_id)
        return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))

    def revoke_device(self, device_id: str) -> None:
        with self.writing() as (conn, _):
            row = conn.execute(sa.select(devices).where(devices.c.id == device_id)).first()
            if row is None:
                raise AdminError(f"There is no device {device_id!r}; `users` lists the devices.")
            conn.execute(
                devices.update()
                .where(devices.c.id == device_id)
                .values(revoked=True, revoked_at=iso(utc_now()))
            )
            self._audit(conn, "revoke", user_id=row.user_id, device_id=device_id)

    def list_users(self) -> list[dict[str, Any]]:
        """Every user with team and devices, for the `users` command."""
        with self.engine.connect() as conn:
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

    # --- Devices ------------------------------------------------------------------

    def enroll(
        self, code: str, device_id: str, device_name: str, *, now: datetime | None = None
    ) -> tuple[str, dict[str, Any], Team]:
        """Spend an enrollment code on a device: returns (token, user info, team)."""
        now = now or utc_now()
        code_hash = hash_secret(_normalise_code(code))
        token = secrets.token_urlsafe(32)  # 256 bits
        with self.writing() as (conn, _):
            found = conn.execute(
                sa.select(enrollment_codes).where(enrollment_codes.c.code_hash == code_hash)
            ).first()
            if found is None or found.used_at is not None or found.expires_at <= iso(now):
                raise ProtocolError(ErrorCode.ENROLLMENT_CODE_INVALID)
            user = conn.execute(sa.select(users).where(users.c.id == found.user_id)).one()
            team = _team(conn.execute(sa.select(teams).where(teams.c.id == user.team_id)).one())
            conn.execute(
                enrollment_codes.update()
                .where(enrollment_codes.c.code_hash == code_hash)
                .values(used_at=iso(now), device_id=device_id)
            )
            # A device enrolled again (after a reset) gets a new token and owner.
            conn.execute(devices.delete().where(devices.c.id == device_id))
            conn.execute(
                devices.insert().values(
                    id=device_id,
                    user_id=user.id,
                    name=device_name,
                    token_hash=hash_secret(token),
                    revoked=False,
                    enrolled_at=iso(now),
                    pending=0,
                )
            )
            self._audit(conn, "enroll", user_id=user.id, device_id=device_id, detail=device_name)
        return token, {"id": user.id, "name": user.name, "role": user.role}, team

    def device_name(self, device_id: str) -> str:
        with self.engine.connect() as conn:
            name = conn.execute(sa.select(devices.c.name).where(devices.c.id == device_id))
            return str(name.scalar_one())

    def authenticate(self, token: str) -> Caller:
        with self.engine.connect() as conn:
            row = conn.execute(_CALLER_BY_TOKEN, {"token_hash": hash_secret(token)}).first()
        if row is None:
            raise ProtocolError(ErrorCode.TOKEN_INVALID)
        if row.revoked:
            raise ProtocolError(ErrorCode.DEVICE_REVOKED)
        return Caller(row.user_id, row.user_name, row.role, _team(row), row.device_id)

    # --- Push and pull ------------------------------------------------------------

    def push(
        self,
        caller: Caller,
        changes: Sequence[object],
        pending: int | None,
        *,
        now: datetime | None = None,
    ) -> list[PushResult]:
        """Apply a batch, each change on its own merit (last writer wins by version).

        Pushes that arrive while another is committing wait, then commit
        together: one transaction and one disk sync for all of them (group
        commit), each push in its own savepoint, so a failure in one stores
        nothing of it and the device resends, which is safe because applying
        a change twice is a no-op.
        """
        now = now or utc_now()
        latest_allowed_ms = _ms(now + CLOCK_AHEAD_LIMIT)
        checks = [_check_change(c, latest_allowed_ms) for c in changes]
        job = _PushJob(caller, [c for c, _ in checks], [j for _, j in checks], pending, now)
        with self._queue_lock:
            self._push_queue.append(job)
        with self._writer:
            if not job.finished:
                self._commit_waiting_pushes()
        if job.error is not None:
            raise job.error
        return job.results

    def _commit_waiting_pushes(self) -> None:
        """Apply every queued push in one transaction (the caller holds the writer lock)."""
        with self._queue_lock:
            group, self._push_queue = self._push_queue, []
        try:
            with self.engine.begin() as conn:
                seq = conn.execute(_TAKE_SEQ_LOCK).scalar_one()
                for job in group:
                    savepoint = conn.begin_nested()
                    try:
                        job.results, seq = self._apply_push(conn, seq, job)
                    except Exception as error:  # this push alone fails; the device resends
                        savepoint.rollback()
                        job.error = error
                    else:
                        savepoint.commit()
                conn.execute(seq_counter.update().values(value=seq))
        except Exception as error:
            for job in group:
                job.error = job.error or error
        finally:
            for job in group:
                job.finished = True

    def _apply_push(
        self, conn: Connection, seq: int, job: _PushJob
    ) -> tuple[list[PushResult], int]:
        """One push's changes, in the open transaction; returns results and the last seq."""
        caller, checked, pending, now = job.caller, job.checked, job.pending, job.now
        ids = list({c.id for c in checked if isinstance(c, Record)})
        results: list[PushResult] = []
        # The current row per id, updated as the batch goes (an id may come twice).
        current: dict[str, dict[str, Any]] = {
            row.id: row._asdict() for row in conn.execute(_RECORDS_BY_ID, {"ids": ids})
        }
        new_ids = {rid for rid in ids if rid not in current}
        # Only a stored record can have losers logged already.
        logged = set(
            conn.execute(_LOGGED_LOSERS, {"ids": list(current)}).tuples() if current else ()
        )
        written: set[str] = set()
        losers: list[dict[str, Any]] = []

        def keep_loser(loser: dict[str, Any], winner_version: str, reason: str) -> None:
            if (loser["id"], loser["version"]) not in logged:
                logged.add((loser["id"], loser["version"]))
                losers.append(
                    {
                        **{k: loser[k] for k in ("kind", "version", "deleted", "data")},
                        "record_id": loser["id"],
                        "owner_id": loser["owner_id"],
                        "winner_version": winner_version,
                        "reason": reason,
                        "device_id": caller.device_id,
                        "logged_at": iso(now),
                    }
                )

        now_iso = iso(now)
        for item, data_json in zip(checked, job.data_json, strict=True):
            if not isinstance(item, Record):
                results.append(item)
                continue
            row = _row_of(item, caller.user_id, now_iso, data_json)
            stored = current.get(item.id)
            status = PushStatus.APPLIED
            if stored is None:
                pass
            elif stored["owner_id"] != caller.user_id:
                results.append(_rejected(item.id, ErrorCode.FORBIDDEN, FOREIGN_RECORD))
                continue
            elif stored["kind"] != item.kind:
                message = f"kind: this record is a {stored['kind']} and cannot change kind."
                results.append(_rejected(item.id, ErrorCode.INVALID, message, field="kind"))
                continue
            elif item.version == stored["version"]:
                status = PushStatus.DUPLICATE
            elif item.version < stored["version"]:
                status = PushStatus.STALE
                keep_loser(row, stored["version"], "stale")
            elif _device_of(stored["version"]) != _device_of(item.version):
                # Another device's version loses. A device's own earlier
                # version is an edit it has seen, not a conflict.
                keep_loser(stored, item.version, "superseded")
            if status is PushStatus.APPLIED:
                seq += 1
                current[item.id] = {**row, "seq": seq}
                written.add(item.id)
            results.append({"id": item.id, "status": status})

        inserts = [current[rid] for rid in written & new_ids]
        updates = [{**current[rid], "b_id": rid} for rid in written - new_ids]
        if inserts:
            conn.execute(records.insert(), inserts)
        if updates:
            conn.execute(_UPDATE_RECORD, updates)
        if losers:
            conn.execute(conflicts.insert(), losers)
        conn.execute(
            _DEVICE_SYNCED,
            {"b_device": caller.device_id, "b_at": iso(now), "b_pending": pending},
        )
        self._audit(
            conn,
            "push",
            user_id=caller.user_id,
            device_id=caller.device_id,
            count=len(checked),
            detail=f"{len(written)} applied",
        )
        return results, seq

    def pull(
        self, caller: Caller, after: int | None, limit: int
    ) -> tuple[list[dict[str, Any]], int, bool]:
        """The caller's records changed after seq `after`: (changes, next seq, more)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(records)
                .where(records.c.owner_id == caller.user_id, records.c.seq > (after or 0))
                .order_by(records.c.seq)
                .limit(limit + 1)
            ).all()
            if rows:
                next_seq = rows[:limit][-1].seq
            elif after is not None:
                next_seq = after
            else:
                next_seq = conn.execute(sa.select(seq_counter.c.value)).scalar_one()
        more = len(rows) > limit
        changes = [{**_record(row).to_wire(), "seq": row.seq} for row in rows[:limit]]
        with self.writing() as (conn, _):
            conn.execute(
                devices.update()
                .where(devices.c.id == caller.device_id)
                .values(last_sync_at=iso(utc_now()))
            )
            self._audit(
                conn, "pull", user_id=caller.user_id, device_id=caller.device_id, count=len(changes)
            )
        return changes, next_seq, more

    # --- Supervisors: tallies and reviews ----------------------------------------

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
                records.c.occurred_ms >= _ms(start),
                records.c.occurred_ms < _ms(end),
            )
        ).all()
        found: dict[str, list[Record]] = defaultdict(list)
        for row in rows:
            found[row.owner_id].append(_record(row))
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
        settings = caller.team.settings
        week_start = settings.week_of(day or settings.local_date(utc_now()))
        with self.engine.begin() as conn:
            user = self._team_member(conn, caller, user_id)
            (week,) = self._weeks_of(conn, {user.id: user.name}, settings, week_start)
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


def _row_of(record: Record, owner_id: str, now_iso: str, data_json: str | None) -> dict[str, Any]:
    """The records-table row for a change pushed by owner_id."""
    return {
        "id": record.id,
        "owner_id": owner_id,
        "kind": record.kind,
        "version": record.version,
        "deleted": record.deleted,
        "data": data_json,
        "occurred_ms": _occurred_ms(record),
        "updated_at": now_iso,
    }


def _device_of(version: str) -> str:
    return parse_version(version)[1]


def _rejected(
    record_id: Any, code: ErrorCode, message: str | None = None, *, field: str | None = None
) -> PushResult:
    return {
        "id": record_id,
        "status": PushStatus.REJECTED,
        "error": error_body(code, message, field=field),
    }


def _check_change(change: object, latest_allowed_ms: int) -> tuple[Record | PushResult, str | None]:
    """The change as a Record with its data serialised for storage, or the
    rejection saying why not."""
    raw_id = change.get("id") if isinstance(change, dict) else None
    try:
        record = Record.from_wire(change)
    except UnknownKindError as exc:
        return _rejected(raw_id, ErrorCode.UNKNOWN_KIND, f"{exc.problem}.", field="kind"), None
    except ValidationError as exc:
        message = f"{exc.field}: {exc.problem}."
        return _rejected(raw_id, ErrorCode.INVALID, message, field=exc.field), None
    try:
        data_json = json.dumps(dict(record.data), ensure_ascii=False, allow_nan=False)
    except ValueError:
        message = "data: numbers must be finite."
        return _rejected(record.id, ErrorCode.INVALID, message, field="data"), None
    if parse_version(record.version)[0].ms > latest_allowed_ms:
        return _rejected(record.id, ErrorCode.CLOCK_AHEAD), None
    return record, data_json
