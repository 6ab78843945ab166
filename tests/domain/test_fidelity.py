"""Fidelity and outcomes: every item at the edges of its anchors, from the
shared table of teams (tests/fidelity_cases.py), the rows behind each value,
quarters, and the outcomes of the quarters before."""

from datetime import date

import pytest

from app.domain import (
    BENCHMARKS,
    ITEMS,
    Quarter,
    Record,
    SpecialistLog,
    ValidationError,
    quarter_fidelity,
    quarter_outcomes,
)
from tests.due_cases import employer_contact, job, member, visit
from tests.fidelity_cases import CASES, QUARTER, SETTINGS, SINCE, TODAY, FidelityCase


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_case_earns_its_values_and_ratings(case: FidelityCase):
    found = quarter_fidelity(case.logs(), QUARTER, SETTINGS, TODAY)
    items = {item.item: item for item in found.items}
    assert list(items) == list(ITEMS)
    for name, (value, rating) in case.expected.items():
        assert (items[name].value, items[name].rating) == (pytest.approx(value, abs=1e-4), rating)
    for name in case.no_data:
        assert (items[name].value, items[name].rating) == (None, None), items[name].evidence
    if case.outcomes is not None:
        outcomes = found.outcomes
        assert (outcomes.served, outcomes.worked, outcomes.job_starts) == case.outcomes


def test_the_table_tries_every_item_and_a_quarter_without_jobs():
    assert {name for case in CASES for name in case.expected} == set(ITEMS)
    assert any("competitive_jobs" in case.no_data for case in CASES)


def _case(name: str) -> FidelityCase:
    return next(case for case in CASES if case.name == name)


def _item(case_name: str, item: str, today: date = TODAY):
    found = quarter_fidelity(_case(case_name).logs(), QUARTER, SETTINGS, today)
    return next(i for i in found.items if i.item == item)


def test_rapid_job_search_lists_each_member_with_entry_first_contact_and_days():
    item = _item("rapid job search, 21 and 41 days after entry", "rapid_job_search")
    assert [
        (row["member"], row["program_entry"], row["first_contact"], row["days"], row["late"])
        for row in item.records
    ] == [
        ("Ines", "2026-03-02", "2026-03-23", 21, False),
        # The phone call on day 4 is not face to face.
        ("Joel", "2026-04-01", "2026-05-12", 41, True),
        # Kofi (met an employer only before entering) and Mona (first contact
        # after the quarter) are not looking for work: left out.
    ]
    assert item.evidence == (
        "For 2 members who entered from 2025-10-01 to 2026-09-30, the first face-to-face "
        "employer contact (or job start) came on average 31.0 days after program entry "
        "(1 after more than 30 days). 2 members not looking for work and never with an "
        "employer are left out. Rating 4 (31-60 days) rests on an anchor not printed in the "
        "sources: unverified."
    )


def test_rapid_job_search_counts_members_never_contacted_to_the_periods_end():
    """Ten members looking for work, one contacted on day one: the other nine
    count their days so far, not nothing (the rating was 5)."""
    entry = date(2026, 7, 1)
    seekers = [member(f"Seeker {n}", entry, job_seeking=True) for n in range(10)]
    records = [*seekers, employer_contact(date(2026, 7, 2), (seekers[0],))]
    records += [
        job(seekers[1], date(2026, 7, 11)),  # a job start counts as meeting an employer
        employer_contact(date(2026, 7, 6), (seekers[2],), by="member"),  # made alone
        member("Resting", entry),  # not looking for work, no contact, no job: left out
    ]
    found = quarter_fidelity([SpecialistLog("a", "Ada", SINCE, records)], QUARTER, SETTINGS,
                             TODAY)
    item = found.items[2]
    assert [row["days"] for row in item.records][:3] == [1, 10, 5]
    assert len(item.records) == 10 and item.records[3]["first_contact"] is None
    assert (item.value, item.rating) == ((1 + 10 + 5 + 7 * 91) / 10, 3)
    while_running = quarter_fidelity([SpecialistLog("a", "Ada", SINCE, records)], QUARTER,
                                     SETTINGS, date(2026, 7, 31))
    assert while_running.items[2].records[3]["days"] == 30  # to today, earlier than the end


def test_a_member_without_a_contact_is_late_only_30_days_after_entry():
    """While the quarter runs, a member's wait counts to today."""
    newcomer = member("Noor", date(2026, 9, 1), job_seeking=True)
    logs = [SpecialistLog("a", "Ada", SINCE, [newcomer])]
    for today, late in ((date(2026, 10, 1), False), (date(2026, 10, 2), True)):
        found = quarter_fidelity(logs, Quarter(2026, 4), SETTINGS, today)
        (row,) = found.items[2].records
        assert (row["member"], row["late"]) == ("Noor", late)


