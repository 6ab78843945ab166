"""Push and pull: records from devices, last writer wins, pushes committed in groups."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from app.domain import Record, UnknownKindError, ValidationError, kind_spec, parse_version
from app.domain.kinds import parse_datetime
from app.domain.limits import DATA_JSON, check_text
from sync.protocol import CLOCK_AHEAD_LIMIT, ErrorCode, PushResult, PushStatus, error_body

from ..db import (
    FIRST_GENERATION,
    GENERATION,
    audit_log,
    conflicts,
    devices,
    in_json_texts,
    iso,
    records,
    seq_counter,
    store_meta,
    utc_now,
    write_rows,
)
from ..errors import ProtocolError
from .core import TAKE_SEQ_LOCK, Caller, StoreCore, audit_row, hash_secret, ms
from .devices import caller_of, callers_by_token

FOREIGN_RECORD = "This record belongs to another user, so it was not saved."
# `<generation>.<seq>`, the generation as db.new_generation makes it.
_CURSOR = re.compile(r"([0-9a-f]{16})\.([0-9]{1,18})")
# The cursors handed out before stores had generations.
_PLAIN_CURSOR = re.compile(r"s([0-9]{1,18})")

# Statements every push runs, built once so SQLAlchemy reuses their compiled
# form instead of rebuilding them per request (a quarter of a push's CPU).
_RECORDS_BY_ID = sa.select(records).where(in_json_texts(records.c.id, "ids"))
_LOGGED_LOSERS = sa.select(conflicts.c.record_id, conflicts.c.version).where(
    in_json_texts(conflicts.c.record_id, "ids")
)
_PULLED = sa.select(
    records.c.id,
    records.c.kind,
    records.c.version,
    records.c.deleted,
    records.c.data,
    records.c.seq,
)

def _meta(name: str) -> sa.ScalarSelect[str]:
    return sa.select(store_meta.c.value).where(store_meta.c.name == name).scalar_subquery()


_GENERATIONS_AND_LAST_SEQ = sa.select(
    _meta(GENERATION), _meta(FIRST_GENERATION), seq_counter.c.value
)
_DEVICE_SYNCED = (
    devices.update()
    .where(devices.c.id == sa.bindparam("b_device"))
    .values(
        last_sync_at=sa.bindparam("b_at"),
        # A push without `pending` keeps the last reported count.
        pending=sa.func.coalesce(sa.bindparam("b_pending", type_=sa.Integer), devices.c.pending),
    )
)
# What a newer version of a stored record replaces (owner and kind stay).
_REPLACED = ("version", "deleted", "data", "seq", "occurred_ms", "updated_at")


def _occurred_ms(record: Record) -> int | None:
    spec = kind_spec(record.kind)
    value = record.data.get(spec.time_field) if spec.time_field else None
    if value is None:
        return None
    try:
        return int(parse_datetime(value).timestamp() * 1000)
    except ValidationError:  # tombstones are not validated
        return None


@dataclass(frozen=True)
class PullCursor:
    """Where a device's pull got to: the store's generation and the last seq
    sent. Devices hold it as opaque text, `<generation>.<seq>`."""

    generation: str | None  # None: a plain cursor, from before generations began
    seq: int

    @classmethod
    def parse(cls, text: str) -> PullCursor:
        if found := _CURSOR.fullmatch(text):
            return cls(found[1], int(found[2]))
        if found := _PLAIN_CURSOR.fullmatch(text):
            return cls(None, int(found[1]))
        raise ProtocolError(
            ErrorCode.INVALID,
            "after: this is not a cursor the server gave; pull again without it.",
            field="after",
        )

    def __str__(self) -> str:
        return f"{self.generation}.{self.seq}"

    def restored_since(self, generation: str, first: str, last_seq: int) -> str | None:
        """Why this cursor shows the store was restored from a backup since it
        was handed out, or None when it does not. `first` is the generation
        plain cursors belong to."""
        if (self.generation or first) != generation:
            return "cursor of another generation"
        if self.seq > last_seq:
            return f"cursor past the last seq handed out ({self.seq} > {last_seq})"
        return None


class Pulled(NamedTuple):
    """A page of a pull: each change as its JSON text, the cursor after them,
    whether more follow, and whether the device should send every record it
    holds again (its cursor showed the store was restored from a backup)."""

    changes: list[str]
    next: PullCursor
    more: bool
    resend: bool


class _Change(NamedTuple):
    """A change that passed its checks, as the columns it brings to the
    records table: all a push keeps of it while it waits for its group."""

    id: str
    kind: str
    version: str
    deleted: bool
    data: str  # JSON text, as stored
    occurred_ms: int | None


@dataclass(eq=False)
class _PushJob:
    """One push waiting for a group commit, and what became of it."""

    token_hash: str
    device_id: str  # the device the push says it comes from
    checked: list[_Change | PushResult]  # each change, or why it was rejected
    pending: int | None
    now: datetime
    caller: Caller | None = None  # once the group has checked the token
    results: list[PushResult] = field(default_factory=list)
    error: Exception | None = None
    done: Future[list[PushResult]] = field(default_factory=Future)


class RecordStore:
    """The records devices push and pull, and the committer of pushes."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core
        self._queue_changed = threading.Condition()
        self._push_queue: list[_PushJob] = []
        self._committer: threading.Thread | None = None
        self._closing = False

    def push(
        self,
        token: str,
        device_id: str,
        changes: Sequence[object],
        pending: int | None,
        *,
        now: datetime | None = None,
    ) -> Future[list[PushResult]]:
        """Check a batch, then queue it: the future holds one result per
        change, in order (last writer wins by version), once it is committed,
        or a ProtocolError when the token is refused or is another device's.

        Pushes queued while a group commits wait, then commit together on the
        store's committer thread: one transaction and one disk sync for all
        of them (group commit), their tokens looked up and their changes
        written with a few statements for the whole group. A route awaits the
        future without holding a thread meanwhile.
        """
        now = now or utc_now()
        checked = [_check_change(c, now) for c in changes]
        job = _PushJob(hash_secret(token), device_id, checked, pending, now)
        with self._queue_changed:
            if self._closing:
                raise RuntimeError("The central store is closed.")
            if self._committer is None:
                self._committer = threading.Thread(
                    target=self._commit_groups, name="group commit", daemon=True
                )
                self._committer.start()
            self._push_queue.append(job)
            self._queue_changed.notify()
        return job.done

    def close(self) -> None:
        """Commit what is queued, then take no more pushes."""
        with self._queue_changed:
            self._closing = True
            self._queue_changed.notify()
        if self._committer is not None:
            self._committer.join()

    def _commit_groups(self) -> None:
        """The committer thread: every push queued meanwhile in one transaction,
        again and again, until the store closes."""
        while True:
            with self._queue_changed:
                while not self._push_queue and not self._closing:
                    self._queue_changed.wait()
                if not self._push_queue:
                    return
            with self.core.writer:  # pushes queued while another writer held it join in
                with self._queue_changed:
                    group, self._push_queue = self._push_queue, []
                self._commit_group(group)

    def _commit_group(self, group: list[_PushJob]) -> None:
        try:
            with self.core.engine.begin() as conn:
                seq = conn.execute(TAKE_SEQ_LOCK).scalar_one()
                found = callers_by_token(conn, {job.token_hash for job in group})
                admitted = [job for job in group if _admitted(job, found.get(job.token_hash))]
                if admitted:
                    seq = _apply_in_savepoint(conn, seq, admitted)
                conn.execute(seq_counter.update().values(value=seq))
        except Exception as error:
            for job in group:
                job.error = job.error or error
        # Only now, committed, does any device hear that its changes are stored.
        for job in group:
            if job.error is None:
                job.done.set_result(job.results)
            else:
                job.done.set_exception(job.error)

    def pull(self, caller: Caller, after: PullCursor | None, limit: int) -> Pulled:
        """The caller's records changed after the cursor. A cursor that shows
        the store was restored since it was handed out is answered from the
        beginning, with `resend`: the device may hold acknowledged records the
        backup lacks, and applying the rest again changes nothing."""
        with self.core.engine.begin() as conn:
            generation, first, last_seq = conn.execute(_GENERATIONS_AND_LAST_SEQ).one()
            restored = after.restored_since(generation, first, last_seq) if after else None
            if restored:
                after = None
            rows = conn.execute(
                _PULLED.where(
                    records.c.owner_id == caller.user_id,
                    records.c.seq > (after.seq if after else 0),
                )
                .order_by(records.c.seq)
                .limit(limit + 1)
            ).all()
        page = rows[:limit]
        # With no changes: the cursor sent, or one for now when none was.
        next_seq = page[-1].seq if page else (after.seq if after else last_seq)
        changes = [_pulled_json(row) for row in page]
        with self.core.writing() as (conn, _):
            conn.execute(
                devices.update()
                .where(devices.c.id == caller.device_id)
                .values(last_sync_at=iso(utc_now()))
            )
            audit, user_id, device_id = self.core.audit, caller.user_id, caller.device_id
            if restored:
                audit(conn, "resend", user_id=user_id, device_id=device_id, detail=restored)
            audit(conn, "pull", user_id=user_id, device_id=device_id, count=len(changes))
        more = len(rows) > limit
        return Pulled(changes, PullCursor(generation, next_seq), more, restored is not None)


