"""The encrypted device store: one SQLite file, every body sealed.

Readable on disk: opaque row keys (HMAC of the record id), kind, version,
deleted flag, week start, outbox state, and the store's own settings. Every
other byte of a record (names, employers, notes, member ids) is sealed with
AES-256-GCM. A record row's associated data is its identity and its week, so
a body moved to another row, or a row moved to another week, fails to open
and is reported by `damaged()` instead of being counted; the settings carry
an HMAC tag for the same reason.

Each change and its outbox entry are written in one transaction, durable when
`put` returns (WAL, synchronous=FULL). A new store is built under a
temporary name and renamed into place only when complete, so a crash while
creating leaves either no store or a whole one; `Store.state` tells, without
the PIN, whether a directory holds a usable, erased or damaged store.
"""

from __future__ import annotations

import base64
import builtins
import hmac
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from app.domain import (
    DUE_KINDS,
    KINDS,
    DueItem,
    HybridClock,
    Record,
    RecordDamagedError,
    Stamp,
    StoreDamagedError,
    StoreErasedError,
    StoreExistsError,
    StoreLockedError,
    StoreNotFoundError,
    Tally,
    TeamSettings,
    ValidationError,
    WrongPinError,
    check_record_id,
    due_items,
    kind_spec,
    new_record_id,
    parse_version,
    sort_newest_first,
    validate_data,
    wall_clock_ms,
    week_tally,
    weekly_counts,
)

from ._crypto import Keys, WrongKeyError, new_data_key, unwrap_data_key, wrap_data_key