def test_caseload_rows_name_the_members_counted_largest_first():
    item = _item("a caseload of 20", "caseload_size")
    assert [(row["specialist"]["name"], row["active"]) for row in item.records] == [
        ("Ada", 20),
        ("Ben", 3),
    ]
    names = [m["name"] for m in item.records[0]["members"]]
    assert "Closed after" in names and "Closed within" not in names
    assert "Enters after" not in names and len(names) == 20
    assert item.evidence == (
        "On 2026-09-30, Ada had the largest caseload, 20 active members; the team's "
        "2 specialists had 20 and 3."
    )


def test_community_minutes_per_specialist_and_what_is_left_out():
    item = _item("65% of visit minutes in the community", "community_based_services")
    (row,) = item.records
    # 13 + 34 visits, the late one, the one without minutes and the one of 0 minutes.
    assert {k: row[k] for k in ("records", "minutes", "community_minutes", "without_minutes")} == {
        "records": 50,
        "minutes": 1000,
        "community_minutes": 650,
        "without_minutes": 1,
    }
    assert item.evidence == (
        "650 of 1,000 minutes of member visits and employer contacts from 2026-07-01 to "
        "2026-09-30 were in the community (visits there, employers met face to face): 65.0%. "
        "1 visit or contact without minutes is left out. Rating 5 (65% or more) rests on an "
        "anchor not printed in the sources: unverified."
    )


def test_employer_contacts_minutes_count_as_community_time_when_face_to_face():
    pia = member("Pia", date(2026, 2, 2))
    records = [
        pia,
        visit(pia, date(2026, 7, 1), setting="office", minutes=60),
        employer_contact(date(2026, 7, 2), minutes=30),  # met face to face: community
        employer_contact(date(2026, 7, 3), f2f=False, minutes=10),  # a call: not
        employer_contact(date(2026, 7, 4)),  # no minutes
    ]
    found = quarter_fidelity([SpecialistLog("a", "Ada", SINCE, records)], QUARTER, SETTINGS,
                             TODAY)
    item = found.items[3]
    assert item.value == 0.3 and item.rating == 2
    assert item.records[0]["without_minutes"] == 1


def test_follow_along_rows_count_each_members_items_and_list_the_missed():
    item = _item("follow-along visits on time and missed", "follow_along")
    rows = [
        (r["member"], r["employer"], r["items"], r["on_time"], r["missed"]) for r in item.records
    ]
    weekly = "follow_along_weekly"
    assert rows == [
        (
            "Rowan",
            "Bluebird Print Shop",
            8,
            6,
            [{"rule": weekly, "due": "2026-07-20"}, {"rule": weekly, "due": "2026-08-03"}],
        ),
        ("Sol", "Harbor Hardware", 3, 2,
         [{"rule": "contact_after_job_loss", "due": "2026-08-17"}]),
        ("Tia", "Quill Books", 8, 8, []),
        ("Uma", "Lantern Cafe", 3, 2, [{"rule": weekly, "due": "2026-07-08"}]),
    ]
    assert item.evidence == (
        "18 of 22 follow-along contacts due from 2026-07-01 to 2026-09-30 (before and after a "
        "job starts, weekly in its first 30 days, then monthly, after a job loss) were made on "
        "time (81.8%), for 4 members. Rating 4 (80-89%) rests on an anchor not printed in the "
        "sources: unverified."
    )


def test_job_rows_say_which_jobs_counted():
    case = "diversity and competitive jobs"
    employers = _item(case, "diversity_of_employers").records
    assert len(employers) == 20
    assert [r["employer"] for r in employers if not r["counted"]] == [
        "Harbor Hardware",
        "harbor  hardware",
        "HARBOR HARDWARE",
    ]
    titles = _item(case, "diversity_of_jobs").records
    assert (
        sorted(r["title"] for r in titles if not r["counted"]) == ["Cashier"] * 3 + ["Stocker"] * 3
    )
    competitive = _item(case, "competitive_jobs").records
    assert [r["competitive"] for r in competitive if not r["counted"]] == [False]


def test_frequent_contact_rows_hold_the_weeks_counted():
    item = _item(
        "six, four since starting, and one not started: a mean of five",
        "frequent_employer_contact",
    )
    rows = {row["specialist"]["name"]: row for row in item.records}
    assert rows["Ada"]["weeks"][0] == "2026-07-06" and rows["Ada"]["counts"] == [6] * 13
    assert rows["Ben"]["weeks"] == ["2026-09-14", "2026-09-21", "2026-09-28"]
    assert rows["Ben"]["counts"] == [4, 4, 4] and rows["Ben"]["average"] == 4
    assert rows["Cleo"] == {**rows["Cleo"], "weeks": [], "counts": [], "average": None}


