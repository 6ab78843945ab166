"""The store's file and its lifecycle: making it whole or not at all, telling
what a directory holds without the PIN, counting wrong PINs, and erasing.

A new store is built under a temporary name and renamed into place only when
complete, so a crash while creating leaves either no store or a whole one.
Nothing here holds the key or opens a sealed body.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from app.domain import (
    Stamp,
    StoreDamagedError,
    StoreErasedError,
    StoreExistsError,
    StoreNotFoundError,
    TeamSettings,
    ValidationError,
    WrongPinError,
    check_record_id,
)

from ._crypto import WrongKeyError, unwrap_data_key

DB_FILE = "fieldlog.db"
# A store being made: renamed to DB_FILE only when complete.
CREATING_FILE = "fieldlog.db.creating"
ERASED_FILE = "ERASED"
MAX_PIN_ATTEMPTS = 10
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
class Meta:
    """The meta rows of a complete store, checked."""

    key_wrap: dict[str, Any] | None  # None once an erase has wiped it
    device_id: str
    settings: TeamSettings
    settings_source: SettingsSource
    auto_lock_seconds: int
    clock: Stamp
    clock_offset_ms: int


def exists(root: Path) -> bool:
    """A store file is here, usable or damaged (`state` tells which)."""
    return (root / DB_FILE).exists() and not (root / ERASED_FILE).exists()


def state(root: Path) -> StoreState:
    """What directory `root` holds; reads the file but changes nothing."""
    if (root / ERASED_FILE).exists():
        return StoreState.ERASED
    if not (root / DB_FILE).exists():
        return StoreState.NEW
    try:
        _check_store_file(root)
    except StoreDamagedError:
        return StoreState.DAMAGED
    return StoreState.READY


def start_fresh(root: Path) -> None:
    """Remove a damaged store, what an interrupted create or erase left, and
    the erase notice. A usable store is refused (StoreExistsError)."""
    if state(root) is StoreState.READY:
        raise StoreExistsError(f"The store in {root} is usable: open it with the PIN.")
    _remove_store_files(root)
    (root / ERASED_FILE).unlink(missing_ok=True)


def make(root: Path, meta: dict[str, str]) -> Database:
    """A new store in `root` holding `meta`, put in place whole, and connected.

    The file is built under a temporary name and renamed into place once
    complete and on disk, so a crash at any moment leaves either no store
    (state NEW: make again) or a whole one.
    """
    found = state(root)
    if found is StoreState.READY:
        raise StoreExistsError(f"A store already exists in {root}; open it with the PIN.")
    if found is StoreState.DAMAGED:
        raise StoreDamagedError("the store already here is damaged")
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o700)  # only this user may even list the sealed files
    _build_store_file(root / CREATING_FILE, meta)
    # The new store replaces whatever an erase left behind; a stale WAL
    # next to the new file would be replayed into it.
    _remove_sqlite_files(root / DB_FILE)
    (root / ERASED_FILE).unlink(missing_ok=True)
    os.replace(root / CREATING_FILE, root / DB_FILE)
    _fsync(root)
    return _connect(root)


def open_usable(root: Path) -> Database:
    """A connection to the store in `root`, migrated; raises what keeps it from
    being used (erased, not found, damaged)."""
    _require_usable(root)
    try:
        db = _connect(root)
    except sqlite3.OperationalError:
        _require_usable(root)  # erased or removed by another process meanwhile
        raise
    try:
        with damage_surfaced():
            migrations.apply(db)
    except BaseException:
        db.close()
        raise
    return db


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
def damage_surfaced() -> Iterator[None]:
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
    if exists(root):
        try:
            _check_store_file(root)
            return
        except StoreDamagedError:
            # Damaged, unless another process erased or removed it during the check.
            if exists(root):
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
        with damage_surfaced():
            db = Database(conn)
            if conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                raise StoreDamagedError("its file is damaged")
            for table, columns in TABLE_COLUMNS.items():
                if not columns <= set(db.table(table).columns_dict):
                    raise StoreDamagedError("part of it is missing")
            if read_meta(db).key_wrap is None:
                raise StoreDamagedError("its key was wiped")
    finally:
        conn.close()


def read_meta(db: Database) -> Meta:
    """The meta rows, checked; StoreDamagedError when one is missing or garbled."""
    values = dict(db.execute("SELECT key, value FROM meta").fetchall())
    missing = [key for key in META_KEYS if key not in values]
    if missing:
        raise StoreDamagedError(f"its settings are incomplete ({', '.join(missing)} missing)")
    try:
        ms, counter = values["clock"].split(".")
        return Meta(
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


def unwrap_counting_failures(root: Path, db: Database, pin: str) -> bytes:
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
            erase(root, db, f"after {MAX_PIN_ATTEMPTS} wrong PINs in a row")
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


def erase(root: Path, db: Database, reason: str) -> None:
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
