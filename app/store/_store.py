"""The encrypted device store: one SQLite file, every body sealed (`_sealed`).

`Store` is the façade the screens use: opening and locking, records, tallies
and the due list. What sync needs is in its parts: `store.outbox` (changes to
push and the server's answers), `store.inbox` (pulled records, the cursor,
the server's time) and `store.secrets` (the sync link's sealed settings).
The file itself (making, telling its state, erasing) is `_files`.

Each change and its outbox entry are written in one transaction, durable when
`put` returns (WAL, synchronous=FULL).
"""

from __future__ import annotations

import builtins
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.domain import (
    DUE_KINDS,
    DueItem,
    Record,
    Tally,
    TeamSettings,
    ValidationError,
    check_record_id,
    due_items,
    kind_spec,
    new_record_id,
    sort_newest_first,
    validate_data,
    wall_clock_ms,
    week_tally,
    weekly_counts,
)
from app.domain.payers import Payer, payers_by_id

from . import _files
from ._crypto import Keys, new_data_key, wrap_data_key
from ._files import SettingsSource, StoreState
from ._inbox import Inbox
from ._outbox import Outbox
from ._sealed import SealedRows, settings_payload
from ._secrets import Secrets

MIN_PIN_DIGITS = 6
PAYERS_SECRET = "payers"
DEFAULT_AUTO_LOCK_SECONDS = 300


def check_pin(pin: object) -> str:
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit():
        raise ValidationError("pin", f"must be at least {MIN_PIN_DIGITS} digits, numbers only")
    if len(pin) < MIN_PIN_DIGITS:
        raise ValidationError("pin", f"is {len(pin)} digits; use at least {MIN_PIN_DIGITS}")
    return pin


