"""Hand-worked months of billing (PROTOCOL.md, additions of 2026-12-07:
"Payers: billing rules as data", `GET /v1/team/billing`)."""

from datetime import date

import pytest

from app.domain import ValidationError, validate_data
from app.domain.billing import Line, Month, month_billing, payer_totals
from app.domain.payers import Payer, payers_by_id
from tests.due_cases import SETTINGS, authorization, member, visit

PER_ENCOUNTER = Payer(
    "pe", "Plan Per Encounter", "LA", "per_encounter", "H2024", "TG", 6, "month", True
)
BUNDLE = Payer("mb", "Plan Monthly Bundle", "LA", "monthly_bundle", needs_authorization=True)
ELSEWHERE = Payer("xx", "Plan Elsewhere", "TX", "per_encounter", "H2024")
PAYERS = {p.id: p for p in (PER_ENCOUNTER, BUNDLE, ELSEWHERE)}
NOV = Month(2026, 11)
ENTRY = date(2026, 9, 1)


def nov(day: int) -> date:
    return date(2026, 11, day)


def ready(name: str = "Ana", payer: str = "pe", **fields):
    """A member of `payer`, LRS documented at entry, approved for Sep–Dec."""
    who = member(name, ENTRY, payer=payer, lrs_checked_on=ENTRY.isoformat(), **fields)
    return who, [who, authorization(who, payer, ENTRY, date(2026, 12, 31))]


def rows_of(records, month=NOV):
    return month_billing(month, records, PAYERS, SETTINGS, {})


def test_five_encounters_are_five_units_and_six_are_one_with_the_modifier():
    who, records = ready()
    five = records + [visit(who, nov(d)) for d in (2, 4, 9, 16, 23)]
    (row,) = rows_of(five)
    assert row.lines == (Line("H2024", None, 5),) and row.billable and row.blockers == ()
    assert row.encounters == tuple(nov(d) for d in (2, 4, 9, 16, 23))
    (row,) = rows_of(five + [visit(who, nov(30))])
    assert row.lines == (Line("H2024", "TG", 1),) and row.billable
    each = Payer(**{**PER_ENCOUNTER.to_wire(), "modifier_per": "encounter"})
    (row,) = month_billing(NOV, five + [visit(who, nov(30))], {"pe": each}, SETTINGS, {})
    assert row.lines == (Line("H2024", "TG", 6),)


def test_only_face_to_face_visits_that_reached_the_member_count_once_a_day():
    who, records = ready()
    records += [
        visit(who, nov(2), clock="09:00:00-06:00"),
        visit(who, nov(2), clock="15:00:00-06:00"),  # the same day: one encounter
        visit(who, nov(3), type="outreach_attempt"),  # did not reach the member
        visit(who, nov(4), f2f=False),  # a phone call
        visit(who, nov(5), setting="office"),
    ]
    (row,) = rows_of(records)
    assert row.encounters == (nov(2), nov(5)) and row.lines == (Line("H2024", None, 2),)


def test_an_encounter_a_day_outside_the_authorization_blocks_the_month():
    who = member("Bo", ENTRY, payer="pe", lrs_checked_on=ENTRY.isoformat())
    records = [who, authorization(who, "pe", ENTRY, nov(15))]
    records += [visit(who, nov(10)), visit(who, nov(16))]
    (row,) = rows_of(records)
    assert row.blockers == ("no_authorization",) and not row.billable
    assert row.lines == (Line("H2024", None, 2),)  # what would be claimed, once authorized
    (row,) = rows_of(records[:-1])
    assert row.billable


def test_units_used_up_mid_month():
    who = member("Cy", ENTRY, payer="pe", lrs_checked_on=ENTRY.isoformat())
    records = [who, authorization(who, "pe", date(2026, 10, 1), date(2027, 3, 31), units=4)]
    records += [visit(who, date(2026, 10, 20)), visit(who, date(2026, 10, 27))]
    records += [visit(who, nov(d)) for d in (3, 10)]  # the fourth unit: still within
    (row,) = rows_of(records)
    assert row.billable
    (row,) = rows_of(records + [visit(who, nov(17))])  # the fifth
    assert row.blockers == ("units_exceeded",)
    (october,) = rows_of(records + [visit(who, nov(17))], Month(2026, 10))
    assert october.billable  # October stayed within the units


def test_a_bundle_is_one_unit_a_month_and_its_units_count_months():
    who = member("Di", ENTRY, payer="mb", lrs_checked_on=ENTRY.isoformat())
    records = [who, authorization(who, "mb", ENTRY, date(2026, 12, 31), units=2)]
    records += [visit(who, date(2026, 9, 9)), visit(who, nov(2)), visit(who, nov(3))]
    (row,) = rows_of(records)
    assert row.lines == (Line(None, None, 1),) and row.billable
    records += [visit(who, date(2026, 10, 14))]  # a third month with an encounter
    (row,) = rows_of(records)
    assert row.blockers == ("units_exceeded",)


