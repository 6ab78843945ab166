"""What is left of an authorization's units this month (the member's page),
counted as the billing worksheet counts `units_exceeded`: hand-worked cases."""

from datetime import date

import pytest

from app.domain.authorizations import Authorization, units_left
from app.domain.payers import Payer

PER_ENCOUNTER = Payer(
    "pe", "Plan Per Encounter", "LA", "per_encounter", "H2024", "TG", 6, "month", True
)
BUNDLE = Payer("mb", "Plan Monthly Bundle", "LA", "monthly_bundle", needs_authorization=True)
NOV_END = date(2026, 11, 30)


def nov(day: int) -> date:
    return date(2026, 11, day)


def auth(
    name: str,
    start: date | None,
    end: date | None,
    units: int | None,
    *,
    payer: str = "pe",
    status: str = "approved",
    version: str = "1",
) -> Authorization:
    return Authorization(name, "m1", payer, status, "", start, end, units, version)


SEP_DEC = auth("a", date(2026, 9, 1), date(2026, 12, 31), 10)
CASES = [
    # (what, the authorization, the member's others, payer, encounter days, left)
    ("no encounters: all of it", SEP_DEC, [], PER_ENCOUNTER, [], 10),
    ("one unit an encounter", SEP_DEC, [], PER_ENCOUNTER, [nov(2), nov(9), nov(16)], 7),
    ("earlier months count too, from its start", SEP_DEC, [], PER_ENCOUNTER,
     [date(2026, 8, 31), date(2026, 9, 1), date(2026, 10, 5), nov(2)], 7),
    ("after the month's end: not yet", SEP_DEC, [], PER_ENCOUNTER,
     [nov(2), date(2026, 12, 1)], 9),
    ("over: negative", auth("a", nov(1), nov(30), 2), [], PER_ENCOUNTER,
     [nov(2), nov(3), nov(4)], -1),
    ("a monthly bundle: one unit a month with an encounter",
     auth("a", date(2026, 9, 1), date(2026, 12, 31), 3, payer="mb"), [], BUNDLE,
     [date(2026, 9, 3), date(2026, 9, 10), nov(2), nov(20)], 1),
    ("no limit", auth("a", nov(1), nov(30), None), [], PER_ENCOUNTER, [nov(2)], None),
    ("requested: nothing is used against it", auth("a", None, None, 5, status="requested"),
     [], PER_ENCOUNTER, [nov(2)], 5),
    ("a renewal that overlaps takes the days it covers", SEP_DEC,
     [auth("b", nov(10), date(2027, 3, 31), 20, version="2")], PER_ENCOUNTER,
     [nov(2), nov(9), nov(16), nov(23)], 8),
    ("another payer's authorization takes none", SEP_DEC,
     [auth("b", nov(10), date(2027, 3, 31), 20, payer="mb")], PER_ENCOUNTER,
     [nov(2), nov(16)], 8),
]


@pytest.mark.parametrize(("what", "it", "others", "payer", "days", "left"), CASES,
                         ids=[case[0] for case in CASES])
def test_units_left_this_month(what, it, others, payer, days, left):
    assert units_left(it, payer, [*others, it], days, NOV_END) == left
    # Given with the others only, it is counted all the same.
    assert units_left(it, payer, others, days, NOV_END) == left


def test_the_payer_must_be_the_authorizations_own():
    with pytest.raises(ValueError, match="not mb"):
        units_left(SEP_DEC, BUNDLE, [SEP_DEC], [nov(2)], NOV_END)