class Store:
    """Records, the weekly tally and the due list, sealed under a PIN; the sync
    bookkeeping in `outbox`, `inbox` and `secrets`.

    Build with `Store.create` or `Store.open`. Thread-safe: the UI and the
    sync worker share one instance. `monotonic` (idle time) and `wall_ms`
    (version stamps, `now`) are the store's clocks, replaceable in tests.
    """

    def __init__(self, core: SealedRows):
        self._core = core
        self.path = core.path
        self.device_id = core.device_id
        self.outbox = Outbox(core)
        self.inbox = Inbox(core)
        self.secrets = Secrets(core)
        # Told after each committed local write (put, delete), once per batch:
        # sync pushes it without any screen having to remember to ask.
        self._write_listeners: builtins.list[Callable[[], None]] = []
        self._batches = 0  # batch() blocks open
        self._unannounced = False  # a write inside the open batch
        self._payers: dict[str, Payer] | None = None  # read at first use

    # ----- opening and closing -------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike) -> bool:
        """A store file is here, usable or damaged (`state` tells which)."""
        return _files.exists(Path(path))

    @staticmethod
    def was_erased(path: str | os.PathLike) -> bool:
        return (Path(path) / _files.ERASED_FILE).exists()

    @staticmethod
    def state(path: str | os.PathLike) -> StoreState:
        """What directory `path` holds; reads the file but changes nothing."""
        return _files.state(Path(path))

    @staticmethod
    def start_fresh(path: str | os.PathLike) -> None:
        """Remove a damaged store, what an interrupted create or erase left, and
        the erase notice, so `create` can make a new store. A usable store is
        refused (StoreExistsError): it opens with the PIN."""
        _files.start_fresh(Path(path))

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
        """A new empty store in directory `path` (made if missing), locked by
        `pin`; a crash at any moment leaves either no store or a whole one."""
        check_pin(pin)
        settings = TeamSettings(week_start, timezone, contact_target)
        data_key = new_data_key()
        keys = Keys.from_data_key(data_key)
        db = _files.make(
            Path(path),
            {
                "key_wrap": json.dumps(wrap_data_key(data_key, pin)),  # Scrypt: the slow part
                "failed_pins": "0",
                "device_id": new_record_id(),
                "week_start": settings.week_start,
                "timezone": settings.timezone,
                "contact_target": str(settings.contact_target),
                "auto_lock_seconds": str(DEFAULT_AUTO_LOCK_SECONDS),
                "settings_source": "local",
                "settings_tag": keys.settings_tag(
                    settings_payload(settings, "local", DEFAULT_AUTO_LOCK_SECONDS)
                ),
                "clock": "0.0",
            },
        )
        return cls(SealedRows(Path(path), db, keys, monotonic=monotonic, wall_ms=wall_ms))

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
        db = _files.open_usable(root)
        try:
            with _files.damage_surfaced():
                keys = Keys.from_data_key(_files.unwrap_counting_failures(root, db, pin))
                return cls(SealedRows(root, db, keys, monotonic=monotonic, wall_ms=wall_ms))
        except BaseException:
            db.close()
            raise

    def close(self) -> None:
        """Forget the key and release the files (the WAL is folded back in)."""
        core = self._core
        with core.held():
            core.forget_key()
            if core.db is not None:
                core.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                core.db.close()
                core.db = None  # type: ignore[assignment]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def erase(self, reason: str) -> None:
        """Destroy the key and every record on this device now (a revoked device).
        `reason` is kept, readable, to tell the user why. Erasing again does
        nothing (several pushes at once may each hear that the device was revoked)."""
        core = self._core
        with core.held():
            if core.db is None:
                return
            core.forget_key()
            _files.erase(self.path, core.db, reason)
            core.db = None  # type: ignore[assignment]

    # ----- locking -------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._core.keys is None

    @property
    def auto_lock_seconds(self) -> int:
        return self._core.auto_lock_seconds

    def set_auto_lock_seconds(self, seconds: int) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 30 <= seconds <= 3600:
            raise ValidationError("auto_lock_seconds", "must be from 30 seconds to 60 minutes")
        core = self._core
        with core.unlocked() as keys:
            core.save_settings(keys, core.settings, core.settings_source, seconds)

    def lock(self) -> None:
        """Forget the key now; `unlock` brings it back."""
        with self._core.held():
            self._core.forget_key()

    def unlock(self, pin: str) -> None:
        core = self._core
        with core.held():
            db = core.open_db()
            core.take_key(Keys.from_data_key(_files.unwrap_counting_failures(self.path, db, pin)))

    def idle_seconds(self) -> float:
        return self._core.idle_seconds()

    def touch(self) -> None:
        """Count user activity that does not read or write (typing into a form)
        as use, so the idle lock runs from it. StoreLockedError if already locked."""
        with self._core.unlocked():
            pass

    def change_pin(self, old: str, new: str) -> None:
        """Re-wrap the data key under a new PIN; records are not touched."""
        check_pin(new)
        core = self._core
        with core.unlocked():
            data_key = _files.unwrap_counting_failures(self.path, core.db, old)
            core.set_meta(key_wrap=json.dumps(wrap_data_key(data_key, new)))

    # ----- time ----------------------------------------------------------------

    def now(self) -> datetime:
        """The time by this phone's clock, corrected by the server's when the two
        were found far apart (`inbox.observe_server_time`). Limits and today go by it."""
        return self._core.now()

    def today(self) -> date:
        """Today in the team's time zone: the one place the app works it out."""
        return self.settings.local_date(self.now())

    def _day(self, day: date | datetime | None) -> date:
        if day is None:
            return self.today()
        if isinstance(day, datetime):
            return self.settings.local_date(day)
        return day

    # ----- settings ------------------------------------------------------------

    @property
    def settings(self) -> TeamSettings:
        return self._core.settings

    @property
    def settings_from_server(self) -> bool:
        """The team settings are the server's (taken at enrollment and at each
        sync): show them, but they cannot be changed on this phone."""
        return self._core.settings_source == "server"

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
        core = self._core
        current = core.settings
        new = TeamSettings(
            week_start=week_start or current.week_start,
            timezone=timezone or current.timezone,
            contact_target=contact_target if contact_target is not None else current.contact_target,
        )
        # Taking the server's settings is background work: it keeps no phone awake.
        with core.unlocked(touch=source == "local") as keys:
            if (new, source) == (current, core.settings_source) and not core.settings_altered:
                return new
            # Settings altered on disk may no longer match the week index: rebuild it.
            reindex = core.settings_altered or (new.week_start, new.timezone) != (
                current.week_start,
                current.timezone,
            )
            with core.db.atomic():
                if reindex:
                    for row, record in core.rows_with_time(keys):
                        core.write_row(keys, row["rid"], record, new)
                core.save_settings(keys, new, source, core.auto_lock_seconds)
        return new

    # ----- payers ----------------------------------------------------------------

    @property
    def payers(self) -> dict[str, Payer]:
        """The payers the team's server lists, by id (none before the first
        sync): their rules bring the LRS and authorization items."""
        if self._payers is None:
            saved = self.secrets.get(PAYERS_SECRET)
            self._payers = payers_by_id(json.loads(saved) if saved else [])
        return dict(self._payers)

    def take_payers(self, payers: Sequence[Mapping[str, object]]) -> None:
        """Keep the server's list of payers (`GET /v1/payers`), as sync takes
        the team settings; a payer this version cannot read is left out."""
        self.secrets.set(PAYERS_SECRET, json.dumps(builtins.list(payers)))
        self._payers = payers_by_id(builtins.list(payers))

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
        with self._core.held():
            self._batches += 1
            try:
                with self._core.db.atomic():
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
        core = self._core
        with core.unlocked() as keys:
            rid = keys.row_key(record_id)
            existing = core.db.execute("SELECT kind FROM records WHERE rid = ?", [rid]).fetchone()
            if existing and existing[0] != kind:
                raise ValidationError(
                    "kind", f"record {record_id} is a {existing[0]}, not a {kind}"
                )
            record = Record(record_id, kind, core.clock.tick(), False, data)
            with core.db.atomic():
                core.write(keys, rid, record)
        self._wrote()
        return record

    def delete(self, id: str) -> Record:
        """Replace the record by a tombstone (kept, and synced like any change)."""
        core = self._core
        with core.unlocked() as keys:
            rid = keys.row_key(check_record_id(id))
            row = core.db.execute("SELECT kind FROM records WHERE rid = ?", [rid]).fetchone()
            if row is None:
                raise ValidationError("id", f"no record {id} on this device")
            record = Record(id, row[0], core.clock.tick(), True, {})
            with core.db.atomic():
                core.write(keys, rid, record)
        self._wrote()
        return record

    def get(self, id: str) -> Record | None:
        """The record, or None when it is unknown or deleted."""
        with self._core.unlocked() as keys:
            record = self._core.get_any(keys, check_record_id(id))
        return None if record is None or record.deleted else record

    def list(self, kind: str, *, week: date | None = None) -> builtins.list[Record]:
        """Live records of a kind, newest first; damaged ones are left out and
        reported by `damaged()`."""
        kind_spec(kind)
        sql, args = "SELECT * FROM records WHERE kind = ? AND deleted = 0", [kind]
        if week is not None:
            sql, args = sql + " AND week = ?", [*args, week.isoformat()]
        with self._core.unlocked() as keys:
            rows = self._core.db.query(sql, args)
            records = [r for _, r in self._core.open_rows(keys, rows, "records")]
        return sort_newest_first(records)

    def damaged(self) -> builtins.list[str]:
        """Plain descriptions of what on this phone failed its integrity check
        and cannot be read (records, changes waiting to sync, sync settings,
        the team settings). Lists, tallies and sync pass over these.

        The whole store is checked at the first call after opening (about
        0.1 s for 20,000 records); later calls return what is known, kept up
        to date by reads and writes, so Home may call this on every refresh.
        """
        core = self._core
        with core.unlocked(touch=False) as keys:
            if core.damage is None:
                core.damage = core.check_every_seal(keys)
            found = sorted(core.damage.values())
        if core.settings_altered:
            found.insert(0, "The team settings (week start, time zone, weekly target)")
        return found

    def count(self, kind: str) -> int:
        kind_spec(kind)
        with self._core.unlocked():
            sql = "SELECT count(*) FROM records WHERE kind = ? AND deleted = 0"
            return self._core.db.execute(sql, [kind]).fetchone()[0]

    # ----- tallies -------------------------------------------------------------

    def week_tally(self, day: date | datetime | None = None) -> Tally:
        """The employer-contact tally of the week holding `day` (today if None)."""
        week = self.settings.week_of(self._day(day))
        return week_tally(self.list("employer_contact", week=week), self.settings, week)

    def weekly_counts(
        self, day: date | datetime | None = None, weeks: int = 8
    ) -> builtins.list[tuple[date, int]]:
        """(week start, counting contacts) for `weeks` weeks ending with the week
        holding `day`, oldest first."""
        settings = self.settings
        starts = settings.weeks_ending(self._day(day), weeks)
        marks = ",".join("?" * len(starts))
        sql = (
            "SELECT * FROM records WHERE kind = 'employer_contact' AND deleted = 0 "
            f"AND week IN ({marks})"
        )
        with self._core.unlocked() as keys:
            rows = self._core.db.query(sql, [w.isoformat() for w in starts])
            records = [r for _, r in self._core.open_rows(keys, rows, "records")]
        return list(zip(starts, weekly_counts(records, settings, starts), strict=True))

    # ----- what is due ---------------------------------------------------------

    def due_items(self, on: date | None = None) -> builtins.list[DueItem]:
        """The IPS timed rules not met for this phone's caseload as of `on`
        (today if None), ordered by due date: the domain's `due_items`."""
        marks = ",".join("?" * len(DUE_KINDS))
        sql = f"SELECT * FROM records WHERE deleted = 0 AND kind IN ({marks})"
        with self._core.unlocked() as keys:
            rows = self._core.db.query(sql, DUE_KINDS)
            records = [r for _, r in self._core.open_rows(keys, rows, "records")]
        return due_items(records, self._day(on), self.settings, self.payers)