def test_lrs_checked_after_the_first_encounter():
    who = member("Ed", ENTRY, payer="pe", lrs_checked_on=nov(5).isoformat())
    records = [who, authorization(who, "pe", ENTRY, nov(30))]
    (row,) = rows_of(records + [visit(who, nov(4)), visit(who, nov(6))])
    assert row.blockers == ("lrs_not_documented",)
    (row,) = rows_of(records + [visit(who, nov(5)), visit(who, nov(6))])  # the same day: fine
    assert row.billable
    undocumented = member("Fay", ENTRY, payer="pe")
    (row,) = rows_of([undocumented, authorization(undocumented, "pe", ENTRY, nov(30)),
                      visit(undocumented, nov(9))])
    assert row.blockers == ("lrs_not_documented",)
    elsewhere = member("Gil", ENTRY, payer="xx")  # not a Louisiana payer: no LRS, no authorization
    (row,) = rows_of([elsewhere, visit(elsewhere, nov(9))])
    assert row.billable and row.lines == (Line("H2024", None, 1),)


def test_a_member_moved_between_payers_mid_month_has_a_row_for_each():
    who = member("Hal", ENTRY, payer="mb", lrs_checked_on=ENTRY.isoformat())
    records = [
        who,
        authorization(who, "pe", ENTRY, nov(14)),
        authorization(who, "mb", nov(15), date(2027, 2, 28)),
        *(visit(who, nov(d)) for d in (3, 10, 17, 24)),
    ]
    rows = {row.payer: row for row in rows_of(records)}
    assert rows["pe"].encounters == (nov(3), nov(10)) and rows["pe"].billable
    assert rows["mb"].encounters == (nov(17), nov(24)) and rows["mb"].billable
    totals = {t.payer: t for t in payer_totals(rows.values())}
    assert totals["pe"].lines == (Line("H2024", None, 2),) and totals["mb"].billable == 1


def test_a_month_across_a_daylight_saving_change_goes_by_the_teams_clock():
    who = member("Ida", ENTRY, payer="xx")
    records = [
        who,
        visit(who, date(2026, 11, 1), clock="00:30:00-05:00"),  # CDT, before the change
        visit(who, date(2026, 11, 1), clock="23:30:00-06:00"),  # CST, the same local day
        visit(who, date(2026, 10, 31), clock="23:59:00-05:00"),  # October
        visit(who, date(2026, 12, 1), clock="05:30:00+00:00"),  # 23:30 on Nov 30 in Chicago
    ]
    (row,) = rows_of(records)
    assert row.encounters == (nov(1), nov(30))


def test_pros_payers_are_left_to_the_pros_report_and_unknown_payers_to_none():
    pros = {**PAYERS, "np": Payer("np", "Plan PROS", "NY", "pros")}
    a, b = member("Jo", ENTRY, payer="np"), member("Kim", ENTRY, payer="gone")
    assert month_billing(NOV, [a, b, visit(a, nov(2)), visit(b, nov(2))], pros, SETTINGS, {}) == []


def test_months_and_payers_refuse_what_they_cannot_read():
    assert str(Month.parse("2026-11")) == "2026-11" and Month(2026, 12).next() == Month(2027, 1)
    assert Month(2026, 1).previous() == Month(2025, 12) and NOV.last == nov(30)
    for bad in ("2026-13", "26-11", "2026-1", "", None, "1999-12"):
        with pytest.raises(ValidationError):
            Month.parse(bad)
    for field, value in (("id", "Bad Id"), ("state", "la"), ("billing", "sometimes"),
                         ("modifier_at", 0), ("modifier_per", "week")):
        with pytest.raises(ValidationError) as refused:
            Payer(**{**PER_ENCOUNTER.to_wire(), field: value})
        assert refused.value.field == field
    with pytest.raises(ValidationError, match="together"):
        Payer(**{**PER_ENCOUNTER.to_wire(), "modifier": None})
    listed = [PER_ENCOUNTER.to_wire(), {"id": "newer", "billing": "from the future"}]
    assert payers_by_id(listed) == {"pe": PER_ENCOUNTER}


def test_an_approved_authorization_says_when():
    with pytest.raises(ValidationError) as refused:
        validate_data("authorization", {"member_id": "m", "payer": "pe", "status": "approved"})
    assert refused.value.field == "start_date"
    with pytest.raises(ValidationError, match="before start_date"):
        validate_data(
            "authorization",
            {"member_id": "m", "payer": "pe", "status": "requested",
             "start_date": nov(2).isoformat(), "end_date": nov(1).isoformat()},
        )