def _pulled_json(row: Row[Any, Any, Any, Any, Any, Any]) -> str:
    """A record as pull sends it, with its data spliced in as stored: JSON text
    the server wrote, never parsed again here (parsing and writing it again
    was most of a pulled page's time on the server)."""
    return (
        f'{{"id":{json.dumps(row.id)},"kind":{json.dumps(row.kind)},'
        f'"version":{json.dumps(row.version)},"deleted":{"true" if row.deleted else "false"},'
        f'"data":{row.data},"seq":{row.seq}}}'
    )


def _admitted(job: _PushJob, caller_row: Row[Any] | None) -> bool:
    """Whether the push's token is good and is the device's it names; if not,
    the push fails with the refusal."""
    try:
        job.caller = caller_of(caller_row)
    except ProtocolError as refused:
        job.error = refused
        return False
    if job.caller.device_id != job.device_id:
        job.error = ProtocolError(
            ErrorCode.FORBIDDEN,
            "device_id is not the device this token was given to.",
            user_id=job.caller.user_id,
            device_id=job.caller.device_id,
        )
        return False
    return True


def _apply_in_savepoint(conn: Connection, seq: int, jobs: list[_PushJob]) -> int:
    """Apply the pushes together in a savepoint; should that fail, each alone
    in a savepoint of its own, so a failure stores nothing of the push it is
    in and the others still apply (its device resends, which is safe: applying
    a change twice is a no-op). Returns the last seq handed out."""
    savepoint = conn.begin_nested()
    try:
        results, last_seq = _apply_pushes(conn, seq, jobs)
    except Exception as error:
        savepoint.rollback()
        if len(jobs) == 1:
            jobs[0].error = error
            return seq
        for job in jobs:
            seq = _apply_in_savepoint(conn, seq, [job])
        return seq
    savepoint.commit()
    for job, job_results in zip(jobs, results, strict=True):
        job.results = job_results
    return last_seq


