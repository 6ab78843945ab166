"""The fields and member rules of PROTOCOL.md's additions of 2026-12-07:
what a new write must meet, what a stored record still reads as, the weekly
count, and the one rule for the job a member holds on a day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain import (
    Record,
    ValidationError,
    closed,
    counts_toward_target,
    default_service,
    job_held_on,
    last_outreach_attempts,
    member_status,
    reaches,
    reopened,
    validate_data,
)
from tests.due_cases import ON, days, job, member, visit

NOW = datetime(2026, 11, 20, 18, tzinfo=UTC)


def _visit(f2f: bool, setting: str) -> dict:
    return {"occurred_at": "2026-11-19T10:00:00-06:00", "member_id": "m1", "type": "job_support",
            "face_to_face": f2f, "setting": setting}


@pytest.mark.parametrize(
    ("f2f", "setting", "valid"),
    [(True, "community", True), (True, "office", True), (True, "phone", False),
     (True, "video", False), (False, "phone", True), (False, "video", True),
     (False, "community", False), (False, "office", False)],
)
def test_face_to_face_and_setting_agree_on_every_new_write(f2f, setting, valid):
    if valid:
        validate_data("member_visit", _visit(f2f, setting), now=NOW)
    else:
        with pytest.raises(ValidationError) as error:
            validate_data("member_visit", _visit(f2f, setting), now=NOW)
        assert error.value.field == "setting"
    # A record stored before the rule is still read: no `now`, no rule across fields.
    assert validate_data("member_visit", _visit(f2f, setting))["setting"] == setting


def test_a_closed_member_says_when_and_why_once_written_again():
    data = {"display_name": "Rowan", "program_entry": "2026-01-05", "status": "closed"}
    validate_data("member", data)  # closed before the rule: still read
    for missing, fields in (("closed_on", {"closed_reason": "Moved away"}),
                            ("closed_reason", {"closed_on": "2026-11-01"}),
                            ("closed_reason", {"closed_on": "2026-11-01", "closed_reason": " "})):
        with pytest.raises(ValidationError) as error:
            validate_data("member", {**data, **fields}, now=NOW)
        assert error.value.field == missing
    with pytest.raises(ValidationError, match="before program_entry"):
        validate_data("member", closed(data, "Moved away", date(2025, 12, 1)), now=NOW)
    done = validate_data("member", closed(data, "Moved away", date(2026, 11, 1)), now=NOW)
    assert reopened(done) == {"display_name": "Rowan", "program_entry": "2026-01-05",
                              "status": "active"}
    with pytest.raises(ValidationError, match="at most|limit is 200"):
        validate_data("member", closed(data, "x" * 201, date(2026, 11, 1)), now=NOW)


def test_a_loss_is_learned_of_on_or_after_the_end():
    data = {"member_id": "m1", "employer": "Quill Books", "start_date": "2026-01-05",
            "end_date": "2026-11-01", "end_reason": "quit"}
    validate_data("job", {**data, "loss_learned_on": "2026-11-01"})
    validate_data("job", {**data, "loss_learned_on": "2026-11-19", "hourly_wage": 16.5})
    for wrong, field in (({"loss_learned_on": "2026-10-31"}, "loss_learned_on"),
                         ({"hourly_wage": 1000.5}, "hourly_wage"),
                         ({"end_date": None, "end_reason": None,
                           "loss_learned_on": "2026-11-19"}, "loss_learned_on")):
        with pytest.raises(ValidationError) as error:
            validate_data("job", {**data, **wrong})
        assert error.value.field == field


def _contact(**fields) -> Record:
    data = {"occurred_at": "2026-11-19T10:00:00-06:00", "employer": "Quill Books",
            "face_to_face": True, **fields}
    return Record("00000000-0000-7000-8000-000000000001", "employer_contact",
                  "1763820000000.00001.t", False, data)


@pytest.mark.parametrize(
    ("fields", "counts"),
    [({}, True),  # a record from before the fields: specialist, job development
     ({"by": "specialist", "service": "job_development"}, True),
     ({"member_ids": ["m1"], "member_present": False}, True),
     ({"by": "member"}, False),  # the member alone
     ({"service": "job_support"}, False),  # a working member's employer
     ({"face_to_face": False}, False)],
)
def test_the_weekly_count(fields, counts):
    assert counts_toward_target(_contact(**fields)) is counts


def test_the_job_a_member_holds_is_one_rule():
    who = member("Rowan", days(-300))
    ending = job(who, days(-100), days(5))  # a last day ahead: still held until then
    later = job(who, days(-10), employer="Copper Kettle Diner")
    assert job_held_on([ending], ON) == ending
    assert job_held_on([ending], days(5)) == ending and job_held_on([ending], days(6)) is None
    assert job_held_on([ending, later], ON) == later
    assert member_status(who, [ending], ON).startswith("Working at Bluebird Print Shop")
    assert job_held_on([], ON) is None


def test_an_employer_contact_defaults_to_job_support_only_when_every_member_works():
    rowan, sage = member("Rowan", days(-300)), member("Sage", days(-300))
    jobs = [job(rowan, days(-10))]
    assert default_service([rowan.id], jobs, ON) == "job_support"
    assert default_service([rowan.id, sage.id], jobs, ON) == "job_development"
    assert default_service([], jobs, ON) == "job_development"
    assert default_service([rowan.id], jobs, days(-11)) == "job_development"


def test_outreach_attempts_do_not_reach_the_member():
    who = member("Rowan", days(-300))
    tried = [visit(who, days(-n), type="outreach_attempt", f2f=False) for n in (1, 3)]
    seen = visit(who, days(-5))
    assert not reaches(tried[0].data) and reaches(seen.data)
    assert last_outreach_attempts([seen, *tried]) == tried
    assert last_outreach_attempts([*tried, visit(who, ON)]) == []
