"""The monthly billing worksheet: each member's encounters of a month become
claim lines under their payer's rule, or the reasons they cannot be billed
yet (PROTOCOL.md, additions of 2026-12-07, `GET /v1/team/billing`).

"H2024 … (BILLABLE PER ENCOUNTER)"; "H2024 … (BILLABLE WHEN ≥ 6 ENCOUNTERS PER
MONTH)" modifier "TG" (LA.CP.BH.509c Coding Implications); "IPS service is a
bundled rate including all of the components outlined above in a month"
(CCP.4043 Billing). Which of those a payer follows is its data (`Payer`).

How it is read where the policies are silent:
- Each encounter goes to the payer of its day: the payer of an approved
  authorization covering it, else the member's payer now (the log keeps no
  history of the member's payer, but authorizations are dated). A member
  moved between payers mid-month has a row for each.
- `units_exceeded` counts an authorization's encounters from its start, up
  to the month's end, against its `units`.
- The worksheet decides nothing about medical necessity, eligibility or the
  claim itself: it tells which months of encounters are ready to claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .authorizations import (
    Authorization,
    approving,
    authorizations_by_member,
    by_authorization,
    encounter_days,
    units_of,
)
from .errors import ValidationError
from .kinds import parse_date
from .payers import Payer
from .records import Record
from .weeks import TeamSettings

# The kinds of record the worksheet reads.
WORKSHEET_KINDS = ("member", "member_visit", "authorization")
# Why a row cannot be billed yet, as the worksheet says it.
BLOCKERS = {
    "no_authorization": "an encounter on a day no approved authorization covers",
    "units_exceeded": "more encounters than the authorization's units",
    "lrs_not_documented": "not documented that IPS is unavailable through LRS before the "
    "first encounter",
}
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: object, field: str = "month") -> Month:
        matched = _MONTH.fullmatch(text) if isinstance(text, str) else None
        if matched is None or not 1 <= int(matched[2]) <= 12:
            raise ValidationError(field, "must be a month written YYYY-MM, like 2026-11")
        month = cls(int(matched[1]), int(matched[2]))
        parse_date(month.first.isoformat(), field)  # within the dates records may hold
        return month

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return self.next().first - timedelta(days=1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month.of(self.first - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Line:
    """A claim line: the code, its modifier, how many units."""

    code: str | None
    modifier: str | None
    units: int

    def to_wire(self) -> dict[str, Any]:
        return {"code": self.code, "modifier": self.modifier, "units": self.units}


@dataclass(frozen=True)
class BillingRow:
    member_id: str
    member: str
    specialist: str
    payer: str
    encounters: tuple[date, ...]
    lines: tuple[Line, ...]
    blockers: tuple[str, ...]  # BLOCKERS keys, in that order

    @property
    def billable(self) -> bool:
        return bool(self.lines) and not self.blockers

    def to_wire(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "member": self.member,
            "specialist": self.specialist,
            "payer": self.payer,
            "encounters": [day.isoformat() for day in self.encounters],
            "lines": [line.to_wire() for line in self.lines],
            "billable": self.billable,
            "blockers": list(self.blockers),
        }


def lines_for(payer: Payer, encounters: int) -> tuple[Line, ...]:
    """A month of `encounters` under the payer's rule."""
    if encounters < 1:
        return ()
    if payer.billing == "monthly_bundle":
        return (Line(payer.code, None, 1),)
    if payer.billing != "per_encounter":
        return ()
    if payer.modifier_at is None or encounters < payer.modifier_at:
        return (Line(payer.code, None, encounters),)
    units = 1 if payer.modifier_per == "month" else encounters
    return (Line(payer.code, payer.modifier, units),)


def line_words(lines: Iterable[Line], *, times: str = "x", bundle: str = "bundle") -> str:
    """Lines as a clerk writes them: H2024-TG x 1, H2024 x 5; a line without a
    code is the payer's monthly bundle (`bundle` x 1). The worksheet's PDF
    writes them so; the phone passes `times="×"` and its own word for the
    bundle."""
    words = []
    for line in lines:
        code = "-".join(part for part in (line.code, line.modifier) if part) or bundle
        words.append(f"{code} {times} {line.units}")
    return ", ".join(words) or "none"


@dataclass(frozen=True)
class _Member:
    id: str
    name: str
    payer: str | None
    lrs_checked: date | None

    @classmethod
    def of(cls, record: Record) -> _Member:
        data = record.data
        checked = data.get("lrs_checked_on")
        return cls(
            record.id,
            str(data["display_name"]),
            data.get("payer"),
            None if checked is None else parse_date(checked, "lrs_checked_on"),
        )


