"""IPS fidelity and outcomes on the central store: `GET /v1/team/fidelity`
and what the evidence report and the outcomes CSV print. The items are the
domain's `quarter_fidelity`; this module only loads the records they read."""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.domain import (
    FIDELITY_UNDATED_KINDS,
    Fidelity,
    Outcomes,
    Quarter,
    Record,
    SpecialistLog,
    TeamSettings,
    days_read,
    quarter_fidelity,
    quarter_outcomes,
)
from sync.protocol import (
    FidelityItemInfo,
    FidelityResponse,
    OutcomesInfo,
    Period,
    QuarterOutcomes,
)

from ..db import records, utc_now
from .core import Caller, StoreCore, Team, ms
from .team import TeamStore


@dataclass(frozen=True)
class TeamFidelity:
    """A team's fidelity over a quarter and the outcomes of the quarters up to it."""

    team: Team
    fidelity: Fidelity
    outcomes_by_quarter: list[Outcomes]  # oldest first, ending with the quarter's own

    @property
    def quarter(self) -> Quarter:
        return self.fidelity.quarter

    def to_wire(self) -> FidelityResponse:
        """PROTOCOL.md's answer, with its extras."""
        # The domain writes PROTOCOL.md's shapes; it imports no sync.protocol.
        return {
            "team": self.team.info(),
            "quarter": str(self.quarter),
            "period": cast(Period, self.quarter.period()),
            "as_of": self.fidelity.as_of.isoformat(),
            "items": cast(list[FidelityItemInfo], [i.to_wire() for i in self.fidelity.items]),
            "outcomes": cast(OutcomesInfo, self.fidelity.outcomes.to_wire()),
            "outcomes_by_quarter": cast(
                list[QuarterOutcomes], [o.figures() for o in self.outcomes_by_quarter]
            ),
        }


class FidelityStore:
    """A team's fidelity and outcomes; `team` says since when each specialist
    worked with the app."""

    def __init__(self, core: StoreCore, team: TeamStore) -> None:
        self.core = core
        self.team = team

    def for_team(
        self,
        team: Team,
        quarter: Quarter | None,
        quarters: int,
        *,
        caller: Caller | None = None,
    ) -> TeamFidelity:
        """The team's fidelity over `quarter` (the current one in the team's
        zone if None) and the outcomes of `quarters` quarters ending with it.
        The read names members, so it is audited: by the caller, or as the
        command line's."""
        settings = team.settings
        today = settings.local_date(utc_now())
        quarter = quarter or Quarter.of(today)
        before = [quarter.shifted(-n) for n in range(quarters - 1, 0, -1)]
        with _no_collection_pauses():
            with self.core.engine.begin() as conn:
                logs = self._logs(conn, team, quarter, today)
            found = quarter_fidelity(logs, quarter, settings, today)
            earlier = quarter_outcomes(logs, before, settings)
        with self.core.writing() as (conn, _):
            self.core.audit(
                conn,
                "fidelity",
                user_id=caller.user_id if caller else None,
                device_id=caller.device_id if caller else None,
                count=found.outcomes.served,
                detail=f"{team.name} {quarter}",
            )
        return TeamFidelity(team, found, [*earlier, found.outcomes])

    def _logs(
        self, conn: Connection, team: Team, quarter: Quarter, today: date
    ) -> list[SpecialistLog]:
        """Each specialist's live records the items read, in order of name."""
        names = self.core.specialists(conn, team.id)
        if not names:
            return []
        since = self.team.since(conn, list(names), team.settings, today)
        owned = sa.select(
            records.c.owner_id, records.c.id, records.c.kind, records.c.version, records.c.data
        ).where(records.c.owner_id.in_(list(names)), records.c.deleted.is_(False))
        # One branch per kind group, so each reads its rows through the
        # (owner, kind, occurred) index; an OR of them reads every record.
        branches = [owned.where(records.c.kind.in_(FIDELITY_UNDATED_KINDS))]
        for kind, (first, last) in days_read(quarter).items():
            branches.append(
                owned.where(
                    records.c.kind == kind,
                    records.c.occurred_ms >= ms(_midnight(first, team.settings)),
                    records.c.occurred_ms < ms(_midnight(last + timedelta(days=1), team.settings)),
                )
            )
        rows = conn.execute(sa.union_all(*branches))
        found: dict[str, list[Record]] = defaultdict(list)
        for row in rows:
            record = Record(row.id, row.kind, row.version, False, json.loads(row.data))
            found[row.owner_id].append(record)
        return [
            SpecialistLog(user_id, name, since[user_id], found[user_id])
            for user_id, name in names.items()
        ]


@contextmanager
def _no_collection_pauses() -> Iterator[None]:
    """No cyclic garbage collection while a team's records are loaded and
    read: they are some hundred thousand small objects, freed by reference
    counting, and a full collection in the middle would walk them all, for
    nothing, in about 100 ms (a third of the call). Process-wide, so only
    around this short burst of allocation."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _midnight(day: date, settings: TeamSettings) -> datetime:
    """The first instant of a day in the team's zone."""
    return datetime.combine(day, time(0), tzinfo=settings.zone)