DB_FILE = "fieldlog.db"
# A store being made: renamed to DB_FILE only when complete.
CREATING_FILE = "fieldlog.db.creating"
ERASED_FILE = "ERASED"
MAX_PIN_ATTEMPTS = 10
MIN_PIN_DIGITS = 6
DEFAULT_AUTO_LOCK_SECONDS = 300
SET_ASIDE_DAMAGED = "A note of a record from the server that was set aside"
RECORD_ROW_SQL = (
    "INSERT OR REPLACE INTO records (rid, kind, version, deleted, week, body) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
OUTBOX_ROW_SQL = (
    "INSERT OR REPLACE INTO outbox (rid, kind, version, deleted, body, state, error) "
    "VALUES (?, ?, ?, ?, ?, 'pending', NULL)"
)
# Where the team settings came from: set on this phone, or taken from the server.
SettingsSource = Literal["local", "server"]

migrations = Migrations("ips-field-log device store")

# What a complete store holds, checked before it is used.
TABLE_COLUMNS = {
    "meta": {"key", "value"},
    "records": {"rid", "kind", "version", "deleted", "week", "body"},
    "outbox": {"rid", "kind", "version", "deleted", "body", "state", "error"},
    "secrets": {"name", "body"},
}
META_KEYS = (
    "key_wrap",
    "failed_pins",
    "device_id",
    "week_start",
    "timezone",
    "contact_target",
    "auto_lock_seconds",
    "clock",
)


class StoreState(StrEnum):
    """What a directory holds, told without the PIN (`Store.state`)."""

    NEW = "new"  # no store, or the remains of one whose making was cut short: create one
    READY = "ready"  # a complete store: open it with the PIN
    ERASED = "erased"  # erased to protect the data: Store.open says why; then create
    DAMAGED = "damaged"  # a store file that cannot be used: Store.start_fresh, then create


@migrations()
def m001_initial(db: Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("records").create(
        {"rid": str, "kind": str, "version": str, "deleted": int, "week": str, "body": bytes},
        pk="rid",
    )
    db.table("records").create_index(["kind", "week"])
    # One entry per record with a change the server has not acknowledged;
    # `body` is the same sealed bytes as the record row of that version.
    db.table("outbox").create(
        {
            "rid": str,
            "kind": str,
            "version": str,
            "deleted": int,
            "body": bytes,
            "state": str,  # pending | rejected
            "error": bytes,  # sealed server reason, for rejected entries
        },
        pk="rid",
    )
    db.table("outbox").create_index(["state", "version"])
    db.table("secrets").create({"name": str, "body": bytes}, pk="name")


@migrations()
def m002_set_aside(db: Database) -> None:
    # Pulled records this phone could not store: a sealed SetAside per row key.
    db.table("set_aside").create({"rid": str, "body": bytes}, pk="rid")


@dataclass(frozen=True)
class _Meta:
    """The meta rows of a complete store, checked."""

    key_wrap: dict[str, Any] | None  # None once an erase has wiped it
    device_id: str
    settings: TeamSettings
    settings_source: SettingsSource
    auto_lock_seconds: int
    clock: Stamp
    clock_offset_ms: int


@dataclass(frozen=True)
class SetAside:
    """A pulled record this phone could not store, kept aside with the reason
    (the server still holds it). Fields are as the server sent them."""

    id: str
    kind: str
    version: str
    reason: str


@dataclass(frozen=True)
class Merged:
    """What a pulled page did here: records changed, records set aside."""

    changed: int
    set_aside: int


# A sealed body as _plain writes it starts with its id; a UUID needs no unescaping.
_LEADING_ID = re.compile(r'\{"id":"([0-9a-fA-F-]{36})",')
# The oldest queued changes after a version, in version order.
PENDING_SQL = (
    "SELECT * FROM outbox WHERE state = 'pending' AND version > ? ORDER BY version LIMIT ?"
)


@dataclass(frozen=True)
class Outgoing:
    """A queued change as a push sends it."""

    id: str
    version: str
    wire: str  # the change as JSON text


@dataclass(frozen=True)
class Rejection:
    """A change the server refused, kept on the device until it is edited."""

    record: Record
    code: str
    message: str


def check_pin(pin: object) -> str:
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit():
        raise ValidationError("pin", f"must be at least {MIN_PIN_DIGITS} digits, numbers only")
    if len(pin) < MIN_PIN_DIGITS:
        raise ValidationError("pin", f"is {len(pin)} digits; use at least {MIN_PIN_DIGITS}")
    return pin


def _aad(rid: str, kind: str, version: str, deleted: bool) -> bytes:
    """A sealed body's associated data: the identity of the row holding it."""
    return f"{rid}|{kind}|{version}|{int(deleted)}".encode()


def _record_aad(rid: str, kind: str, version: str, deleted: bool, week: str | None) -> bytes:
    """A record row's associated data: its identity and its readable week, which
    decides the tallies it counts in."""
    return _aad(rid, kind, version, deleted) + f"|{week or ''}".encode()


def _row_aad(table: str, row: dict) -> bytes:
    identity = (row["rid"], row["kind"], row["version"], bool(row["deleted"]))
    return _record_aad(*identity, row["week"]) if table == "records" else _aad(*identity)


def _settings_payload(
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


def _describe(row: dict) -> str:
    """A row as the specialist can recognise it: its kind and when it was saved."""
    kind = str(row["kind"]).replace("_", " ").capitalize()
    try:
        stamp, _ = parse_version(row["version"])
        when = datetime.fromtimestamp(stamp.ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
    except (ValidationError, ValueError, OverflowError, OSError):
        return f"{kind} saved at an unknown time"
    return f"{kind} saved {when}"


def _week_index(record: Record, settings: TeamSettings) -> str | None:
    """The readable week column: the start date of the record's week, if it has a time."""
    when = None if record.deleted else record.occurred_at
    return settings.week_of_instant(when).isoformat() if when else None


def _ms(when: datetime | str) -> int:
    instant = datetime.fromisoformat(when) if isinstance(when, str) else when
    return int(instant.timestamp() * 1000)


class Store:
    """Records, the weekly tally, the due list and sync bookkeeping, sealed under a PIN.

    Build with `Store.create` or `Store.open`. Thread-safe: the UI and the
    sync worker share one instance. `monotonic` (idle time) and `wall_ms`
    (version stamps, `now`) are the store's clocks, replaceable in tests.
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
        self._db = db
        self._keys: Keys | None = keys
        # Record rows opened with the key, by row key, with the identity they
        # were opened under (kind, version, deleted, week: what their seal
        # binds). A row with the same identity holds the same record, so lists
        # and the due list open only rows written since. Forgotten with the key.
        self._opened: dict[str, tuple[tuple[str, str, int, str | None], Record]] = {}
        self._lock = threading.RLock()
        # Told after each committed local write (put, delete), once per batch:
        # sync pushes it without any screen having to remember to ask.
        self._write_listeners: builtins.list[Callable[[], None]] = []
        self._batches = 0  # batch() blocks open
        self._unannounced = False  # a write inside the open batch
        self._monotonic = monotonic
        self._last_used = monotonic()
        self._wall_ms = wall_ms
        meta = _read_meta(db)
        self._settings = meta.settings
        self._settings_source = meta.settings_source
        self._auto_lock_seconds = meta.auto_lock_seconds
        self.device_id = meta.device_id
        self._clock = HybridClock(
            self.device_id,
            last=self._last_stamp(meta.clock),
            offset_ms=meta.clock_offset_ms,
            wall_ms=wall_ms,
        )
        # What failed its integrity check, by (table, row key): None until the
        # first damaged() checks everything; reads add to it, writes clear it.
        self._damage: dict[tuple[str, str], str] | None = None
        self._settings_altered = False
        tag = self._meta("settings_tag")
        if tag is None:
            self._upgrade_seals(keys)
        else:
            expected = keys.settings_tag(
                _settings_payload(self._settings, self._settings_source, self._auto_lock_seconds)
            )
            self._settings_altered = not hmac.compare_digest(tag, expected)

    # ----- opening and closing -------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike) -> bool:
        """A store file is here, usable or damaged (`state` tells which)."""
        root = Path(path)
        return (root / DB_FILE).exists() and not (root / ERASED_FILE).exists()

    @staticmethod
    def was_erased(path: str | os.PathLike) -> bool:
        return (Path(path) / ERASED_FILE).exists()

    @staticmethod
    def state(path: str | os.PathLike) -> StoreState:
        """What directory `path` holds; reads the file but changes nothing."""
        root = Path(path)
        if (root / ERASED_FILE).exists():
            return StoreState.ERASED
        if not (root / DB_FILE).exists():
            return StoreState.NEW
        try:
            _check_store_file(root)
        except StoreDamagedError:
            return StoreState.DAMAGED
        return StoreState.READY

    @classmethod
    def start_fresh(cls, path: str | os.PathLike) -> None:
        """Remove a damaged store, what an interrupted create or erase left, and
        the erase notice, so `create` can make a new store. A usable store is
        refused (StoreExistsError): it opens with the PIN."""
        root = Path(path)
        if cls.state(root) is StoreState.READY:
            raise StoreExistsError(f"The store in {root} is usable: open it with the PIN.")
        _remove_store_files(root)
        (root / ERASED_FILE).unlink(missing_ok=True)

    @classmethod
    def create(
        cls,
        path: str | os.PathLike,
        pin: str,
        *,
        week_start: str = "monday",
        timezone: str = "America/Chicago",
        contact_target: int = 6,
        monotonic: Callable[[], float] = time.monotonic,
        wall_ms: Callable[[], int] = wall_clock_ms,
    ) -> Store:
        """A new empty store in directory `path` (made if missing), locked by `pin`.

        The file is built under a temporary name and renamed into place once
        complete and on disk, so a crash at any moment leaves either no store
        (state NEW: create again) or a whole one.
        """
        check_pin(pin)
        settings = TeamSettings(week_start, timezone, contact_target)
        root = Path(path)
        state = cls.state(root)
        if state is StoreState.READY:
            raise StoreExistsError(f"A store already exists in {root}; open it with the PIN.")
        if state is StoreState.DAMAGED:
            raise StoreDamagedError("the store already here is damaged")
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o700)  # only this user may even list the sealed files
        data_key = new_data_key()
        keys = Keys.from_data_key(data_key)
        meta = {
            "key_wrap": json.dumps(wrap_data_key(data_key, pin)),  # Scrypt: the slow part
            "failed_pins": "0",
            "device_id": new_record_id(),
            "week_start": settings.week_start,
            "timezone": settings.timezone,
            "contact_target": str(settings.contact_target),
            "auto_lock_seconds": str(DEFAULT_AUTO_LOCK_SECONDS),
            "settings_source": "local",
            "settings_tag": keys.settings_tag(
                _settings_payload(settings, "local", DEFAULT_AUTO_LOCK_SECONDS)
            ),
            "clock": "0.0",
        }
        _build_store_file(root / CREATING_FILE, meta)
        # The new store replaces whatever an erase left behind; a stale WAL
        # next to the new file would be replayed into it.
        _remove_sqlite_files(root / DB_FILE)
        (root / ERASED_FILE).unlink(missing_ok=True)
        os.replace(root / CREATING_FILE, root / DB_FILE)
        _fsync(root)
        return cls(root, _connect(root), keys, monotonic=monotonic, wall_ms=wall_ms)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike,
        pin: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall_ms: Callable[[], int] = wall_clock_ms,
    ) -> Store:
        """Unlock the store in `path`. A wrong PIN raises WrongPinError; the
        tenth in a row erases the data (StoreErasedError). A store that cannot
        be used raises StoreDamagedError, whatever is wrong with it."""
        root = Path(path)
        _require_usable(root)
        try:
            db = _connect(root)
        except sqlite3.OperationalError:
            _require_usable(root)  # erased or removed by another process meanwhile
            raise
        try:
            with _damage_surfaced():
                migrations.apply(db)
                data_key = _unwrap_counting_failures(root, db, pin)
                return cls(
                    root, db, Keys.from_data_key(data_key), monotonic=monotonic, wall_ms=wall_ms
                )
        except BaseException:
            db.close()
            raise

    def close(self) -> None:
        """Forget the key and release the files (the WAL is folded back in)."""
        with self._locked():
            self._forget_key()
            if self._db is not None:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._db.close()
                self._db = None  # type: ignore[assignment]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- locking -------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._keys is None

    @property
    def auto_lock_seconds(self) -> int:
        return self._auto_lock_seconds

    def set_auto_lock_seconds(self, seconds: int) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 30 <= seconds <= 3600:
            raise ValidationError("auto_lock_seconds", "must be from 30 seconds to 60 minutes")
        with self._locked():
            keys = self._keys_for_use()
            self._save_settings(keys, self._settings, self._settings_source, seconds)

    def lock(self) -> None:
        """Forget the key now; `unlock` brings it back."""
        with self._locked():
            self._forget_key()

    def unlock(self, pin: str) -> None:
        with self._locked():
            if self._db is None:
                raise StoreLockedError("The store is closed: open it again with the PIN.")
            data_key = _unwrap_counting_failures(self.path, self._db, pin)
            self._keys = Keys.from_data_key(data_key)
            self._last_used = self._monotonic()

    def idle_seconds(self) -> float:
        return self._monotonic() - self._last_used

    def touch(self) -> None:
        """Count user activity that does not read or write (typing into a form)
        as use, so the idle lock runs from it. StoreLockedError if already locked."""
        with self._locked():
            self._keys_for_use()

    def _forget_key(self) -> None:
        """Forget the key and every record opened with it."""
        self._keys = None
        self._opened.clear()

    def _open_db(self) -> Database:
        """The database, for what is readable while locked; once the store is
        closed or erased, StoreLockedError like every other call."""
        if self._db is None:
            raise StoreLockedError("The store is closed: open it again with the PIN.")
        return self._db

    def _keys_for_use(self, *, touch: bool = True) -> Keys:
        """The keys, if unlocked and not idle too long. Background work (sync)
        passes touch=False so it never keeps an unattended phone unlocked."""
        self._open_db()
        if self._keys is not None and self.idle_seconds() > self.auto_lock_seconds:
            self._forget_key()
        if self._keys is None:
            raise StoreLockedError("The app locked itself to protect the data: enter your PIN.")
        if touch:
            self._last_used = self._monotonic()
        return self._keys

    def change_pin(self, old: str, new: str) -> None:
        """Re-wrap the data key under a new PIN; records are not touched."""
        check_pin(new)
        with self._locked():
            self._keys_for_use()
            data_key = _unwrap_counting_failures(self.path, self._db, old)
            self._set_meta(key_wrap=json.dumps(wrap_data_key(data_key, new)))

    # ----- time ----------------------------------------------------------------

    def now(self) -> datetime:
        """The time by this phone's clock, corrected by the server's when the two
        were found far apart (`observe_server_time`). Limits and today go by it."""
        return datetime.fromtimestamp((self._wall_ms() + self._clock.offset_ms) / 1000, UTC)

    def today(self) -> date:
        """Today in the team's time zone: the one place the app works it out."""
        return self._settings.local_date(self.now())

    def _day(self, day: date | datetime | None) -> date:
        if day is None:
            return self.today()
        if isinstance(day, datetime):
            return self._settings.local_date(day)
        return day

    # ----- settings ------------------------------------------------------------

    @property
    def settings(self) -> TeamSettings:
        return self._settings

    @property
    def settings_from_server(self) -> bool:
        """The team settings are the server's (taken at enrollment and at each
        sync): show them, but they cannot be changed on this phone."""
        return self._settings_source == "server"

    def update_settings(
        self,
        *,
        week_start: str | None = None,
        timezone: str | None = None,
        contact_target: int | None = None,
        source: SettingsSource = "local",
    ) -> TeamSettings:
        """Change week start, time zone or target; the week index follows.

        The sync client passes source="server" with the server's settings;
        from then on the phone's user cannot change them (ValidationError on
        field "settings"). Taking unchanged settings writes nothing.
        """
        if source == "local" and self.settings_from_server:
            raise ValidationError(
                "settings",
                "come from your team's server while this phone is connected; "
                "ask your administrator to change them",
            )
        current = self._settings
        new = TeamSettings(
            week_start=week_start or current.week_start,
            timezone=timezone or current.timezone,
            contact_target=contact_target if contact_target is not None else current.contact_target,
        )
        with self._locked():
            # Taking the server's settings is background work: it keeps no phone awake.
            keys = self._keys_for_use(touch=source == "local")
            if (new, source) == (current, self._settings_source) and not self._settings_altered:
                return new
            # Settings altered on disk may no longer match the week index: rebuild it.
            reindex = self._settings_altered or (new.week_start, new.timezone) != (
                current.week_start,
                current.timezone,
            )
            with self._db.atomic():
                if reindex:
                    for row, record in self._rows_with_time(keys):
                        self._write_row(keys, row["rid"], record, new)
                self._save_settings(keys, new, source, self._auto_lock_seconds)
        return new

    # ----- records -------------------------------------------------------------

    def on_write(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after each committed local write (put or delete),
        once for a whole `batch()`; returns what stops it."""
        self._write_listeners.append(listener)
        return lambda: self._write_listeners.remove(listener)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Writes inside share one transaction (all of them or none) and are
        announced once, when it commits."""
        with self._locked():
            self._batches += 1
            try:
                with self._db.atomic():
                    yield
            except BaseException:
                self._unannounced = self._batches > 1 and self._unannounced
                raise
            finally:
                self._batches -= 1
        if self._batches == 0:
            self._announce()

    def _wrote(self) -> None:
        """A local write committed (or joined the open batch)."""
        self._unannounced = True
        if self._batches == 0:
            self._announce()

    def _announce(self) -> None:
        if self._unannounced:
            self._unannounced = False
            for listener in builtins.list(self._write_listeners):
                listener()

    def put(self, kind: str, data: dict[str, Any], *, id: str | None = None) -> Record:
        """Store a new record, or a new version of record `id`. Durable on return.
        The limits every record must meet apply, by the store's clock (`now`)."""
        data = validate_data(kind, data, now=self.now())
        record_id = check_record_id(id) if id is not None else new_record_id()
        with self._locked():
            keys = self._keys_for_use()
            rid = keys.row_key(record_id)
            existing = self._db.execute("SELECT kind FROM records WHERE rid = ?", [rid]).fetchone()
            if existing and existing[0] != kind:
                raise ValidationError(
                    "kind", f"record {record_id} is a {existing[0]}, not a {kind}"
                )
            record = Record(record_id, kind, self._clock.tick(), False, data)
            with self._db.atomic():
                self._write(keys, rid, record)
        self._wrote()
        return record

    def delete(self, id: str) -> Record:
        """Replace the record by a tombstone (kept, and synced like any change)."""
        with self._locked():
            keys = self._keys_for_use()
            rid = keys.row_key(check_record_id(id))
            row = self._db.execute("SELECT kind FROM records WHERE rid = ?", [rid]).fetchone()
            if row is None:
                raise ValidationError("id", f"no record {id} on this device")
            record = Record(id, row[0], self._clock.tick(), True, {})
            with self._db.atomic():
                self._write(keys, rid, record)
        self._wrote()
        return record

    def get(self, id: str) -> Record | None:
        """The record, or None when it is unknown or deleted."""
        with self._locked():
            keys = self._keys_for_use()
            record = self._get_any(keys, check_record_id(id))
        return None if record is None or record.deleted else record

    def list(self, kind: str, *, week: date | None = None) -> builtins.list[Record]:
        """Live records of a kind, newest first; damaged ones are left out and
        reported by `damaged()`."""
        kind_spec(kind)
        sql, args = "SELECT * FROM records WHERE kind = ? AND deleted = 0", [kind]
        if week is not None:
            sql, args = sql + " AND week = ?", [*args, week.isoformat()]
        with self._locked():
            keys = self._keys_for_use()
            records = [r for _, r in self._open_rows(keys, self._db.query(sql, args), "records")]
        return sort_newest_first(records)

    def damaged(self) -> builtins.list[str]:
        """Plain descriptions of what on this phone failed its integrity check
        and cannot be read (records, changes waiting to sync, sync settings,
        the team settings). Lists, tallies and sync pass over these.

        The whole store is checked at the first call after opening (about
        0.1 s for 20,000 records); later calls return what is known, kept up
        to date by reads and writes, so Home may call this on every refresh.
        """
        with self._locked():
            keys = self._keys_for_use(touch=False)
            if self._damage is None:
                self._damage = self._check_every_seal(keys)
            found = sorted(self._damage.values())
        if self._settings_altered:
            found.insert(0, "The team settings (week start, time zone, weekly target)")
        return found

    def count(self, kind: str) -> int:
        kind_spec(kind)
        with self._locked():
            self._keys_for_use()
            sql = "SELECT count(*) FROM records WHERE kind = ? AND deleted = 0"
            return self._db.execute(sql, [kind]).fetchone()[0]

    # ----- tallies -------------------------------------------------------------

    def week_tally(self, day: date | datetime | None = None) -> Tally:
        """The employer-contact tally of the week holding `day` (today if None)."""
        week = self._settings.week_of(self._day(day))
        return week_tally(self.list("employer_contact", week=week), self._settings, week)

    def weekly_counts(
        self, day: date | datetime | None = None, weeks: int = 8
    ) -> builtins.list[tuple[date, int]]:
        """(week start, counting contacts) for `weeks` weeks ending with the week
        holding `day`, oldest first."""
        settings = self._settings
        starts = settings.weeks_ending(self._day(day), weeks)
        marks = ",".join("?" * len(starts))
        sql = (
            "SELECT * FROM records WHERE kind = 'employer_contact' AND deleted = 0 "
            f"AND week IN ({marks})"
        )
        with self._locked():
            keys = self._keys_for_use()
            rows = self._db.query(sql, [w.isoformat() for w in starts])
            records = [r for _, r in self._open_rows(keys, rows, "records")]
        return list(zip(starts, weekly_counts(records, settings, starts), strict=True))

    # ----- what is due ---------------------------------------------------------

    def due_items(self, on: date | None = None) -> builtins.list[DueItem]:
        """The IPS timed rules not met for this phone's caseload as of `on`
        (today if None), ordered by due date: the domain's `due_items`."""
        marks = ",".join("?" * len(DUE_KINDS))
        sql = f"SELECT * FROM records WHERE deleted = 0 AND kind IN ({marks})"
        with self._locked():
            keys = self._keys_for_use()
            rows = self._db.query(sql, DUE_KINDS)
            records = [r for _, r in self._open_rows(keys, rows, "records")]
        return due_items(records, self._day(on), self._settings)

    # ----- sync bookkeeping ----------------------------------------------------

    def pending_count(self, *, after: str | None = None) -> int:
        """Changes waiting to be pushed (rejected ones not included), those with
        versions after `after` if given. Readable while locked."""
        with self._locked():
            sql = "SELECT count(*) FROM outbox WHERE state = 'pending' AND version > ?"
            return self._open_db().execute(sql, [after or ""]).fetchone()[0]

    def pending_by_kind(self) -> dict[str, int]:
        """Changes waiting to be pushed, counted by kind. Readable while locked."""
        with self._locked():
            sql = "SELECT kind, count(*) FROM outbox WHERE state = 'pending' GROUP BY kind"
            return dict(self._open_db().execute(sql).fetchall())

    def rejected_count(self) -> int:
        """Changes the server refused, kept until edited. Readable while locked."""
        with self._locked():
            sql = "SELECT count(*) FROM outbox WHERE state = 'rejected'"
            return self._open_db().execute(sql).fetchone()[0]

    def pending_changes(
        self, limit: int = 500, *, after: str | None = None
    ) -> builtins.list[Record]:
        """The oldest `limit` queued changes, in version order; with `after`,
        the oldest with versions after it (the next batch, read while the one
        before is still out)."""
        with self._locked():
            keys = self._keys_for_use(touch=False)
            rows = self._db.query(PENDING_SQL, [after or "", limit])
            return [r for _, r in self._open_rows(keys, rows, "outbox")]

    def outgoing(self, limit: int = 500, *, after: str | None = None) -> builtins.list[Outgoing]:
        """pending_changes as a push sends them: each change's JSON text is its
        sealed body spliced into the fields it goes with, never parsed into a
        Record and written again (most of the phone's time per batch)."""
        with self._locked():
            keys = self._keys_for_use(touch=False)
            rows = self._db.query(PENDING_SQL, [after or "", limit])
            found = []
            for row in rows:
                try:
                    plain = self._open_plain(keys, row, _row_aad("outbox", row))
                    leading = _LEADING_ID.match(plain)
                    record_id = leading[1] if leading else json.loads(plain)["id"]
                except (RecordDamagedError, ValueError, KeyError, TypeError):
                    self._note_damage(
                        "outbox", row["rid"], _damage_description("outbox", _describe(row))
                    )
                    continue
                # The body is {"id": …, "data": …}: its members join kind, version and deleted.
                head = json.dumps(
                    {
                        "kind": row["kind"],
                        "version": row["version"],
                        "deleted": bool(row["deleted"]),
                    },
                    separators=(",", ":"),
                )
                found.append(Outgoing(record_id, row["version"], f"{head[:-1]},{plain[1:]}"))
            return found

    def acknowledge(
        self,
        results: Iterable[tuple[str, str, str, dict | None]],
        *,
        server_time: datetime | str | None = None,
    ) -> None:
        """Record the server's answer for pushed changes: (id, version, status, error).

        applied/duplicate/stale clear the entry; rejected quarantines it with
        the server's reason until the record is edited. An entry whose record
        changed again since the push stays queued. The answer's `server_time`,
        if given, is observed in the same transaction (`observe_server_time`).
        """
        with self._locked():
            keys = self._keys_for_use(touch=False)
            with self._db.atomic():
                if server_time is not None:
                    self.observe_server_time(server_time)
                cleared = []
                for record_id, version, status, error in results:
                    rid = keys.row_key(record_id)
                    if status != "rejected":
                        cleared.append((rid, version))
                    else:
                        reason = json.dumps(error or {}).encode()
                        self._db.execute(
                            "UPDATE outbox SET state = 'rejected', error = ? "
                            "WHERE rid = ? AND version = ?",
                            [
                                keys.seal_bytes(reason, _aad(rid, "error", version, False)),
                                rid,
                                version,
                            ],
                        )
                self._db.conn.executemany(
                    "DELETE FROM outbox WHERE rid = ? AND version = ?", cleared
                )
                # Damage noted for an entry goes with it.
                still_queued = "SELECT 1 FROM outbox WHERE rid = ?"
                for rid, _ in cleared:
                    noted = self._damage is not None and ("outbox", rid) in self._damage
                    if noted and not self._db.execute(still_queued, [rid]).fetchone():
                        self._forget_damage("outbox", rid)

    def rejections(self) -> builtins.list[Rejection]:
        with self._locked():
            keys = self._keys_for_use()
            rows = list(self._db.query("SELECT * FROM outbox WHERE state = 'rejected'"))
            found = []
            for row, record in self._open_rows(keys, rows, "outbox"):
                aad = _aad(row["rid"], "error", row["version"], False)
                try:
                    error = json.loads(keys.open_bytes(row["error"], aad))
                except (InvalidTag, TypeError, ValueError):
                    error = {"message": "The server's reason could not be read on this phone."}
                found.append(
                    Rejection(record, error.get("code", "rejected"), error.get("message", ""))
                )
            return found

    def apply_pulled(
        self,
        records: Iterable[Record],
        cursor: str | None,
        *,
        set_aside: Iterable[SetAside] = (),
        server_time: datetime | str | None = None,
    ) -> Merged:
        """Merge a page of pulled records (last writer wins), keep aside those
        the caller could not read (`set_aside`) and those that cannot be stored
        here, and save `cursor`, all in one transaction: one bad record never
        stops a pull.

        A queued local change that loses stays in the outbox: the server logs
        it as the losing version when it arrives, so nothing is lost. A record
        stored here clears what was set aside of it earlier. The page's
        `server_time`, if given, is observed in the same transaction.
        """
        aside = builtins.list(set_aside)
        with self._locked():
            keys = self._keys_for_use(touch=False)
            page = [(keys.row_key(record.id), record) for record in records]
            if server_time is not None:
                self._clock.observe_server_ms(_ms(server_time))
            # One statement for the page's versions, one for its rows: per
            # record they were most of a pulled page's time.
            stored = dict(
                self._db.execute(
                    "SELECT rid, version FROM records "
                    "WHERE rid IN (SELECT value FROM json_each(?))",
                    [json.dumps([rid for rid, _ in page])],
                ).fetchall()
            )
            rows: dict[str, tuple[Any, ...]] = {}
            for rid, record in page:
                self._clock.observe_version(record.version)
                if rid in stored and stored[rid] >= record.version:
                    continue
                try:  # sealing fails before anything is written, if it fails
                    rows[rid] = self._record_row(keys, rid, record, self._settings)
                except (ValueError, OverflowError) as error:
                    reason = f"it cannot be stored on this phone ({error})"
                    aside.append(SetAside(record.id, record.kind, record.version, reason))
                    continue
                stored[rid] = record.version
            with self._db.atomic():
                self._db.conn.executemany(RECORD_ROW_SQL, rows.values())
                self._db.execute(
                    "DELETE FROM set_aside WHERE rid IN (SELECT value FROM json_each(?))",
                    [json.dumps(builtins.list(rows))],
                )
                for item in aside:
                    self._keep_aside(keys, item)
                if cursor is not None:
                    self._set_meta(pull_cursor=cursor)
                self._save_clock()
            for rid in rows:
                self._forget_damage("records", rid)
        return Merged(len(rows), len(aside))

    def set_aside(self) -> builtins.list[SetAside]:
        """Pulled records this phone could not store, with the reasons."""
        with self._locked():
            keys = self._keys_for_use()
            found = []
            for rid, body in self._db.execute("SELECT rid, body FROM set_aside").fetchall():
                try:
                    kept = json.loads(keys.open_bytes(body, _aad(rid, "set_aside", "", False)))
                except (InvalidTag, TypeError, ValueError):
                    self._note_damage("set_aside", rid, SET_ASIDE_DAMAGED)
                    continue
                found.append(SetAside(**kept))
            return sorted(found, key=lambda item: item.version)

    def set_aside_count(self) -> int:
        """How many pulled records are set aside. Readable while locked."""
        with self._locked():
            return self._open_db().execute("SELECT count(*) FROM set_aside").fetchone()[0]

    @property
    def pull_cursor(self) -> str | None:
        return self._meta("pull_cursor")

    def observe_server_time(self, server_time: datetime | str) -> None:
        """Move the version clock past the server's time (PROTOCOL.md) and
        measure how far this phone's clock is off."""
        with self._locked():
            self._clock.observe_server_ms(_ms(server_time))
            self._save_clock()

    def restamp_ahead(self, server_time: datetime | str, limit: timedelta) -> int:
        """Give new versions to queued changes stamped more than `limit` ahead
        of the server (the server refuses them), after a wrong phone clock.

        No server accepted those versions, so nothing else has seen them; the
        clock goes back to the newest version the server could have accepted.
        Returns how many changes were re-stamped and queued again.
        """
        newest_allowed = f"{_ms(server_time) + int(limit.total_seconds() * 1000):013d}.99999.~"
        with self._locked():
            keys = self._keys_for_use(touch=False)
            ahead = list(self._db.query("SELECT * FROM outbox WHERE version > ?", [newest_allowed]))
            if not ahead:
                return 0
            with self._db.atomic():
                seen = self._db.execute(
                    "SELECT max(version) FROM records WHERE version <= ?", [newest_allowed]
                ).fetchone()[0]
                floor = Stamp(_ms(server_time), 0)
                self._clock.rebase(max(floor, parse_version(seen)[0]) if seen else floor)
                for row, record in self._open_rows(keys, ahead, "outbox"):
                    renewed = Record(
                        record.id, record.kind, self._clock.tick(), record.deleted, record.data
                    )
                    self._db.execute("DELETE FROM outbox WHERE rid = ?", [row["rid"]])
                    self._write(keys, row["rid"], renewed)
                self._save_clock()
            return len(ahead)

    def requeue_all(self) -> int:
        """Queue every record this phone holds for push again, at the version
        it holds (tombstones and records pulled from the user's other devices
        too): the central store was restored from a backup that may lack them.
        It answers `duplicate` for those it has. A record with a change queued
        or refused already keeps that entry. Returns how many were queued."""
        with self._locked():
            keys = self._keys_for_use(touch=False)
            rows = self._db.query(
                "SELECT * FROM records WHERE rid NOT IN (SELECT rid FROM outbox)"
            )
            entries = [
                self._outbox_row(keys, row["rid"], record)
                for row, record in self._open_rows(keys, list(rows), "records")
            ]
            with self._db.atomic():
                self._db.conn.executemany(OUTBOX_ROW_SQL, entries)
            return len(entries)

    def erase(self, reason: str) -> None:
        """Destroy the key and every record on this device now (a revoked device).
        `reason` is kept, readable, to tell the user why. Erasing again does
        nothing (several pushes at once may each hear that the device was revoked)."""
        with self._locked():
            if self._db is None:
                return
            self._forget_key()
            _erase(self.path, self._db, reason)
            self._db = None  # type: ignore[assignment]

    def get_secret(self, name: str) -> str | None:
        """A sealed setting (server address, device token), or None."""
        with self._locked():
            keys = self._keys_for_use(touch=False)
            row = self._db.execute("SELECT body FROM secrets WHERE name = ?", [name]).fetchone()
            if row is None:
                return None
            try:
                return keys.open_bytes(row[0], _aad(name, "secret", "", False)).decode()
            except (InvalidTag, TypeError, ValueError):
                self._note_damage("secrets", name, _secret_description(name))
                return None

    def set_secret(self, name: str, value: str | None) -> None:
        with self._locked():
            keys = self._keys_for_use(touch=False)
            if value is None:
                self._db.execute("DELETE FROM secrets WHERE name = ?", [name])
                return
            body = keys.seal_bytes(value.encode(), _aad(name, "secret", "", False))
            self._db.table("secrets").insert({"name": name, "body": body}, replace=True)
            self._forget_damage("secrets", name)

    # ----- internals -----------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the store's lock; a damaged file met by any statement surfaces
        as StoreDamagedError."""
        with self._lock, _damage_surfaced():
            yield

    def _write(self, keys: Keys, rid: str, record: Record) -> None:
        """Seal and write a record, and queue it for push. Callers hold a
        transaction: a change and its outbox entry commit together. Plain
        statements: sqlite-utils' per-call insert machinery cost more than the
        writing."""
        self._write_row(keys, rid, record, self._settings)
        self._db.execute(OUTBOX_ROW_SQL, self._outbox_row(keys, rid, record))
        self._forget_damage("outbox", rid)

    @staticmethod
    def _outbox_row(keys: Keys, rid: str, record: Record) -> tuple[Any, ...]:
        """The values of OUTBOX_ROW_SQL for the record, sealed: a pending entry."""
        aad = _aad(rid, record.kind, record.version, record.deleted)
        body = keys.seal_bytes(_plain(record), aad)
        return (rid, record.kind, record.version, int(record.deleted), body)

    def _write_row(self, keys: Keys, rid: str, record: Record, settings: TeamSettings) -> None:
        """The record's row, sealed with its week under `settings`."""
        self._db.execute(RECORD_ROW_SQL, self._record_row(keys, rid, record, settings))
        self._forget_damage("records", rid)

    @staticmethod
    def _record_row(
        keys: Keys, rid: str, record: Record, settings: TeamSettings
    ) -> tuple[Any, ...]:
        """The values of RECORD_ROW_SQL for the record, sealed with its week."""
        week = _week_index(record, settings)
        aad = _record_aad(rid, record.kind, record.version, record.deleted, week)
        body = keys.seal_bytes(_plain(record), aad)
        return (rid, record.kind, record.version, int(record.deleted), week, body)

    def _open_plain(self, keys: Keys, row: dict, aad: bytes) -> str:
        """A row's body as the JSON text of {"id": …, "data": …}."""
        try:
            return keys.open_bytes(row["body"], aad).decode()
        except (InvalidTag, TypeError, ValueError):
            raise RecordDamagedError(_describe(row)) from None

    def _open_row(self, keys: Keys, row: dict, aad: bytes) -> Record:
        try:
            content = json.loads(self._open_plain(keys, row, aad))
        except ValueError:
            raise RecordDamagedError(_describe(row)) from None
        return Record(
            content["id"], row["kind"], row["version"], bool(row["deleted"]), content["data"]
        )

    def _open_rows(
        self, keys: Keys, rows: Iterable[dict], table: str
    ) -> Iterator[tuple[dict, Record]]:
        """Open each row of `table` ("records" or "outbox"), passing over damaged
        ones (`damaged()` reports them), so one bad row never blocks a list, a
        tally or the sync queue. Record rows opened before under the same
        identity are taken as opened then."""
        cache = table == "records"
        for row in rows:
            if cache:
                identity = (row["kind"], row["version"], row["deleted"], row["week"])
                opened = self._opened.get(row["rid"])
                if opened is not None and opened[0] == identity:
                    yield row, opened[1]
                    continue
            try:
                record = self._open_row(keys, row, _row_aad(table, row))
            except RecordDamagedError as error:
                self._note_damage(table, row["rid"], _damage_description(table, error.what))
                continue
            if cache:
                self._opened[row["rid"]] = (identity, record)
            yield row, record

    def _get_any(self, keys: Keys, record_id: str) -> Record | None:
        rid = keys.row_key(record_id)
        row = next(iter(self._db.query("SELECT * FROM records WHERE rid = ?", [rid])), None)
        if row is None:
            return None
        try:
            return self._open_row(keys, row, _row_aad("records", row))
        except RecordDamagedError as error:
            self._note_damage("records", rid, error.what)
            raise RecordDamagedError(f"Record {record_id}") from None

    def _rows_with_time(self, keys: Keys) -> Iterator[tuple[dict, Record]]:
        timed = [name for name, spec in KINDS.items() if spec.time_field]
        marks = ",".join("?" * len(timed))
        sql = f"SELECT * FROM records WHERE deleted = 0 AND kind IN ({marks})"
        return self._open_rows(keys, list(self._db.query(sql, timed)), "records")

    def _check_every_seal(self, keys: Keys) -> dict[tuple[str, str], str]:
        """Everything sealed that fails to open, described (a full pass; no JSON
        is parsed, so it stays cheap)."""
        found = {}
        for table in ("records", "outbox"):
            for row in self._db.query(f"SELECT * FROM {table}"):
                if not _opens(keys, row["body"], _row_aad(table, row)):
                    found[(table, row["rid"])] = _damage_description(table, _describe(row))
        for name, body in self._db.execute("SELECT name, body FROM secrets").fetchall():
            if not _opens(keys, body, _aad(name, "secret", "", False)):
                found[("secrets", name)] = _secret_description(name)
        for rid, body in self._db.execute("SELECT rid, body FROM set_aside").fetchall():
            if not _opens(keys, body, _aad(rid, "set_aside", "", False)):
                found[("set_aside", rid)] = SET_ASIDE_DAMAGED
        return found

    def _keep_aside(self, keys: Keys, item: SetAside) -> None:
        rid = keys.row_key(item.id)
        plain = json.dumps(asdict(item)).encode()  # ASCII: any text survives
        body = keys.seal_bytes(plain, _aad(rid, "set_aside", "", False))
        self._db.execute("INSERT OR REPLACE INTO set_aside (rid, body) VALUES (?, ?)", [rid, body])
        self._forget_damage("set_aside", rid)

    def _note_damage(self, table: str, key: str, description: str) -> None:
        if self._damage is not None:
            self._damage[(table, key)] = description

    def _forget_damage(self, table: str, key: str) -> None:
        if self._damage is not None:
            self._damage.pop((table, key), None)

    def _save_settings(
        self,
        keys: Keys,
        settings: TeamSettings,
        source: SettingsSource,
        auto_lock_seconds: int,
    ) -> None:
        """Write the settings with their tag, then take them in use."""
        self._set_meta(
            week_start=settings.week_start,
            timezone=settings.timezone,
            contact_target=str(settings.contact_target),
            settings_source=source,
            auto_lock_seconds=str(auto_lock_seconds),
            settings_tag=keys.settings_tag(_settings_payload(settings, source, auto_lock_seconds)),
        )
        self._settings = settings
        self._settings_source = source
        self._auto_lock_seconds = auto_lock_seconds
        self._settings_altered = False

    def _upgrade_seals(self, keys: Keys) -> None:
        """Once, for a store made before record rows were sealed with their week
        and the settings tagged: re-seal each row with its week, computed from
        its sealed time (not the readable column), and tag the settings.

        Rows already sealed with their week mean the tag was removed from a
        newer store, not an older store: the settings are reported as altered.
        """
        rows = list(self._db.query("SELECT * FROM records"))
        with self._db.atomic():
            already = 0
            for row in rows:
                if _opens(keys, row["body"], _row_aad("records", row)):
                    already += 1
                    continue
                identity = (row["rid"], row["kind"], row["version"], bool(row["deleted"]))
                try:
                    record = self._open_row(keys, row, _aad(*identity))
                except RecordDamagedError:
                    continue  # damaged() reports it
                self._write_row(keys, row["rid"], record, self._settings)
            if already:
                self._settings_altered = True
            else:
                self._save_settings(
                    keys, self._settings, self._settings_source, self._auto_lock_seconds
                )

    def _meta(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return default if row is None else row[0]

    def _set_meta(self, **values: str) -> None:
        with self._db.atomic():
            self._db.table("meta").insert_all(
                [{"key": k, "value": v} for k, v in values.items()], replace=True
            )

    def _last_stamp(self, seen: Stamp) -> Stamp:
        """Past every version stored and every server time seen, so versions only grow."""
        newest = self._db.execute("SELECT max(version) FROM records").fetchone()[0]
        try:
            return max(seen, parse_version(newest)[0]) if newest else seen
        except ValidationError:  # an altered row: damaged() reports it
            return seen

    def _save_clock(self) -> None:
        last = self._clock.last
        self._set_meta(clock=f"{last.ms}.{last.counter}", clock_offset=str(self._clock.offset_ms))


def _opens(keys: Keys, sealed: bytes, aad: bytes) -> bool:
    try:
        keys.open_bytes(sealed, aad)
    except (InvalidTag, TypeError, ValueError):  # TypeError: the column holds no bytes
        return False
    return True


def _damage_description(table: str, what: str) -> str:
    return f"A change waiting to sync ({what.lower()})" if table == "outbox" else what


def _secret_description(name: str) -> str:
    return f"A saved sync setting ({name.replace('_', ' ')})"


def _connect(root: Path) -> Database:
    """A connection to the store file, which must exist (never made here)."""
    uri = (root / DB_FILE).resolve().as_uri() + "?mode=rw"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    db = Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA secure_delete=ON")
    db.execute("PRAGMA temp_store=MEMORY")  # no temporary files on disk
    return db


@contextmanager
def _damage_surfaced() -> Iterator[None]:
    """SQLite's "malformed" and "not a database" become StoreDamagedError."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code not in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            raise
        raise StoreDamagedError("its file is damaged") from None


def _require_usable(root: Path) -> None:
    """Raise what keeps the store in `root` from being opened, if anything."""
    if Store.exists(root):
        try:
            _check_store_file(root)
            return
        except StoreDamagedError:
            # Damaged, unless another process erased or removed it during the check.
            if Store.exists(root):
                raise
    if (root / ERASED_FILE).exists():
        _remove_store_files(root)  # an erase cut short is finished
        raise StoreErasedError(_erased_message(root))
    raise StoreNotFoundError(f"No store in {root} yet: create one with a new PIN.")


def _check_store_file(root: Path) -> None:
    """StoreDamagedError unless the file in `root` is a complete store: an intact
    database with every table and every meta row, and a key to unwrap."""
    try:
        conn = sqlite3.connect((root / DB_FILE).resolve().as_uri() + "?mode=rw", uri=True)
    except sqlite3.Error:
        raise StoreDamagedError("its file cannot be read") from None
    try:
        with _damage_surfaced():
            db = Database(conn)
            if conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                raise StoreDamagedError("its file is damaged")
            for table, columns in TABLE_COLUMNS.items():
                if not columns <= set(db.table(table).columns_dict):
                    raise StoreDamagedError("part of it is missing")
            if _read_meta(db).key_wrap is None:
                raise StoreDamagedError("its key was wiped")
    finally:
        conn.close()


def _read_meta(db: Database) -> _Meta:
    """The meta rows, checked; StoreDamagedError when one is missing or garbled."""
    values = dict(db.execute("SELECT key, value FROM meta").fetchall())
    missing = [key for key in META_KEYS if key not in values]
    if missing:
        raise StoreDamagedError(f"its settings are incomplete ({', '.join(missing)} missing)")
    try:
        ms, counter = values["clock"].split(".")
        return _Meta(
            key_wrap=_parse_key_wrap(values["key_wrap"]),
            device_id=check_record_id(values["device_id"]),
            settings=TeamSettings(
                values["week_start"], values["timezone"], int(values["contact_target"])
            ),
            settings_source=_settings_source(values.get("settings_source", "local")),
            auto_lock_seconds=int(values["auto_lock_seconds"]),
            clock=Stamp(int(ms), int(counter)),
            clock_offset_ms=int(values.get("clock_offset", "0")),
        )
    except (ValueError, TypeError, AttributeError):
        raise StoreDamagedError("its settings are garbled") from None


def _settings_source(text: str) -> SettingsSource:
    if text == "server":
        return "server"
    if text == "local":
        return "local"
    raise ValueError("not a settings source")


def _parse_key_wrap(text: str) -> dict[str, Any] | None:
    """The wrapped data key as stored, or None once wiped; ValueError if garbled."""
    if text == "":
        return None
    wrap = json.loads(text)
    if not isinstance(wrap, dict) or wrap.get("kdf") != "scrypt":
        raise ValueError("not a key wrap")
    if not all(type(wrap.get(name)) is int for name in ("n", "r", "p")):
        raise ValueError("bad Scrypt parameters")
    base64.b64decode(wrap["salt"], validate=True)
    base64.b64decode(wrap["wrapped"], validate=True)
    return wrap


def _build_store_file(path: Path, meta: dict[str, str]) -> None:
    """A complete store file at `path` (what an earlier attempt left is
    replaced), flushed to disk before it is renamed into place."""
    _remove_sqlite_files(path)
    conn = sqlite3.connect(path)
    try:
        db = Database(conn)
        db.execute("PRAGMA synchronous=FULL")
        migrations.apply(db)
        with db.atomic():
            db.table("meta").insert_all([{"key": k, "value": v} for k, v in meta.items()])
    finally:
        conn.close()
    _fsync(path)


def _fsync(path: Path) -> None:
    """Flush a file, or a directory's entries (so a rename survives a power cut)."""
    if path.is_dir() and os.name != "posix":
        return  # only POSIX systems can open a directory to flush it
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _remove_store_files(root: Path) -> None:
    _remove_sqlite_files(root / DB_FILE)
    _remove_sqlite_files(root / CREATING_FILE)


def _unwrap_counting_failures(root: Path, db: Database, pin: str) -> bytes:
    """Unwrap the data key under `pin`; the tenth wrong PIN in a row erases the data.

    Each try is counted before the slow check, in the same write transaction
    that reads the count: tries made at once from several processes are all
    counted, and a try cut short by a crash still counts. A right PIN resets
    the count afterwards.
    """
    if not isinstance(pin, str) or not pin:
        raise ValidationError("pin", "enter your PIN")
    with _write_locked(db):
        wrap = _read_key_wrap(root, db)
        failed = _failed_pins(db) + 1
        db.execute("UPDATE meta SET value = ? WHERE key = 'failed_pins'", [str(failed)])
    try:
        data_key = unwrap_data_key(wrap, pin)
    except WrongKeyError:
        if failed >= MAX_PIN_ATTEMPTS:
            _erase(root, db, f"after {MAX_PIN_ATTEMPTS} wrong PINs in a row")
            raise StoreErasedError(_erased_message(root)) from None
        raise WrongPinError(MAX_PIN_ATTEMPTS - failed) from None
    with _write_locked(db):
        _read_key_wrap(root, db)  # raises if another process erased the data meanwhile
        db.execute("UPDATE meta SET value = '0' WHERE key = 'failed_pins'")
    return data_key


@contextmanager
def _write_locked(db: Database) -> Iterator[None]:
    """A transaction holding the write lock from its start (BEGIN IMMEDIATE), so
    nothing another process writes can slip between its reads and its writes."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.execute("COMMIT")


def _failed_pins(db: Database) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'failed_pins'").fetchone()
    try:
        return int(row[0])
    except (TypeError, ValueError):
        raise StoreDamagedError("its count of wrong PINs is missing") from None


def _read_key_wrap(root: Path, db: Database) -> dict[str, Any]:
    """The wrapped data key; StoreErasedError if an erase wiped it meanwhile,
    StoreDamagedError if it is missing or garbled."""
    row = db.execute("SELECT value FROM meta WHERE key = 'key_wrap'").fetchone()
    if row is None:
        raise StoreDamagedError("its key is missing")
    try:
        wrap = _parse_key_wrap(row[0])
    except (ValueError, TypeError):
        raise StoreDamagedError("its key is garbled") from None
    if wrap is None:
        raise StoreErasedError(_erased_message(root))
    return wrap


def _erase(root: Path, db: Database, reason: str) -> None:
    """Destroy the wrapped key and every sealed body, then the files. The notice
    is written first, so an erase cut short is finished by the next open."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    (root / ERASED_FILE).write_text(json.dumps({"at": when, "reason": reason}))
    with _write_locked(db):
        db.execute("UPDATE meta SET value = '' WHERE key = 'key_wrap'")
        for table in ("records", "outbox", "secrets", "set_aside"):
            db.execute(f"DELETE FROM {table}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    _remove_store_files(root)


def _erased_message(root: Path) -> str:
    try:
        erased = json.loads((root / ERASED_FILE).read_text())
        why = f" {erased['reason']} ({erased['at']})"
    except (OSError, ValueError, TypeError, KeyError):
        why = ""  # the notice itself was lost or cut short
    return (
        f"The data on this device was erased{why} to protect it. Create a new PIN to "
        "start again; records that were synced come back at the next sync."
    )
