"""The outbox: local changes waiting for the server, and those it refused.

Each change and its outbox entry are written in one transaction (`SealedRows.write`);
the entry's body is the same sealed bytes as the record row of that version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag

from app.domain import Record, RecordDamagedError, Stamp, parse_version

from ._sealed import (
    OUTBOX_ROW_SQL,
    SealedRows,
    aad,
    damage_description,
    describe,
    open_plain,
    outbox_row,
    row_aad,
    to_ms,
)

# A sealed body as written starts with its id; a UUID needs no unescaping.
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


class Outbox:
    """Changes to push (pending, outgoing), the server's answers (acknowledge,
    rejections), and the two repairs after a wrong clock or a restored server
    (restamp_ahead, requeue_all). Counts are readable while locked."""

    def __init__(self, core: SealedRows):
        self._core = core

    def pending_count(self, *, after: str | None = None) -> int:
        """Changes waiting to be pushed (rejected ones not included), those with
        versions after `after` if given."""
        with self._core.held():
            sql = "SELECT count(*) FROM outbox WHERE state = 'pending' AND version > ?"
            return self._core.open_db().execute(sql, [after or ""]).fetchone()[0]

    def pending_by_kind(self) -> dict[str, int]:
        """Changes waiting to be pushed, counted by kind."""
        with self._core.held():
            sql = "SELECT kind, count(*) FROM outbox WHERE state = 'pending' GROUP BY kind"
            return dict(self._core.open_db().execute(sql).fetchall())

    def rejected_count(self) -> int:
        """Changes the server refused, kept until edited."""
        with self._core.held():
            sql = "SELECT count(*) FROM outbox WHERE state = 'rejected'"
            return self._core.open_db().execute(sql).fetchone()[0]

    def pending_changes(self, limit: int = 500, *, after: str | None = None) -> list[Record]:
        """The oldest `limit` queued changes, in version order; with `after`,
        the oldest with versions after it (the next batch, read while the one
        before is still out)."""
        core = self._core
        with core.unlocked(touch=False) as keys:
            rows = core.db.query(PENDING_SQL, [after or "", limit])
            return [r for _, r in core.open_rows(keys, rows, "outbox")]

    def outgoing(self, limit: int = 500, *, after: str | None = None) -> list[Outgoing]:
        """pending_changes as a push sends them: each change's JSON text is its
        sealed body spliced into the fields it goes with, never parsed into a
        Record and written again (most of the phone's time per batch)."""
        core = self._core
        with core.unlocked(touch=False) as keys:
            found = []
            for row in core.db.query(PENDING_SQL, [after or "", limit]):
                try:
                    plain = open_plain(keys, row, row_aad("outbox", row))
                    leading = _LEADING_ID.match(plain)
                    record_id = leading[1] if leading else json.loads(plain)["id"]
                except (RecordDamagedError, ValueError, KeyError, TypeError):
                    what = damage_description("outbox", describe(row))
                    core.note_damage("outbox", row["rid"], what)
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
        if given, is observed in the same transaction.
        """
        core = self._core
        with core.unlocked(touch=False) as keys, core.db.atomic():
            if server_time is not None:
                core.observe_server_time(server_time)
            cleared = []
            for record_id, version, status, error in results:
                rid = keys.row_key(record_id)
                if status != "rejected":
                    cleared.append((rid, version))
                    continue
                reason = keys.seal_bytes(
                    json.dumps(error or {}).encode(), aad(rid, "error", version, False)
                )
                core.db.execute(
                    "UPDATE outbox SET state = 'rejected', error = ? WHERE rid = ? AND version = ?",
                    [reason, rid, version],
                )
            core.db.conn.executemany("DELETE FROM outbox WHERE rid = ? AND version = ?", cleared)
            # Damage noted for an entry goes with it.
            still_queued = "SELECT 1 FROM outbox WHERE rid = ?"
            for rid, _ in cleared:
                noted = core.damage is not None and ("outbox", rid) in core.damage
                if noted and not core.db.execute(still_queued, [rid]).fetchone():
                    core.forget_damage("outbox", rid)

    def rejections(self) -> list[Rejection]:
        core = self._core
        with core.unlocked() as keys:
            rows = list(core.db.query("SELECT * FROM outbox WHERE state = 'rejected'"))
            found = []
            for row, record in core.open_rows(keys, rows, "outbox"):
                sealed_with = aad(row["rid"], "error", row["version"], False)
                try:
                    error = json.loads(keys.open_bytes(row["error"], sealed_with))
                except (InvalidTag, TypeError, ValueError):
                    error = {"message": "The server's reason could not be read on this phone."}
                found.append(
                    Rejection(record, error.get("code", "rejected"), error.get("message", ""))
                )
            return found

    def restamp_ahead(self, server_time: datetime | str, limit: timedelta) -> int:
        """Give new versions to queued changes stamped more than `limit` ahead
        of the server (the server refuses them), after a wrong phone clock.

        No server accepted those versions, so nothing else has seen them; the
        clock goes back to the newest version the server could have accepted.
        Returns how many changes were re-stamped and queued again.
        """
        newest_allowed = f"{to_ms(server_time) + int(limit.total_seconds() * 1000):013d}.99999.~"
        core = self._core
        with core.unlocked(touch=False) as keys:
            ahead = list(core.db.query("SELECT * FROM outbox WHERE version > ?", [newest_allowed]))
            if not ahead:
                return 0
            with core.db.atomic():
                seen = core.db.execute(
                    "SELECT max(version) FROM records WHERE version <= ?", [newest_allowed]
                ).fetchone()[0]
                floor = Stamp(to_ms(server_time), 0)
                core.clock.rebase(max(floor, parse_version(seen)[0]) if seen else floor)
                for row, record in core.open_rows(keys, ahead, "outbox"):
                    renewed = Record(
                        record.id, record.kind, core.clock.tick(), record.deleted, record.data
                    )
                    core.db.execute("DELETE FROM outbox WHERE rid = ?", [row["rid"]])
                    core.write(keys, row["rid"], renewed)
                core.save_clock()
            return len(ahead)

    def requeue_all(self) -> int:
        """Queue every record this phone holds for push again, at the version
        it holds (tombstones and records pulled from the user's other devices
        too): the central store was restored from a backup that may lack them.
        It answers `duplicate` for those it has. A record with a change queued
        or refused already keeps that entry. Returns how many were queued."""
        core = self._core
        with core.unlocked(touch=False) as keys:
            rows = core.db.query("SELECT * FROM records WHERE rid NOT IN (SELECT rid FROM outbox)")
            entries = [
                outbox_row(keys, row["rid"], record)
                for row, record in core.open_rows(keys, list(rows), "records")
            ]
            with core.db.atomic():
                core.db.conn.executemany(OUTBOX_ROW_SQL, entries)
            return len(entries)
