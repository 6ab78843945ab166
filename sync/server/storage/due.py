"""The IPS timed rules on the central store: a specialist's due items
(`GET /v1/due`), the counts on each tallies row, and the team's due list for
the `due` command. The rules are the domain's `due_items`, as on the phone."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from app.domain import DUE_KINDS, DueItem, Record, TeamSettings, due_items
from app.domain.payers import Payer
from sync.protocol import DueCounts, DueItemInfo, DueResponse, ErrorCode

from ..db import records, users, utc_now
from ..errors import ProtocolError
from .core import Caller, StoreCore, Team
from .payers import PayerStore

_CASELOADS = sa.select(
    records.c.owner_id, records.c.id, records.c.kind, records.c.version, records.c.data
).where(
    records.c.owner_id.in_(sa.bindparam("owners", expanding=True)),
    records.c.kind.in_(DUE_KINDS),
    records.c.deleted.is_(False),
)
_LAST_CHANGES = (
    sa.select(records.c.owner_id, sa.func.max(records.c.seq))
    .where(records.c.owner_id.in_(sa.bindparam("owners", expanding=True)))
    .group_by(records.c.owner_id)
)
# What a caseload's items were computed from: its last change (seq), the day,
# the team's settings and the payers.
_Basis = tuple[int | None, date, TeamSettings, tuple[Payer, ...]]


class DueStore:
    """The timed rules' items of caseloads, each kept until its caseload changes."""

    def __init__(self, core: StoreCore, payers: PayerStore) -> None:
        self.core = core
        self.payers = payers
        # The last items computed per owner, with their basis: a tallies call
        # reads again only the caseloads that changed since (a supervisor's
        # team of 10 full caseloads is 50,000 records).
        self._due_lists: dict[str, tuple[_Basis, list[DueItem]]] = {}

    def items(
        self, conn: Connection, owner_ids: Sequence[str], on: date, settings: TeamSettings
    ) -> dict[str, list[DueItem]]:
        """Each owner's items as of `on`, computed again only for an owner whose
        records changed since the last time (or for another day, settings or
        payers)."""
        last = {
            owner_id: seq
            for owner_id, seq in conn.execute(_LAST_CHANGES, {"owners": list(owner_ids)})
        }
        payers = self.payers.listed(conn)
        found = {}
        for owner_id in owner_ids:
            known = self._due_lists.get(owner_id)
            basis = (last.get(owner_id), on, settings, tuple(payers.values()))
            if known is not None and known[0] == basis:
                found[owner_id] = known[1]
        changed = [owner_id for owner_id in owner_ids if owner_id not in found]
        caseloads = self._caseloads(conn, changed) if changed else {}
        for owner_id in changed:
            found[owner_id] = due_items(caseloads[owner_id], on, settings, payers)
            basis = (last.get(owner_id), on, settings, tuple(payers.values()))
            self._due_lists[owner_id] = (basis, found[owner_id])
        return found

    def _caseloads(self, conn: Connection, owner_ids: Sequence[str]) -> dict[str, list[Record]]:
        """The live records the rules read, by owner."""
        found: dict[str, list[Record]] = defaultdict(list)
        for row in conn.execute(_CASELOADS, {"owners": list(owner_ids)}):
            record = Record(row.id, row.kind, row.version, False, json.loads(row.data))
            found[row.owner_id].append(record)
        return found

    def counts(
        self, conn: Connection, owner_ids: Sequence[str], settings: TeamSettings
    ) -> dict[str, DueCounts]:
        """Each owner's overdue and due items as of today, for the tallies."""
        listed = self.items(conn, owner_ids, settings.local_date(utc_now()), settings)
        counts: dict[str, DueCounts] = {}
        for owner_id, items in listed.items():
            statuses = Counter(item.status for item in items)
            counts[owner_id] = {"overdue": statuses["overdue"], "due": statuses["due"]}
        return counts

    def _caseload_owner(self, conn: Connection, caller: Caller, user_id: object) -> Row[Any]:
        """The user whose due items the caller asks for: the caller, or, for a
        supervisor, a specialist of the team. Anything else is forbidden."""
        row = None
        if isinstance(user_id, str):
            row = conn.execute(
                sa.select(users).where(users.c.id == user_id, users.c.team_id == caller.team.id)
            ).first()
        if row is not None and (
            row.id == caller.user_id or (caller.is_supervisor and row.role == "specialist")
        ):
            return row
        if caller.is_supervisor:
            message = (
                "That user is not a specialist on your team, so you cannot see their caseload."
            )
        else:
            message = "You can see what is due on your own caseload only."
        raise ProtocolError(ErrorCode.FORBIDDEN, message)

    def for_caseload(self, caller: Caller, user_id: object, on: date | None) -> DueResponse:
        """`GET /v1/due`: one caseload's timed rules not met as of `on` (today
        in the team's zone if None). The read is audited: it names members."""
        settings = caller.team.settings
        day = on or settings.local_date(utc_now())
        with self.core.engine.begin() as conn:
            owner = self._caseload_owner(conn, caller, user_id)
            items = self.items(conn, [owner.id], day, settings)[owner.id]
        with self.core.writing() as (conn, _):
            self.core.audit(
                conn,
                "due",
                user_id=caller.user_id,
                device_id=caller.device_id,
                count=len(items),
                detail=f"{owner.id} {day.isoformat()}",
            )
        return {
            "user": {"id": owner.id, "name": owner.name},
            "on": day.isoformat(),
            # The domain writes PROTOCOL.md's shape; it imports no sync.protocol.
            "items": cast(list[DueItemInfo], [item.to_wire() for item in items]),
        }

    def for_team(self, team: Team, on: date) -> list[tuple[str, DueItem]]:
        """Every specialist's items as of `on`, by specialist name, for the
        `due` command (audited as an export from the command line)."""
        # Read outside the writer's lock, which group commits wait for; only the audit writes.
        with self.core.engine.begin() as conn:
            names = self.core.specialists(conn, team.id)
            items = self.items(conn, list(names), on, team.settings)
        listed = [(name, item) for user_id, name in names.items() for item in items[user_id]]
        with self.core.writing() as (conn, _):
            self.core.audit(conn, "due_export", count=len(listed), detail=f"{team.name} {on}")
        return listed