def month_billing(
    month: Month,
    records: Iterable[Record],
    payers: Mapping[str, Payer],
    settings: TeamSettings,
    specialist_of: Mapping[str, str],
) -> list[BillingRow]:
    """The worksheet's rows: one per member and payer with an encounter in the
    month, ordered by specialist, member, payer. `records` hold the members,
    their visits (from the earliest authorization start that matters, for
    units) and their authorizations; `specialist_of` names each member's
    specialist. A payer billed `pros` is left to the PROS report."""
    records = list(records)
    first, last = month.first, month.last
    members = [
        _Member.of(r) for r in records if r.kind == "member" and not r.deleted
    ]
    visits = [r for r in records if r.kind == "member_visit"]
    encounters = encounter_days(visits, settings)
    auths = authorizations_by_member(records)
    rows = []
    for member in members:
        days = encounters.get(member.id, [])
        in_month = [day for day in days if first <= day <= last]
        if not in_month:
            continue
        member_auths = auths.get(member.id, [])
        for payer_id, payer_days in _by_payer(member, member_auths, in_month).items():
            payer = payers.get(payer_id)
            if payer is None or payer.billing == "pros":
                continue
            rows.append(
                BillingRow(
                    member.id,
                    member.name,
                    specialist_of.get(member.id, ""),
                    payer.id,
                    tuple(payer_days),
                    lines_for(payer, len(payer_days)),
                    _blockers(member, payer, member_auths, days, payer_days, month),
                )
            )
    rows.sort(key=lambda r: (r.specialist.casefold(), r.member.casefold(), r.member_id, r.payer))
    return rows


def _by_payer(
    member: _Member, auths: list[Authorization], days: list[date]
) -> dict[str, list[date]]:
    """Each day's payer: that of an approved authorization covering it, else the
    member's payer (none: the day is left out)."""
    found: dict[str, list[date]] = {}
    for day in days:
        approved = [a for a in auths if a.approves(day)]
        payer = max(approved, key=lambda a: (a.start, a.version)).payer if approved else None
        payer = payer or member.payer
        if payer is not None:
            found.setdefault(payer, []).append(day)
    return found


def _blockers(
    member: _Member,
    payer: Payer,
    auths: list[Authorization],
    every_day: list[date],
    days: list[date],
    month: Month,
) -> tuple[str, ...]:
    found = []
    if payer.needs_authorization:
        if any(approving(auths, payer.id, day) is None for day in days):
            found.append("no_authorization")
        first, last = month.first, month.last
        limited = [a for a in auths if a.units is not None and a.payer == payer.id]
        # The encounters of each limited authorization used this month, from its start.
        used_now = [a for a in limited if any(a.approves(day) for day in days)]
        if used_now:
            start = min(a.start or first for a in used_now)
            upto = [day for day in every_day if start <= day <= last]
            used = by_authorization(auths, payer.id, upto)
            for auth in used_now:
                mine = used.get(auth.id, [])
                if auth.units is not None and units_of(payer, mine) > auth.units:
                    found.append("units_exceeded")
                    break
    if payer.checks_lrs and (member.lrs_checked is None or days[0] < member.lrs_checked):
        found.append("lrs_not_documented")
    return tuple(found)


@dataclass(frozen=True)
class PayerTotal:
    payer: str
    members: int
    billable: int
    encounters: int
    lines: tuple[Line, ...]  # billable rows' units summed by code and modifier


def payer_totals(rows: Iterable[BillingRow]) -> list[PayerTotal]:
    """One total per payer of `rows`, in payer order."""
    by_payer: dict[str, list[BillingRow]] = {}
    for row in rows:
        by_payer.setdefault(row.payer, []).append(row)
    totals = []
    for payer, payer_rows in sorted(by_payer.items()):
        units: dict[tuple[str | None, str | None], int] = {}
        for row in payer_rows:
            if row.billable:
                for line in row.lines:
                    key = (line.code, line.modifier)
                    units[key] = units.get(key, 0) + line.units
        totals.append(
            PayerTotal(
                payer,
                len({row.member_id for row in payer_rows}),
                sum(row.billable for row in payer_rows),
                sum(len(row.encounters) for row in payer_rows),
                tuple(Line(code, mod, n) for (code, mod), n in units.items()),
            )
        )
    return totals
