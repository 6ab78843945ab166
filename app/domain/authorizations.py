"""Prior authorizations and encounters: "Services require a prior
authorization" (LA.CP.BH.509c III.D); "Services are subject to prior
authorization" (CCP.4043 Eligibility).

An *encounter* is a face-to-face `member_visit` that reached the member, at
most one per member per day (PROTOCOL.md, additions of 2026-12-07). An
authorization's `units` count encounters, or months with an encounter for a
monthly bundle; encounters are counted from the authorization's start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .kinds import parse_date
from .members import reaches
from .payers import Payer
from .records import Record
from .weeks import TeamSettings


@dataclass(frozen=True)
class Authorization:
    id: str
    member_id: str
    payer: str
    status: str  # requested | approved | denied
    number: str
    start: date | None
    end: date | None
    units: int | None  # None: no limit
    version: str  # orders authorizations saved the same day

    @classmethod
    def of(cls, record: Record) -> Authorization:
        data = record.data
        start, end = data.get("start_date"), data.get("end_date")
        units = data.get("units")
        return cls(
            record.id,
            str(data["member_id"]),
            str(data["payer"]),
            str(data["status"]),
            str(data.get("number") or ""),
            None if start is None else parse_date(start, "start_date"),
            None if end is None else parse_date(end, "end_date"),
            units if isinstance(units, int) and not isinstance(units, bool) else None,
            record.version,
        )

    def approves(self, day: date) -> bool:
        """Approved, and `day` lies in its span (both ends included)."""
        return (
            self.status == "approved"
            and self.start is not None
            and self.end is not None
            and self.start <= day <= self.end
        )

    def covers(self, day: date) -> bool:
        """Asked for or approved for `day`: what the due rule `authorization`
        reads. A request without dates covers any day; one with dates, the
        days between them (an end alone, every day up to it)."""
        if self.status == "approved":
            return self.approves(day)
        if self.status != "requested":
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def authorizations_by_member(records: Iterable[Record]) -> dict[str, list[Authorization]]:
    """Live authorization records by member, oldest start first."""
    found: dict[str, list[Authorization]] = {}
    for record in records:
        if record.kind == "authorization" and not record.deleted:
            auth = Authorization.of(record)
            found.setdefault(auth.member_id, []).append(auth)
    for auths in found.values():
        auths.sort(key=lambda a: (a.start or date.min, a.version))
    return found


def approving(auths: Iterable[Authorization], payer: str, day: date) -> Authorization | None:
    """The approved authorization of `payer` that covers `day`: the one started
    last when several do (a renewal that overlaps the one before)."""
    found = [a for a in auths if a.payer == payer and a.approves(day)]
    return max(found, key=lambda a: (a.start or date.min, a.version)) if found else None


def encounter_days(visits: Iterable[Record], settings: TeamSettings) -> dict[str, list[date]]:
    """Each member's encounters: the days, in the team's zone, of live
    face-to-face visits that reached them; one per day, sorted."""
    days: dict[str, set[date]] = {}
    for visit in visits:
        data = visit.data
        if visit.kind != "member_visit" or visit.deleted:
            continue
        if data.get("face_to_face") is True and reaches(data):
            days.setdefault(str(data["member_id"]), set()).add(
                settings.local_date(data["occurred_at"])
            )
    return {member: sorted(found) for member, found in days.items()}


def by_authorization(
    auths: Iterable[Authorization], payer: str, days: Iterable[date]
) -> dict[str, list[date]]:
    """The encounter `days` each approved authorization of `payer` covers (by
    its id), each day given to the one `approving` names."""
    auths = [a for a in auths if a.payer == payer]
    found: dict[str, list[date]] = {}
    for day in days:
        auth = approving(auths, payer, day)
        if auth is not None:
            found.setdefault(auth.id, []).append(day)
    return found


def units_of(payer: Payer, days: Iterable[date]) -> int:
    """The units `days` of encounters use: one each, or one per month with an
    encounter for a monthly bundle."""
    if payer.billing == "monthly_bundle":
        return len({(day.year, day.month) for day in days})
    return len(list(days))


def units_left(
    auth: Authorization,
    payer: Payer,
    auths: Iterable[Authorization],
    days: Iterable[date],
    through: date,
) -> int | None:
    """What is left of `auth`'s units once the encounters up to `through` (a
    month's last day: what is left this month) are counted, as the billing
    worksheet's `units_exceeded` counts them: the encounter `days` that
    `by_authorization` gives it among the member's `auths` (it need not be
    among them), from its start, in `units_of` its payer (`payer`, the
    authorization's own). Negative: over by that many. None: no limit."""
    if payer.id != auth.payer:
        raise ValueError(f"{auth.id} is an authorization of {auth.payer}, not {payer.id}")
    if auth.units is None:
        return None
    upto = [day for day in days if day <= through]
    member_auths = [a for a in auths if a.id != auth.id] + [auth]
    used = by_authorization(member_auths, payer.id, upto).get(auth.id, [])
    return auth.units - units_of(payer, used)
