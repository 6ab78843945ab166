"""Payers: each health plan's billing rule, as data (PROTOCOL.md, additions of
2026-12-07, "Payers: billing rules as data").

No payer is named in code: the central store holds them (its seeds and what
an admin adds) and every device takes them at sync, as it takes the team's
settings. The rules that read them (billing, the LRS and authorization due
rules) ask only for a payer's fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .errors import ValidationError, shown
from .limits import check_text

BILLING_RULES = ("per_encounter", "monthly_bundle", "pros", "none")
MODIFIER_PER = ("month", "encounter")
PAYER_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
STATE = re.compile(r"[A-Z]{2}")
CODE = re.compile(r"[A-Z0-9]{1,10}")


@dataclass(frozen=True)
class Payer:
    """One payer's rule: how a month of encounters becomes claim lines, and
    whether its services need a prior authorization."""

    id: str
    name: str
    state: str  # two letters: LA payers need the LRS check
    billing: str  # one of BILLING_RULES
    code: str | None = None  # the procedure code of its lines
    modifier: str | None = None  # added at `modifier_at` encounters in a month
    modifier_at: int | None = None
    modifier_per: str = "month"  # see MODIFIER_PER
    needs_authorization: bool = False

    def __post_init__(self) -> None:
        _check_payer(self)

    @classmethod
    def from_wire(cls, value: object) -> Payer:
        """A payer as `GET /v1/payers` lists it; ValidationError naming the field."""
        if not isinstance(value, Mapping):
            raise ValidationError("payer", "must be an object of fields")
        names = {name for name in cls.__dataclass_fields__}
        fields = {key: value[key] for key in names if key in value}
        for required in ("id", "name", "state", "billing"):
            if required not in fields:
                raise ValidationError(required, "is required")
        return cls(**fields)

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def checks_lrs(self) -> bool:
        """Members of this payer need the LRS check: "Prior to providing members
        with IPS services, IPS specialists shall document in the member's file
        that IPS services are not available to the member through LRS"
        (LA.CP.BH.509c Description)."""
        return self.state == "LA"


def _check_payer(payer: Payer) -> None:
    if not isinstance(payer.id, str) or not PAYER_ID.fullmatch(payer.id):
        raise ValidationError(
            "id", f"{shown(payer.id)} is not a payer id: lowercase letters, digits and _, "
            "starting with a letter, at most 40"
        )
    if not isinstance(payer.name, str) or not payer.name.strip() or len(payer.name) > 200:
        raise ValidationError("name", "is required, at most 200 characters")
    check_text(payer.name, "name")
    if not isinstance(payer.state, str) or not STATE.fullmatch(payer.state):
        raise ValidationError("state", f"{shown(payer.state)} is not a state: two capital letters")
    if payer.billing not in BILLING_RULES:
        raise ValidationError(
            "billing", f"{shown(payer.billing)} is not one of {', '.join(BILLING_RULES)}"
        )
    for name in ("code", "modifier"):
        value = getattr(payer, name)
        if value is not None and (not isinstance(value, str) or not CODE.fullmatch(value)):
            raise ValidationError(name, f"{shown(value)} is not a code: 1-10 capitals and digits")
    at = payer.modifier_at
    if at is not None and (isinstance(at, bool) or not isinstance(at, int) or not 1 <= at <= 31):
        raise ValidationError("modifier_at", f"{shown(at)} must be a whole number from 1 to 31")
    if (payer.modifier is None) != (at is None):
        raise ValidationError("modifier_at", "and modifier go together: give both or neither")
    if payer.modifier_per not in MODIFIER_PER:
        raise ValidationError(
            "modifier_per", f"{shown(payer.modifier_per)} is not one of {', '.join(MODIFIER_PER)}"
        )
    if not isinstance(payer.needs_authorization, bool):
        raise ValidationError("needs_authorization", "must be true or false")


def payers_by_id(payers: object) -> dict[str, Payer]:
    """`GET /v1/payers`'s list read into payers by id; a payer this version
    cannot read is left out (a newer server's), never stopping the rest."""
    found: dict[str, Payer] = {}
    if isinstance(payers, list):
        for value in payers:
            try:
                payer = Payer.from_wire(value)
            except (ValidationError, TypeError):
                continue
            found[payer.id] = payer
    return found
