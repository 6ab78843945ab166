"""The inbox: pulled records merged in, those this phone could not store set
aside, the pull cursor and the server's time."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag

from app.domain import Record

from ._crypto import Keys
from ._sealed import RECORD_ROW_SQL, SET_ASIDE_DAMAGED, SealedRows, aad, record_row, to_ms


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


class Inbox:
    """What the server sends: pulled pages (apply_pulled), what was set aside
    of them, where the next pull starts (cursor), and the server's time."""

    def __init__(self, core: SealedRows):
        self._core = core

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
        aside = list(set_aside)
        core = self._core
        with core.unlocked(touch=False) as keys:
            page = [(keys.row_key(record.id), record) for record in records]
            if server_time is not None:
                core.clock.observe_server_ms(to_ms(server_time))
            # One statement for the page's versions, one for its rows: per
            # record they were most of a pulled page's time.
            stored = dict(
                core.db.execute(
                    "SELECT rid, version FROM records "
                    "WHERE rid IN (SELECT value FROM json_each(?))",
                    [json.dumps([rid for rid, _ in page])],
                ).fetchall()
            )
            rows: dict[str, tuple[Any, ...]] = {}
            for rid, record in page:
                core.clock.observe_version(record.version)
                if rid in stored and stored[rid] >= record.version:
                    continue
                try:  # sealing fails before anything is written, if it fails
                    rows[rid] = record_row(keys, rid, record, core.settings)
                except (ValueError, OverflowError) as error:
                    reason = f"it cannot be stored on this phone ({error})"
                    aside.append(SetAside(record.id, record.kind, record.version, reason))
                    continue
                stored[rid] = record.version
            with core.db.atomic():
                core.db.conn.executemany(RECORD_ROW_SQL, rows.values())
                core.db.execute(
                    "DELETE FROM set_aside WHERE rid IN (SELECT value FROM json_each(?))",
                    [json.dumps(list(rows))],
                )
                for item in aside:
                    self._keep_aside(keys, item)
                if cursor is not None:
                    core.set_meta(pull_cursor=cursor)
                core.save_clock()
            for rid in rows:
                core.forget_damage("records", rid)
        return Merged(len(rows), len(aside))

    def set_aside(self) -> list[SetAside]:
        """Pulled records this phone could not store, with the reasons."""
        core = self._core
        with core.unlocked() as keys:
            found = []
            for rid, body in core.db.execute("SELECT rid, body FROM set_aside").fetchall():
                try:
                    kept = json.loads(keys.open_bytes(body, aad(rid, "set_aside", "", False)))
                except (InvalidTag, TypeError, ValueError):
                    core.note_damage("set_aside", rid, SET_ASIDE_DAMAGED)
                    continue
                found.append(SetAside(**kept))
            return sorted(found, key=lambda item: item.version)

    def set_aside_count(self) -> int:
        """How many pulled records are set aside. Readable while locked."""
        with self._core.held():
            return self._core.open_db().execute("SELECT count(*) FROM set_aside").fetchone()[0]

    @property
    def cursor(self) -> str | None:
        """Where the next pull starts; None before the first page is stored."""
        with self._core.held():
            return self._core.meta("pull_cursor")

    def observe_server_time(self, server_time: datetime | str) -> None:
        """Move the version clock past the server's time (PROTOCOL.md) and
        measure how far this phone's clock is off."""
        with self._core.held():
            self._core.observe_server_time(server_time)

    def _keep_aside(self, keys: Keys, item: SetAside) -> None:
        rid = keys.row_key(item.id)
        plain = json.dumps(asdict(item)).encode()  # ASCII: any text survives
        body = keys.seal_bytes(plain, aad(rid, "set_aside", "", False))
        self._core.db.execute(
            "INSERT OR REPLACE INTO set_aside (rid, body) VALUES (?, ?)", [rid, body]
        )
        self._core.forget_damage("set_aside", rid)