def _apply_pushes(
    conn: Connection, seq: int, jobs: list[_PushJob]
) -> tuple[list[list[PushResult]], int]:
    """The pushes' changes in order, as if each came after the other, written
    with a few statements for them all: returns each push's results and the
    last seq handed out."""
    ids = list({c.id for job in jobs for c in job.checked if isinstance(c, _Change)})
    # The current row per id, updated as the pushes go (an id may come twice).
    current: dict[str, dict[str, Any]] = {
        row.id: row._asdict() for row in conn.execute(_RECORDS_BY_ID, {"ids": json.dumps(ids)})
    }
    # Only a stored record can have losers logged already.
    logged: set[tuple[str, str]] = set()
    if current:
        losers_ids = {"ids": json.dumps(list(current))}
        logged = {(row.record_id, row.version) for row in conn.execute(_LOGGED_LOSERS, losers_ids)}
    written: set[str] = set()
    losers: list[dict[str, Any]] = []
    every_result: list[list[PushResult]] = []
    synced: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []

    def keep_loser(loser: dict[str, Any], winner_version: str, reason: str, job: _PushJob) -> None:
        if (loser["id"], loser["version"]) in logged:
            return
        logged.add((loser["id"], loser["version"]))
        losers.append(
            {
                **{k: loser[k] for k in ("kind", "version", "deleted", "data")},
                "record_id": loser["id"],
                "owner_id": loser["owner_id"],
                "winner_version": winner_version,
                "reason": reason,
                "device_id": job.device_id,
                "logged_at": iso(job.now),
            }
        )

    for job in jobs:
        caller, now_iso = job.caller, iso(job.now)
        assert caller is not None  # admitted
        results: list[PushResult] = []
        applied: set[str] = set()
        for item in job.checked:
            if not isinstance(item, _Change):
                results.append(item)
                continue
            row = _row_of(item, caller.user_id, now_iso)
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
                keep_loser(row, stored["version"], "stale", job)
            elif _device_of(stored["version"]) != _device_of(item.version):
                # Another device's version loses. A device's own earlier
                # version is an edit it has seen, not a conflict.
                keep_loser(stored, item.version, "superseded", job)
            if status is PushStatus.APPLIED:
                seq += 1
                current[item.id] = {**row, "seq": seq}
                applied.add(item.id)
            results.append({"id": item.id, "status": status})
        written |= applied
        every_result.append(results)
        synced.append({"b_device": caller.device_id, "b_at": now_iso, "b_pending": job.pending})
        detail = f"{len(applied)} applied"
        audit.append(audit_row("push", caller.user_id, caller.device_id, len(job.checked), detail))
    write_rows(conn, records, [current[rid] for rid in written], replace=_REPLACED)
    write_rows(conn, conflicts, losers)
    conn.execute(_DEVICE_SYNCED, synced)
    write_rows(conn, audit_log, audit)
    return every_result, seq


