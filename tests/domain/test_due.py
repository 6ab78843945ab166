"""The IPS timed rules: every rule at its boundary days, from the shared table
of caseloads (tests/due_cases.py), the member's status line, and the
follow-along items of a period against the due list of each of its days."""

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.domain import (
    RULE_IDS,
    RULES,
    DueItem,
    Record,
    closed_on,
    due_items,
    follow_along_items,
    member_status,
    status_of,
)
from tests.due_cases import (
    CASES,
    ON,
    PAYERS,
    SETTINGS,
    DueCase,
    days,
    employer_contact,
    job,
    member,
    settled,
    visit,
)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_case_gives_its_items_in_order(case: DueCase):
    items = due_items(case.records, case.on, SETTINGS, PAYERS)
    assert [(i.member, i.rule, i.due, i.status) for i in items] == list(case.expected)


def test_the_table_tries_every_rule():
    tried = {rule for case in CASES for _, rule, _, _ in case.expected}
    assert tried == set(RULE_IDS)


def test_the_rules_are_protocols_in_its_order():
    assert RULE_IDS == (
        "career_profile",
        "first_employer_contact",
        "contact_before_job_start",
        "contact_after_job_start",
        "follow_along_weekly",
        "follow_along_monthly",
        "contact_after_job_loss",
        "work_incentives",
        "employment_plan",
        "plan_review",
        "lrs_check",
        "authorization",
        "authorization_renewal",
    )
    assert {rule.id: rule.days for rule in RULES}["contact_after_job_start"] == 3


def test_an_item_says_what_to_do_and_names_what_would_meet_it():
    who, made = settled("Rowan")
    listed = due_items([*made, job(who, days(-1))], ON, SETTINGS)
    items = [i for i in listed if i.rule not in ("contact_before_job_start", "work_incentives")]
    assert items[0] == DueItem(
        rule="contact_after_job_start",
        member_id=who.id,
        member="Rowan",
        due=days(2),
        status="due",
        evidence="a face-to-face member visit that reached Rowan from 2026-11-19 to 2026-11-22",
        says="See Rowan face to face within 3 days of the job start at Bluebird Print Shop",
    )
    assert items[0].to_wire() == {
        "rule": "contact_after_job_start",
        "member_id": who.id,
        "member": "Rowan",
        "due": "2026-11-22",
        "status": "due",
        "evidence": "a face-to-face member visit that reached Rowan from 2026-11-19 to "
        "2026-11-22",
        "says": "See Rowan face to face within 3 days of the job start at Bluebird Print Shop",
    }
    assert items[1].says == (
        "See Rowan face to face every week in the first 30 days of the job at Bluebird Print Shop"
    )


def test_every_rule_has_words_for_every_item():
    said = {}
    for case in CASES:
        for item in due_items(case.records, case.on, SETTINGS, PAYERS):
            said[item.rule] = (item.says, item.evidence)
    assert set(said) == set(RULE_IDS)
    for says, evidence in said.values():
        assert "{" not in says + evidence and says[0].isupper()


@pytest.mark.parametrize(
    ("due", "status"),
    [(-1, "overdue"), (0, "due"), (7, "due"), (8, "upcoming")],
)
def test_status_by_days_to_the_due_date(due, status):
    assert status_of(ON + timedelta(days=due), ON) == status


def test_tombstones_never_count_even_with_their_old_data():
    who = member("Rowan", days(-31), job_seeking=True)
    contact = employer_contact(days(-2), (who,))
    gone_contact = replace(contact, deleted=True)
    items = due_items([who, gone_contact], ON, SETTINGS)
    assert [i.rule for i in items] == ["career_profile", "first_employer_contact"]
    assert due_items([replace(who, deleted=True)], ON, SETTINGS) == []
    start = visit(who, days(-2))
    kept = due_items([who, contact, job(who, days(-2)), start], ON, SETTINGS)
    gone = due_items([who, contact, job(who, days(-2)), replace(start, deleted=True)], ON, SETTINGS)
    assert "contact_after_job_start" not in {i.rule for i in kept}
    assert "contact_after_job_start" in {i.rule for i in gone}


def test_records_of_members_not_on_the_caseload_are_passed_over():
    stranger = member("Not here", days(-100))
    assert due_items([visit(stranger, days(-1)), job(stranger, days(-1))], ON, SETTINGS) == []


def test_an_empty_caseload_has_nothing_due():
    assert due_items([], ON, SETTINGS) == []


