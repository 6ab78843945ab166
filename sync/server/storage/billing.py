"""The monthly billing worksheet on the central store (`GET /v1/team/billing`,
the `billing` command): this module loads what the domain's `month_billing`
reads, for the caller's team; the rows, lines and blockers are the domain's."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.domain import Record, TeamSettings
from app.domain.authorizations import Authorization
from app.domain.billing import BillingRow, Month, PayerTotal, month_billing, payer_totals
from app.domain.payers import Payer
from sync.protocol import BillingLine, BillingResponse, BillingRowInfo

from ..db import json_field, json_true, records
from .core import Caller, StoreCore, Team, ms
from .payers import PayerStore


@dataclass(frozen=True)
class Worksheet:
    """A team's month of billing: rows by specialist and member, totals by payer."""

    team: Team
    month: Month
    rows: list[BillingRow]
    totals: list[PayerTotal]
    payers: dict[str, Payer]

    def to_wire(self) -> BillingResponse:
        # The domain writes PROTOCOL.md's shapes; it imports no sync.protocol.
        return {
            "team": self.team.info(),
            "month": str(self.month),
            "rows": cast(list[BillingRowInfo], [row.to_wire() for row in self.rows]),
            "totals": [
                {
                    "payer": total.payer,
                    "members": total.members,
                    "billable": total.billable,
                    "encounters": total.encounters,
                    "lines": cast(list[BillingLine], [line.to_wire() for line in total.lines]),
                }
                for total in self.totals
            ],
        }


class BillingStore:
    """Reads a team's month for the worksheet."""

    def __init__(self, core: StoreCore, payers: PayerStore) -> None:
        self.core = core
        self.payers = payers

    def worksheet(self, team: Team, month: Month, *, caller: Caller | None = None) -> Worksheet:
        """The team's worksheet of `month` (audited: it names members)."""
        with self.core.engine.begin() as conn:
            names = self.core.specialists(conn, team.id)
            payers = self.payers.listed(conn)
            owned, specialist_of = self._records(conn, list(names), month, team.settings)
        rows = month_billing(
            month, owned, payers, team.settings, {m: names[o] for m, o in specialist_of.items()}
        )
        with self.core.writing() as (conn, _):
            self.core.audit(
                conn,
                "billing",
                user_id=caller.user_id if caller else None,
                device_id=caller.device_id if caller else None,
                count=len(rows),
                detail=f"{team.name} {month}",
            )
        return Worksheet(team, month, rows, payer_totals(rows), payers)

    def _records(
        self, conn: Connection, owners: list[str], month: Month, settings: TeamSettings
    ) -> tuple[list[Record], dict[str, str]]:
        """The members and authorizations of the team, and the visits from the
        earliest start of an authorization still running in the month (its
        units count from there) to the month's end; and each member's owner."""
        if not owners:
            return [], {}
        owned = sa.select(
            records.c.owner_id, records.c.id, records.c.kind, records.c.version, records.c.data
        ).where(records.c.owner_id.in_(owners), records.c.deleted.is_(False))
        found, owner_of = [], {}
        for row in conn.execute(owned.where(records.c.kind.in_(("member", "authorization")))):
            record = Record(row.id, row.kind, row.version, False, json.loads(row.data))
            found.append(record)
            if row.kind == "member":
                owner_of[row.id] = row.owner_id
        first = month.first
        for record in found:
            if record.kind == "authorization":
                auth = Authorization.of(record)
                if auth.start is not None and (auth.end is None or auth.end >= month.first):
                    first = min(first, auth.start)
        # A day either side: the domain reads each visit's day in the team's zone.
        start = datetime.combine(first - timedelta(days=1), time(0), tzinfo=settings.zone)
        end = datetime.combine(month.last + timedelta(days=2), time(0), tzinfo=settings.zone)
        # Only what makes an encounter, read by the database: a year of a
        # team's visits is tens of thousands of records.
        fields = ("member_id", "occurred_at", "face_to_face", "type")
        visits = sa.select(
            records.c.id, records.c.version, *(json_field(records.c.data, f) for f in fields)
        ).where(
            records.c.owner_id.in_(owners),
            records.c.deleted.is_(False),
            records.c.kind == "member_visit",
            records.c.occurred_ms >= ms(start),
            records.c.occurred_ms < ms(end),
        )
        for record_id, version, member_id, occurred_at, face_to_face, kind in conn.execute(
            visits
        ):
            data = {
                "member_id": member_id,
                "occurred_at": occurred_at,
                "face_to_face": json_true(face_to_face),
                "type": kind,
            }
            found.append(Record(record_id, "member_visit", version, False, data))
        return found, owner_of

