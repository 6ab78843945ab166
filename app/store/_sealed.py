"""What every part of the device store shares: the file, the key, and the
sealing and opening of rows.

Readable on disk: opaque row keys (HMAC of the record id), kind, version,
deleted flag, week start, outbox state, and the store's own settings. Every
other byte of a record (names, employers, notes, member ids) is sealed with
AES-256-GCM. A record row's associated data is its identity and its week, so
a body moved to another row, or a row moved to another week, fails to open
and is reported as damaged instead of being counted; the settings carry an
HMAC tag for the same reason.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlite_utils import Database

from app.domain import (
    KINDS,
    HybridClock,
    Record,
    RecordDamagedError,
    Stamp,
    StoreLockedError,
    TeamSettings,
    ValidationError,
    parse_version,
)

from ._crypto import Keys
from ._files import SettingsSource, damage_surfaced, read_meta

RECORD_ROW_SQL = (
    "INSERT OR REPLACE INTO records (rid, kind, version, deleted, week, body) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
OUTBOX_ROW_SQL = (
    "INSERT OR REPLACE INTO outbox (rid, kind, version, deleted, body, state, error) "
    "VALUES (?, ?, ?, ?, ?, 'pending', NULL)"
)
SET_ASIDE_DAMAGED = "A note of a record from the server that was set aside"


class SealedRows:
    """The store's database, its key while unlocked, its clock and settings,
    and every row sealed or opened; one lock for all of it.

    The parts (outbox, inbox, secrets) and the `Store` façade are built on one
    instance and hold the lock (`held`, `unlocked`) for each call.
    """

    def __init__(
        self,
        path: Path,
        db: Database,
        keys: Keys,
        *,
        monotonic: Callable[[], float],
        wall_ms: Callable[[], int],
    ):
        self.path = path
        self.db = db
        self.keys: Keys | None = keys
        # Record rows opened with the key, by row key, with the identity they
        # were opened under (kind, version, deleted, week: what their seal
        # binds). A row with the same identity holds the same record, so lists
        # and the due list open only rows written since. Forgotten with the key.
        self._opened: dict[str, tuple[tuple[str, str, int, str | None], Record]] = {}
        self._lock = threading.RLock()
        self._monotonic = monotonic
        self.last_used = monotonic()
        self.wall_ms = wall_ms
        meta = read_meta(db)
        self.settings = meta.settings
        self.settings_source: SettingsSource = meta.settings_source
        self.auto_lock_seconds = meta.auto_lock_seconds
        self.device_id = meta.device_id
        self.clock = HybridClock(
            self.device_id,
            last=self._last_stamp(meta.clock),
            offset_ms=meta.clock_offset_ms,
            wall_ms=wall_ms,
        )
        # What failed its integrity check, by (table, row key): None until the
        # first check of everything; reads add to it, writes clear it.
        self.damage: dict[tuple[str, str], str] | None = None
        self.settings_altered = False
        tag = self.meta("settings_tag")
        if tag is None:
            self._upgrade_seals(keys)
        else:
            expected = keys.settings_tag(
                settings_payload(self.settings, self.settings_source, self.auto_lock_seconds)
            )
            self.settings_altered = not hmac.compare_digest(tag, expected)

    # ----- the lock and the key ------------------------------------------------

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the store's lock; a damaged file met by any statement surfaces
        as StoreDamagedError."""
        with self._lock, damage_surfaced():
            yield

    @contextmanager
    def unlocked(self, *, touch: bool = True) -> Iterator[Keys]:
        """Hold the lock and the keys (`keys_for_use`)."""
        with self.held():
            yield self.keys_for_use(touch=touch)

    def open_db(self) -> Database:
        """The database, for what is readable while locked; once the store is
        closed or erased, StoreLockedError like every other call."""
        if self.db is None:
            raise StoreLockedError("The store is closed: open it again with the PIN.")
        return self.db

    def idle_seconds(self) -> float:
        return self._monotonic() - self.last_used

    def keys_for_use(self, *, touch: bool = True) -> Keys:
        """The keys, if unlocked and not idle too long. Background work (sync)
        passes touch=False so it never keeps an unattended phone unlocked."""
        self.open_db()
        if self.keys is not None and self.idle_seconds() > self.auto_lock_seconds:
            self.forget_key()
        if self.keys is None:
            raise StoreLockedError("The app locked itself to protect the data: enter your PIN.")
        if touch:
            self.last_used = self._monotonic()
        return self.keys

    def take_key(self, keys: Keys) -> None:
        self.keys = keys
        self.last_used = self._monotonic()

    def forget_key(self) -> None:
        """Forget the key and every record opened with it."""
        self.keys = None
        self._opened.clear()

    def now(self) -> datetime:
        """The time by this phone's clock, corrected by the server's."""
        return datetime.fromtimestamp((self.wall_ms() + self.clock.offset_ms) / 1000, UTC)

    # ----- writing rows --------------------------------------------------------

    def write(self, keys: Keys, rid: str, record: Record) -> None:
        """Seal and write a record, and queue it for push. Callers hold a
        transaction: a change and its outbox entry commit together. Plain
        statements: sqlite-utils' per-call insert machinery cost more than the
        writing."""
        self.write_row(keys, rid, record, self.settings)
        self.db.execute(OUTBOX_ROW_SQL, outbox_row(keys, rid, record))
        self.forget_damage("outbox", rid)

    def write_row(self, keys: Keys, rid: str, record: Record, settings: TeamSettings) -> None:
        """The record's row, sealed with its week under `settings`."""
        self.db.execute(RECORD_ROW_SQL, record_row(keys, rid, record, settings))
        self.forget_damage("records", rid)

    # ----- opening rows --------------------------------------------------------

    def open_rows(
        self, keys: Keys, rows: Iterable[dict], table: str
    ) -> Iterator[tuple[dict, Record]]:
        """Open each row of `table` ("records" or "outbox"), passing over damaged
        ones (noted as damage), so one bad row never blocks a list, a tally or
        the sync queue. Record rows opened before under the same identity are
        taken as opened then."""
        cache = table == "records"
        for row in rows:
            if cache:
                identity = (row["kind"], row["version"], row["deleted"], row["week"])
                opened = self._opened.get(row["rid"])
                if opened is not None and opened[0] == identity:
                    yield row, opened[1]
                    continue
            try:
                record = open_row(keys, row, row_aad(table, row))
            except RecordDamagedError as error:
                self.note_damage(table, row["rid"], damage_description(table, error.what))
                continue
            if cache:
                self._opened[row["rid"]] = (identity, record)
            yield row, record

    def get_any(self, keys: Keys, record_id: str) -> Record | None:
        """The record, its tombstone, or None; RecordDamagedError if it cannot be read."""
        rid = keys.row_key(record_id)
        row = next(iter(self.db.query("SELECT * FROM records WHERE rid = ?", [rid])), None)
        if row is None:
            return None
        try:
            return open_row(keys, row, row_aad("records", row))
        except RecordDamagedError as error:
            self.note_damage("records", rid, error.what)
            raise RecordDamagedError(f"Record {record_id}") from None

    def rows_with_time(self, keys: Keys) -> Iterator[tuple[dict, Record]]:
        """Live records of the kinds that have a time, and so a week."""
        timed = [name for name, spec in KINDS.items() if spec.time_field]
        marks = ",".join("?" * len(timed))
        sql = f"SELECT * FROM records WHERE deleted = 0 AND kind IN ({marks})"
        return self.open_rows(keys, list(self.db.query(sql, timed)), "records")

    # ----- damage --------------------------------------------------------------

    def check_every_seal(self, keys: Keys) -> dict[tuple[str, str], str]:
        """Everything sealed that fails to open, described (a full pass; no JSON
        is parsed, so it stays cheap)."""
        found = {}
        for table in ("records", "outbox"):
            for row in self.db.query(f"SELECT * FROM {table}"):
                if not opens(keys, row["body"], row_aad(table, row)):
                    found[(table, row["rid"])] = damage_description(table, describe(row))
        for name, body in self.db.execute("SELECT name, body FROM secrets").fetchall():
            if not opens(keys, body, aad(name, "secret", "", False)):
                found[("secrets", name)] = secret_description(name)
        for rid, body in self.db.execute("SELECT rid, body FROM set_aside").fetchall():
            if not opens(keys, body, aad(rid, "set_aside", "", False)):
                found[("set_aside", rid)] = SET_ASIDE_DAMAGED
        return found

    def note_damage(self, table: str, key: str, description: str) -> None:
        if self.damage is not None:
            self.damage[(table, key)] = description

    def forget_damage(self, table: str, key: str) -> None:
        if self.damage is not None:
            self.damage.pop((table, key), None)

    # ----- settings, meta and the clock ----------------------------------------

    def save_settings(
        self,
        keys: Keys,
        settings: TeamSettings,
        source: SettingsSource,
        auto_lock_seconds: int,
    ) -> None:
        """Write the settings with their tag, then take them in use."""
        self.set_meta(
            week_start=settings.week_start,
            timezone=settings.timezone,
            contact_target=str(settings.contact_target),
            settings_source=source,
            auto_lock_seconds=str(auto_lock_seconds),
            settings_tag=keys.settings_tag(settings_payload(settings, source, auto_lock_seconds)),
        )
        self.settings = settings
        self.settings_source = source
        self.auto_lock_seconds = auto_lock_seconds
        self.settings_altered = False

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return default if row is None else row[0]

    def set_meta(self, **values: str) -> None:
        with self.db.atomic():
            self.db.table("meta").insert_all(
                [{"key": k, "value": v} for k, v in values.items()], replace=True
            )

    def observe_server_time(self, server_time: datetime | str) -> None:
        """Move the version clock past the server's time (PROTOCOL.md) and
        measure how far this phone's clock is off. Callers hold the lock."""
        self.clock.observe_server_ms(to_ms(server_time))
        self.save_clock()

    def save_clock(self) -> None:
        last = self.clock.last
        self.set_meta(clock=f"{last.ms}.{last.counter}", clock_offset=str(self.clock.offset_ms))

    def _last_stamp(self, seen: Stamp) -> Stamp:
        """Past every version stored and every server time seen, so versions only grow."""
        newest = self.db.execute("SELECT max(version) FROM records").fetchone()[0]
        try:
            return max(seen, parse_version(newest)[0]) if newest else seen
        except ValidationError:  # an altered row: the damage check reports it
            return seen

    def _upgrade_seals(self, keys: Keys) -> None:
        """Once, for a store made before record rows were sealed with their week
        and the settings tagged: re-seal each row with its week, computed from
        its sealed time (not the readable column), and tag the settings.

        Rows already sealed with their week mean the tag was removed from a
        newer store, not an older store: the settings are reported as altered.
        """
        rows = list(self.db.query("SELECT * FROM records"))
        with self.db.atomic():
            already = 0
            for row in rows:
                if opens(keys, row["body"], row_aad("records", row)):
                    already += 1
                    continue
                identity = (row["rid"], row["kind"], row["version"], bool(row["deleted"]))
                try:
                    record = open_row(keys, row, aad(*identity))
                except RecordDamagedError:
                    continue  # the damage check reports it
                self.write_row(keys, row["rid"], record, self.settings)
            if already:
                self.settings_altered = True
            else:
                self.save_settings(
                    keys, self.settings, self.settings_source, self.auto_lock_seconds
                )