class TestMemberStatus:
    def test_looking_and_not_looking_for_work(self):
        assert member_status(member("Rowan", days(-5), job_seeking=True), [], ON) == (
            "Looking for work"
        )
        assert member_status(member("Rowan", days(-5)), [], ON) == "Not looking for work"

    def test_closed_comes_first(self):
        who = member("Rowan", days(-5), status="closed")
        assert member_status(who, [job(who, days(-3))], ON) == "Closed"

    def test_working_since_the_start_of_the_newest_job_held(self):
        who = member("Rowan", days(-90))
        jobs = [job(who, date(2026, 3, 2), employer="Copper Kettle Diner"), job(who, days(-17))]
        assert member_status(who, jobs, ON) == "Working at Bluebird Print Shop since 3 Nov"
        old = [job(who, date(2025, 12, 1), employer="Copper Kettle Diner")]
        assert member_status(who, old, ON) == "Working at Copper Kettle Diner since 1 Dec 2025"

    def test_the_last_day_of_a_job_is_still_working(self):
        who = member("Rowan", days(-90), job_seeking=True)
        ended = [job(who, days(-60), ON)]
        assert member_status(who, ended, ON) == "Working at Bluebird Print Shop since 21 Sep"
        assert member_status(who, ended, days(1)) == "Between jobs since 20 Nov"

    def test_between_jobs_since_the_last_end(self):
        who = member("Rowan", days(-90), job_seeking=True)
        jobs = [job(who, days(-80), date(2026, 9, 1)), job(who, days(-50), date(2026, 10, 12))]
        assert member_status(who, jobs, ON) == "Between jobs since 12 Oct"

    def test_a_job_ahead(self):
        who = member("Rowan", days(-90), job_seeking=True)
        assert member_status(who, [job(who, date(2026, 12, 1))], ON) == (
            "Starting at Bluebird Print Shop on 1 Dec"
        )

    def test_other_members_jobs_and_deleted_jobs_do_not_count(self):
        who, other = member("Rowan", days(-90)), member("Sage", days(-90))
        jobs = [job(other, days(-3)), replace(job(who, days(-3)), deleted=True)]
        assert member_status(who, jobs, ON) == "Not looking for work"


def test_no_two_cases_share_a_record():
    """The phone's and the server's tests hold every case at once: each case's
    items are then the items of its own members."""
    ids = [record.id for case in CASES for record in case.records]
    assert len(ids) == len(set(ids))


def test_records_with_dates_no_rule_can_use_are_left_out():
    """Stored before the limits of 2026-11-25: the server may still hold them."""
    who, made = settled("Rowan")
    broken_member = replace(
        member("Sage", days(-40)),
        data={"display_name": "Sage", "program_entry": "9999-12-31", "status": "active"},
    )
    far_visit = visit(who, days(-1))
    far_visit = replace(
        far_visit, data={**far_visit.data, "occurred_at": "9999-12-31T10:00:00+00:00"}
    )
    early_job = job(who, days(-1))
    early_job = replace(early_job, data={**early_job.data, "start_date": "0001-01-01"})
    items = due_items(
        [*made, broken_member, far_visit, early_job, job(who, days(-2))], ON, SETTINGS
    )
    assert [(i.member, i.rule) for i in items] == [
        ("Rowan", "contact_before_job_start"),
        ("Rowan", "work_incentives"),
        ("Rowan", "contact_after_job_start"),
        ("Rowan", "follow_along_weekly"),
    ]
    assert member_status(who, [early_job], ON) == "Not looking for work"


def test_closing_is_dated_by_the_apps_closed_on_else_the_records_last_change():
    closed = member("Yara", date(2026, 1, 5), closed_on=date(2026, 9, 15))
    assert closed_on(closed, SETTINGS) == date(2026, 9, 15)
    assert closed_on(member("Zeno", date(2026, 1, 5)), SETTINGS) is None
    # Closed by the app on 1 Sep, edited later: the app's date stands.
    dated = Record(closed.id, "member", closed.version, False,
                   {**closed.data, "closed_on": "2026-09-01"})
    assert closed_on(dated, SETTINGS) == date(2026, 9, 1)
    garbled = Record(closed.id, "member", closed.version, False,
                     {**closed.data, "closed_on": "soon"})
    assert closed_on(garbled, SETTINGS) == date(2026, 9, 15)


# --- Follow-along over a period ----------------------------------------------


