"""A member's payer and authorizations as the member's page shows them: each
authorization's status, number, dates, units and what is left of them this
month (the domain's `units_left`). Plain Python over the store; no flet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain import Record
from app.domain.authorizations import (
    Authorization,
    authorizations_by_member,
    encounter_days,
    units_left,
)
from app.domain.billing import Month
from app.store import Store

from . import text


@dataclass(frozen=True)
class AuthorizationLine:
    id: str
    status: str  # requested | approved | denied
    title: str  # "Approved · No. A-1234"
    detail: str  # "Tue 1 Sep to Thu 31 Dec · 7 of 24 units left this month"
    over: bool  # more units used than it allows


@dataclass(frozen=True)
class Authorizations:
    """The member page's section: shown when the member's payer needs an
    authorization, or the member has any."""

    lines: list[AuthorizationLine]
    empty: str  # said when there are no lines


def payer_line(store: Store, member: Record, today: date) -> str:
    """"Payer: Louisiana Healthcare Connections · LRS checked Mon 2 Nov"; empty
    when the member has neither."""
    data = member.data
    parts = []
    if payer_id := data.get("payer"):
        payer = store.payers.get(payer_id)
        parts.append(f"Payer: {payer.name if payer else payer_id}")
    if checked := data.get("lrs_checked_on"):
        parts.append(f"LRS checked {text.day_label(date.fromisoformat(checked), today=today)}")
    return " · ".join(parts)


def member_authorizations(store: Store, member: Record, today: date) -> Authorizations | None:
    """The member's authorizations, newest first (one not yet dated on top);
    None when the section does not show."""
    payers = store.payers
    own = payers.get(member.data.get("payer") or "")
    auths = authorizations_by_member(store.list("authorization")).get(member.id, [])
    if not auths and (own is None or not own.needs_authorization):
        return None
    visits = [v for v in store.list("member_visit") if v.data["member_id"] == member.id]
    days = encounter_days(visits, store.settings).get(member.id, [])
    month = Month.of(today)
    lines = []
    for auth in sorted(auths, key=lambda a: (a.start or date.max, a.version), reverse=True):
        payer = payers.get(auth.payer)
        title = [text.choice_label(auth.status)]
        if auth.number:
            title.append(f"No. {auth.number}")
        if own is None or auth.payer != own.id:
            title.append(payer.name if payer else auth.payer)
        left = None
        if payer is not None and auth.status == "approved" and auth.end is not None \
                and auth.end >= month.first:
            left = units_left(auth, payer, auths, days, month.last)
        lines.append(AuthorizationLine(
            auth.id, auth.status, " · ".join(title),
            " · ".join(p for p in (_span(auth, today), _units(auth, left)) if p),
            left is not None and left < 0))
    empty = (f"{own.name} needs an authorization before services: add it when you ask for it."
             if own is not None else "")
    return Authorizations(lines, empty)


def _span(auth: Authorization, today: date) -> str:
    start, end = auth.start, auth.end
    if start and end:
        return f"{text.day_label(start, today=today)} to {text.day_label(end, today=today)}"
    if start:
        return f"From {text.day_label(start, today=today)}"
    if end:
        return f"Until {text.day_label(end, today=today)}"
    return "No dates yet"


def _units(auth: Authorization, left: int | None) -> str:
    units = auth.units
    if units is None:
        return "No unit limit"
    if left is None:
        return text.plural(units, "unit")
    if left < 0:
        return f"{-left} over its {text.plural(units, 'unit')} this month"
    return f"{left} of {text.plural(units, 'unit')} left this month"