def test_while_the_quarter_runs_only_finished_weeks_and_settled_items_count():
    case = _case("follow-along visits on time and missed")
    during = quarter_fidelity(case.logs(), QUARTER, SETTINGS, date(2026, 7, 21))
    follow = next(i for i in during.items if i.item == "follow_along")
    # By the 21st: each job's contacts before and after its start (met), Rowan's
    # 13 Jul (met) and 20 Jul (missed), Tia's 8 and 15 Jul, Uma's 8 Jul
    # (missed, closed on the 20th); Tia's 22 Jul is not due yet.
    assert [(r["member"], r["items"], r["on_time"]) for r in follow.records] == [
        ("Rowan", 4, 3),
        ("Tia", 4, 4),
        ("Uma", 3, 2),
    ]
    contacts = _case("six face-to-face employer contacts a week").logs()
    for today, weeks in ((date(2026, 7, 19), 1), (date(2026, 7, 20), 2)):  # Monday the 20th
        found = quarter_fidelity(contacts, QUARTER, SETTINGS, today)
        (row,) = found.items[1].records
        assert row["weeks"] == ["2026-07-06", "2026-07-13"][:weeks] and found.items[1].value == 6


def test_a_future_quarter_has_no_data_but_the_caseload():
    case = _case("diversity and competitive jobs")
    found = quarter_fidelity(case.logs(), Quarter(2028, 1), SETTINGS, TODAY)
    assert [item.item for item in found.items if item.rating is not None] == ["caseload_size"]
    assert found.items[0].evidence.startswith("On 2026-11-20, ")


def test_outcomes_of_earlier_quarters_and_the_benchmarks():
    case = _case("diversity and competitive jobs")
    earlier = quarter_outcomes(case.logs(), [QUARTER.shifted(-n) for n in (3, 2, 1, 0)], SETTINGS)
    # Jobs 0-11 start weekly from 15 Oct 2025 and all end on 31 March 2026; member
    # 0's job of 30 September to 10 October 2025 works in 2025-Q4 but starts before.
    assert [(o.served, o.worked, o.job_starts) for o in earlier] == [
        (20, 12, 12),
        (20, 12, 0),
        (20, 0, 0),
        (20, 7, 7),
    ]
    assert earlier[0].quarter == Quarter(2025, 4) and earlier[-1].employment_rate == 0.35
    assert earlier[2].employment_rate == 0.0
    wire = quarter_fidelity(case.logs(), QUARTER, SETTINGS, TODAY).outcomes.to_wire()
    assert wire["benchmarks"] == {"minimum": 0.31, "average": 0.41, "excellent": 0.50}
    assert wire["benchmarks"] == dict(BENCHMARKS)
    assert sum(row["worked"] for row in wire["records"]) == 7


def test_no_member_served_gives_no_employment_rate():
    (outcomes,) = quarter_outcomes([], [QUARTER], SETTINGS)
    assert (outcomes.served, outcomes.employment_rate) == (0, None)


def test_deleted_records_and_dates_no_rule_can_use_are_left_out():
    who = member("Rowan", date(2026, 2, 2))
    bad = Record(who.id, "member", who.version, False, {**who.data, "program_entry": "1999-01-01"})
    gone = Record(who.id, "member", who.version, True, {})
    for records in ([bad], [gone]):
        found = quarter_fidelity(
            [SpecialistLog("a", "Ada", SINCE, records)], QUARTER, SETTINGS, TODAY
        )
        assert found.items[0].value is None and found.outcomes.served == 0


# --- Quarters -------------------------------------------------------------------


def test_quarters_parse_and_bound_their_days():
    q = Quarter.parse("2026-Q4")
    assert (q, str(q), q.start, q.end) == (
        Quarter(2026, 4),
        "2026-Q4",
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    assert q.year_start == date(2026, 1, 1) and QUARTER.year_start == date(2025, 10, 1)
    assert Quarter(2024, 1).end == date(2024, 3, 31)
    assert [str(q.shifted(n)) for n in (-4, -1, 1)] == ["2025-Q4", "2026-Q3", "2027-Q1"]
    assert Quarter.of(date(2026, 9, 30)) == QUARTER == Quarter.of(date(2026, 7, 1))
    assert q.period() == {"start": "2026-10-01", "end": "2026-12-31"}


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "2026Q4", "26-Q4", "1999-Q4", "2101-Q1", 4])
def test_a_quarter_that_is_not_one_is_refused(text):
    with pytest.raises(ValidationError) as refused:
        Quarter.parse(text)
    assert refused.value.field == "quarter"


def test_each_item_on_the_wire_carries_its_anchors_and_records():
    found = quarter_fidelity(_case("a caseload of 21").logs(), QUARTER, SETTINGS, TODAY)
    wire = found.items[0].to_wire()
    assert list(wire) == ["item", "value", "rating", "evidence", "anchors", "records"]
    assert wire["anchors"][1] == {"rating": 4, "says": "21-25", "verified": True}