def _replayed(records, first: date, last: date, today: date) -> list[tuple]:
    """follow_along_items the slow way: the due list of every day, a closed
    member taken as active before the day of closing."""
    visits: dict[str, set[date]] = {}  # face to face, reached
    attempts: dict[str, set[date]] = {}
    for r in records:
        if r.kind == "member_visit" and not r.deleted:
            day = SETTINGS.local_date(r.data["occurred_at"])
            if r.data["type"] == "outreach_attempt":
                attempts.setdefault(r.data["member_id"], set()).add(day)
            elif r.data["face_to_face"]:
                visits.setdefault(r.data["member_id"], set()).add(day)
    until = min(last + timedelta(days=1), today - timedelta(days=1))
    listed: dict[tuple, list[date]] = {}
    day = first - timedelta(days=30)
    while day <= until:
        as_then = [_active_before_closing(r, day) for r in records]
        for item in due_items(as_then, day, SETTINGS):
            if item.rule.startswith("follow_along"):
                key = (item.member_id, item.rule, item.due, item.evidence, item.says)
                listed.setdefault(key, []).append(day)
        day += timedelta(days=1)
    settled = []
    for (member_id, rule, due, _, _), listed_on in listed.items():
        after = max(listed_on) + timedelta(days=1)
        meeting = visits.get(member_id, set())
        if rule == "follow_along_monthly":
            meeting = meeting | attempts.get(member_id, set())
        met = after if after <= min(due, until) and after in meeting else None
        if first <= due <= last and (met or due <= max(listed_on)):
            settled.append((member_id, rule, due, met))
    return sorted(settled)


def _active_before_closing(record: Record, day: date) -> Record:
    closing = closed_on(record, SETTINGS) if record.kind == "member" else None
    if closing is None or day >= closing:
        return record
    active = {**record.data, "status": "active"}
    return Record(record.id, record.kind, record.version, False, active)


def _walked(records, first: date, last: date, today: date) -> list[tuple]:
    """The weekly and monthly items: those the due list shows every day of a
    job (the rules set once by a job's start or end are tried on their own)."""
    items = follow_along_items(records, first, last, SETTINGS, today=today)
    return sorted(
        (i.member_id, i.rule, i.due, i.met_on) for i in items if i.rule.startswith("follow_along")
    )


def test_follow_along_items_are_the_due_lists_of_each_day():
    first, last, today = days(-45), days(3), days(8)
    for case in CASES:
        walked = _walked(case.records, first, last, today)
        assert walked == _replayed(case.records, first, last, today), case.name


@pytest.mark.parametrize("seed", range(12))
def test_follow_along_items_are_the_due_lists_of_each_day_on_random_work(seed):
    rng = random.Random(seed)
    first, last = date(2026, 7, 1), date(2026, 9, 30)
    records: list[Record] = []
    for n in range(3):
        closing = date(2026, 8, 1) + timedelta(days=rng.randrange(90)) if n == 2 else None
        who = member(f"M{n}", date(2026, 1, 5), closed_on=closing)
        records.append(who)
        start = first - timedelta(days=rng.randrange(-30, 90))
        for _ in range(rng.randrange(1, 4)):
            end = start + timedelta(days=rng.randrange(3, 120)) if rng.random() < 0.5 else None
            records.append(job(who, start, end, employer=f"Employer {rng.randrange(3)}"))
            start += timedelta(days=rng.randrange(-10, 60))
        for _ in range(rng.randrange(0, 25)):
            day = first + timedelta(days=rng.randrange(-60, 110))
            kind = "outreach_attempt" if rng.random() < 0.15 else "job_support"
            records.append(visit(who, day, f2f=rng.random() < 0.85, type=kind))
    records.append(employer_contact(first))  # not read by these rules
    for today in (date(2026, 8, 15), date(2026, 12, 1)):
        assert _walked(records, first, last, today) == _replayed(records, first, last, today)


def test_payer_rules_need_the_payers_and_name_the_payer():
    who, made = settled("Sol", payer="acla")
    assert {i.rule for i in due_items(made, ON, SETTINGS)} == set()  # no payers known: none
    items = due_items(made, ON, SETTINGS, PAYERS)
    assert [i.rule for i in items] == ["lrs_check", "authorization"]
    assert items[1].says == "Ask AmeriHealth Caritas Louisiana to authorize Sol's services"
    closed, _ = settled("Sol", payer="acla", closed_on=days(-1))
    assert due_items([closed], ON, SETTINGS, PAYERS) == []