def aad(rid: str, kind: str, version: str, deleted: bool) -> bytes:
    """A sealed body's associated data: the identity of the row holding it."""
    return f"{rid}|{kind}|{version}|{int(deleted)}".encode()


def _record_aad(rid: str, kind: str, version: str, deleted: bool, week: str | None) -> bytes:
    """A record row's associated data: its identity and its readable week, which
    decides the tallies it counts in."""
    return aad(rid, kind, version, deleted) + f"|{week or ''}".encode()


def row_aad(table: str, row: dict) -> bytes:
    identity = (row["rid"], row["kind"], row["version"], bool(row["deleted"]))
    return _record_aad(*identity, row["week"]) if table == "records" else aad(*identity)


def settings_payload(
    settings: TeamSettings, source: SettingsSource, auto_lock_seconds: int
) -> bytes:
    """The readable settings that change what screens show or allow, as tagged."""
    values = [
        settings.week_start,
        settings.timezone,
        settings.contact_target,
        source,
        auto_lock_seconds,
    ]
    return json.dumps(values).encode()


def _plain(record: Record) -> bytes:
    return json.dumps({"id": record.id, "data": dict(record.data)}, separators=(",", ":")).encode()


def outbox_row(keys: Keys, rid: str, record: Record) -> tuple[Any, ...]:
    """The values of OUTBOX_ROW_SQL for the record, sealed: a pending entry."""
    body = keys.seal_bytes(_plain(record), aad(rid, record.kind, record.version, record.deleted))
    return (rid, record.kind, record.version, int(record.deleted), body)