def _row_of(change: _Change, owner_id: str, now_iso: str) -> dict[str, Any]:
    """The records-table row for a change pushed by owner_id."""
    return {**change._asdict(), "owner_id": owner_id, "updated_at": now_iso}


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


def _sent_id(change: object) -> str | None:
    """The id a change was sent with, for its result, if it is text that can be
    sent back (a lone surrogate cannot be written as UTF-8)."""
    raw_id = change.get("id") if isinstance(change, dict) else None
    if not isinstance(raw_id, str):
        return None
    try:
        check_text(raw_id, "id")
    except ValidationError:
        return None
    return raw_id


def _check_change(change: object, now: datetime) -> _Change | PushResult:
    """The change as the columns it brings to the records table, or the
    rejection saying why not. The domain applies every limit a record must
    meet, with the server's clock for times that may not lie in the future."""
    try:
        record = Record.from_wire(change, now=now)
    except UnknownKindError as exc:
        message = f"{exc.problem}."
        return _rejected(_sent_id(change), ErrorCode.UNKNOWN_KIND, message, field="kind")
    except ValidationError as exc:
        message = f"{exc.field}: {exc.problem}."
        return _rejected(_sent_id(change), ErrorCode.INVALID, message, field=exc.field)
    if parse_version(record.version)[0].ms > ms(now + CLOCK_AHEAD_LIMIT):
        return _rejected(record.id, ErrorCode.CLOCK_AHEAD)
    # The domain has checked every number is finite.
    data = DATA_JSON.encode(record.data)
    return _Change(
        record.id, record.kind, record.version, record.deleted, data, _occurred_ms(record)
    )
