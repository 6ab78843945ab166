"""The limits every record must meet (PROTOCOL.md additions of 2026-11-25),
table by table: each bad value names its field, each value at the edge passes."""

from datetime import UTC, datetime, timedelta

import pytest

from app.domain import Record, ValidationError, validate_data
from app.domain.limits import MAX_DATA_BYTES, MAX_DEPTH

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
CONTACT = {
    "occurred_at": "2026-11-16T09:30:00-06:00",
    "employer": "Bluebird Print Shop",
    "face_to_face": True,
}
MEMBER = {"display_name": "Rowan", "program_entry": "2026-02-03", "status": "active"}
PLAN = {"member_id": "m1", "written_on": "2026-03-01", "goal": "Work in a kitchen"}


def nested(levels: int) -> dict:
    """A data object that nests `levels` levels deep, itself included."""
    inner: dict = {"leaf": 1}
    for _ in range(levels - 2):
        inner = {"x": inner}
    return {**CONTACT, "extra": inner}


def at(delta: timedelta) -> str:
    return (NOW + delta).isoformat()


@pytest.mark.parametrize(
    ("kind", "data", "field", "words"),
    [
        ("employer_contact", {**CONTACT, "occurred_at": at(timedelta(minutes=16))},
         "occurred_at", "in the future"),
        ("employer_contact", {**CONTACT, "occurred_at": at(timedelta(days=2))},
         "occurred_at", "in the future"),
        ("employer_contact", {**CONTACT, "occurred_at": "9999-12-31T23:59:59-06:00"},
         "occurred_at", "between 2000-01-01 and 2100-12-31"),
        ("employer_contact", {**CONTACT, "occurred_at": "0001-01-01T00:00:00+00:00"},
         "occurred_at", "between 2000-01-01 and 2100-12-31"),
        ("employer_contact", {**CONTACT, "occurred_at": "1999-12-31T23:59:59+00:00"},
         "occurred_at", "between"),
        ("employer_contact", {**CONTACT, "employer": "Bake\x00ry"}, "employer", "NUL"),
        ("employer_contact", {**CONTACT, "notes": "x\ud800y"}, "notes", "broken character"),
        ("employer_contact", {**CONTACT, "extra": {"deep": ["\udfff"]}}, "extra",
         "broken character"),
        ("employer_contact", {**CONTACT, "odd\x00key": 1}, "data", "NUL"),
        ("employer_contact", {**CONTACT, "extra": {"odd\ud800key": 1}}, "extra", "broken"),
        ("employer_contact", {**CONTACT, "extra": [float("inf")]}, "extra", "not finite"),
        ("employer_contact", nested(MAX_DEPTH + 1), "extra", f"more than {MAX_DEPTH} levels"),
        ("employer_contact", {**CONTACT, "extra": "x" * MAX_DATA_BYTES}, "data", "at most"),
        ("member", {**MEMBER, "program_entry": "1999-12-31"}, "program_entry", "between"),
        ("member", {**MEMBER, "program_entry": "2101-01-01"}, "program_entry", "between"),
        ("career_profile", {"member_id": "m1", "completed_on": "9999-01-01"}, "completed_on",
         "between"),
        ("career_profile", {"member_id": "m1", "disclosure": "maybe"}, "disclosure",
         "yes, no, undecided"),
        ("employment_plan", {**PLAN, "goal": " "}, "goal", "cannot be blank"),
        ("employment_plan", {**PLAN, "next_review": "2200-01-01"}, "next_review", "between"),
        ("employment_plan", {**PLAN, "steps": [{"text": "Call", "by": "0001-01-01"}]}, "steps",
         "item 1: by is 0001-01-01"),
        ("employment_plan", {**PLAN, "steps": [{"who": "me"}]}, "steps",
         "item 1: text is required"),
        ("employment_plan", {**PLAN, "steps": [{"text": "a"}] * 51}, "steps", "at most 50"),
        ("employment_plan", {**PLAN, "steps": ["call"]}, "steps", "must be an object"),
        ("job", {"member_id": "m", "employer": "Cafe", "start_date": "2026-05-01",
                 "end_date": "2026-06-01"}, "end_reason", "required when the job has ended"),
        ("job", {"member_id": "m", "employer": "Cafe", "start_date": "2026-05-01",
                 "end_date": "2026-06-01", "end_reason": "bored"}, "end_reason", "laid_off"),
    ],
)
def test_values_beyond_the_limits_are_refused_on_their_field(kind, data, field, words):
    with pytest.raises(ValidationError) as caught:
        validate_data(kind, data, now=NOW)
    assert caught.value.field == field
    assert words in caught.value.problem


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("employer_contact", {**CONTACT, "occurred_at": at(timedelta(minutes=15))}),
        ("employer_contact", {**CONTACT, "occurred_at": "2000-01-01T00:00:00+00:00"}),
        ("employer_contact", nested(MAX_DEPTH)),
        ("employer_contact", {**CONTACT, "notes": "Emoji \U0001f600 and accents: caf\u00e9"}),
        ("member", {**MEMBER, "program_entry": "2100-12-31"}),
        ("member", {**MEMBER, "program_entry": "2000-01-01"}),
        ("employment_plan", {**PLAN, "steps": [{"text": "a", "done": True}] * 50}),
        ("job", {"member_id": "m", "employer": "Cafe", "start_date": "2026-05-01",
                 "end_date": "2026-05-01", "end_reason": "temporary_ended"}),
    ],
)
def test_values_at_the_edges_pass(kind, data):
    assert validate_data(kind, data, now=NOW) == data