def record_row(keys: Keys, rid: str, record: Record, settings: TeamSettings) -> tuple[Any, ...]:
    """The values of RECORD_ROW_SQL for the record, sealed with its week."""
    week = _week_index(record, settings)
    sealed_with = _record_aad(rid, record.kind, record.version, record.deleted, week)
    body = keys.seal_bytes(_plain(record), sealed_with)
    return (rid, record.kind, record.version, int(record.deleted), week, body)


def _week_index(record: Record, settings: TeamSettings) -> str | None:
    """The readable week column: the start date of the record's week, if it has a time."""
    when = None if record.deleted else record.occurred_at
    return settings.week_of_instant(when).isoformat() if when else None


def open_plain(keys: Keys, row: dict, sealed_with: bytes) -> str:
    """A row's body as the JSON text of {"id": …, "data": …}."""
    try:
        return keys.open_bytes(row["body"], sealed_with).decode()
    except (InvalidTag, TypeError, ValueError):
        raise RecordDamagedError(describe(row)) from None


def open_row(keys: Keys, row: dict, sealed_with: bytes) -> Record:
    try:
        content = json.loads(open_plain(keys, row, sealed_with))
    except ValueError:
        raise RecordDamagedError(describe(row)) from None
    return Record(content["id"], row["kind"], row["version"], bool(row["deleted"]), content["data"])


def opens(keys: Keys, sealed: bytes, sealed_with: bytes) -> bool:
    try:
        keys.open_bytes(sealed, sealed_with)
    except (InvalidTag, TypeError, ValueError):  # TypeError: the column holds no bytes
        return False
    return True


def describe(row: dict) -> str:
    """A row as the specialist can recognise it: its kind and when it was saved."""
    kind = str(row["kind"]).replace("_", " ").capitalize()
    try:
        stamp, _ = parse_version(row["version"])
        when = datetime.fromtimestamp(stamp.ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (ValidationError, ValueError, OverflowError, OSError):
        return f"{kind} saved at an unknown time"
    return f"{kind} saved {when}"


def damage_description(table: str, what: str) -> str:
    return f"A change waiting to sync ({what.lower()})" if table == "outbox" else what


def secret_description(name: str) -> str:
    return f"A saved sync setting ({name.replace('_', ' ')})"


def to_ms(when: datetime | str) -> int:
    instant = datetime.fromisoformat(when) if isinstance(when, str) else when
    return int(instant.timestamp() * 1000)