def test_a_record_already_accepted_is_not_judged_by_the_readers_clock():
    """A pulled record carries no `now`: a phone whose clock is behind still stores it."""
    data = {**CONTACT, "occurred_at": at(timedelta(days=1))}
    assert validate_data("employer_contact", data) == data
    with pytest.raises(ValidationError):
        validate_data("employer_contact", data, now=NOW)


def test_tombstones_are_held_to_the_same_limits():
    wire = {
        "id": "0193a6f0-5c1e-7d4a-9a51-3f2b8c9e1d20",
        "kind": "employer_contact",
        "version": "1763820000123.00002.6c0d6f8e-0c9f-4c59-9a3b-2b1b0c7f4a11",
        "deleted": True,
    }
    assert Record.from_wire({**wire, "data": {}}).deleted
    with pytest.raises(ValidationError) as caught:
        Record.from_wire({**wire, "data": {"why": "\ud800"}})
    assert caught.value.field == "why"
    with pytest.raises(ValidationError):
        Record.from_wire({**wire, "data": nested(300)})


def test_nesting_thousands_deep_is_refused_without_exhausting_the_stack():
    data: dict = {}
    for _ in range(50_000):
        data = {"x": data}
    with pytest.raises(ValidationError) as caught:
        validate_data("employer_contact", {**CONTACT, "deep": data})
    assert caught.value.field == "deep"


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("job", {"member_id": "m", "employer": "Cafe", "start_date": "2026-05-01",
                 "hours_per_week": 10**400}, "hours_per_week"),
        ("member_visit", {**CONTACT, "member_id": "m", "type": "job_search",
                          "setting": "office", "minutes": -(10**4000)}, "minutes"),
        ("member", {**MEMBER, "status": "x" * 10_000}, "status"),
        ("member", {**MEMBER, "status": [[[["deep"]]]]}, "status"),
        ("lunch" * 10_000, CONTACT, "kind"),
        ([["nested kind"]], CONTACT, "kind"),
    ],
)
def test_huge_or_nested_values_are_refused_with_a_short_message(kind, data, field):
    """Numbers too large for a float, and whatever a message would quote, stay
    a plain refusal: a short message, never an overflow or a copy of the input."""
    with pytest.raises(ValidationError) as caught:
        validate_data(kind, data, now=NOW)
    assert caught.value.field == field
    assert len(str(caught.value)) < 300
