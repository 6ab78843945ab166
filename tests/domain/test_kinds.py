"""Record validation: every bad field is named with what is wrong."""

import pytest

from app.domain import (
    KINDS,
    Record,
    UnknownKindError,
    ValidationError,
    data_problems,
    validate_data,
)

CONTACT = {
    "occurred_at": "2026-11-16T09:30:00-06:00",
    "employer": "Bluebird Print Shop",
    "face_to_face": True,
}
VISIT = {
    "occurred_at": "2026-11-16T11:00:00-06:00",
    "member_id": "0193a6f0-5c1e-7d4a-9a51-3f2b8c9e1d21",
    "type": "job_search",
    "face_to_face": True,
    "setting": "community",
}


def test_valid_records_pass_unchanged_and_keep_unknown_fields():
    data = {**CONTACT, "member_ids": [], "future_field": {"x": 1}}
    assert validate_data("employer_contact", data) == data
    assert validate_data("member_visit", {**VISIT, "minutes": 0, "notes": None}) is not None


@pytest.mark.parametrize(
    ("kind", "data", "field", "words"),
    [
        ("employer_contact", {**CONTACT, "employer": None}, "employer", "is required"),
        ("employer_contact", {**CONTACT, "employer": "   "}, "employer", "cannot be blank"),
        ("employer_contact", {**CONTACT, "employer": "x" * 201}, "employer", "limit is 200"),
        ("employer_contact", {**CONTACT, "notes": "n" * 4001}, "notes", "limit is 4000"),
        ("employer_contact", {**CONTACT, "face_to_face": "yes"}, "face_to_face", "true or false"),
        (
            "employer_contact",
            {**CONTACT, "occurred_at": "2026-11-16T09:30:00"},
            "occurred_at",
            "no UTC offset",
        ),
        (
            "employer_contact",
            {**CONTACT, "occurred_at": "last tuesday"},
            "occurred_at",
            "not a date and time",
        ),
        ("employer_contact", {**CONTACT, "member_ids": "abc"}, "member_ids", "list of record ids"),
        ("employer_contact", {**CONTACT, "member_ids": [""]}, "member_ids", "id of a record"),
        ("member_visit", {**VISIT, "type": "chat"}, "type", "choose one of engagement"),
        ("member_visit", {**VISIT, "setting": None}, "setting", "is required"),
        ("member_visit", {**VISIT, "minutes": 1441}, "minutes", "between 0 and 1440"),
        ("member_visit", {**VISIT, "minutes": 12.5}, "minutes", "whole number"),
        ("member_visit", {**VISIT, "minutes": True}, "minutes", "whole number"),
        (
            "member",
            {"display_name": "Rowan", "program_entry": "2026-02-30", "status": "active"},
            "program_entry",
            "not a real date",
        ),
        (
            "member",
            {"display_name": "Rowan", "program_entry": "2026-02-03", "status": "gone"},
            "status",
            "active, closed",
        ),
        (
            "job",
            {
                "member_id": "m",
                "employer": "Cafe",
                "start_date": "2026-05-01",
                "end_date": "2026-04-01",
            },
            "end_date",
            "before start_date",
        ),
        (
            "job",
            {
                "member_id": "m",
                "employer": "Cafe",
                "start_date": "2026-05-01",
                "hours_per_week": float("nan"),
            },
            "hours_per_week",
            "finite",
        ),
        ("employer", {"name": "Cafe", "phone": "1" * 51}, "phone", "limit is 50"),
    ],
)
def test_bad_field_is_named_with_the_problem(kind, data, field, words):
    with pytest.raises(ValidationError) as caught:
        validate_data(kind, data)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_unknown_kind_is_a_validation_error_listing_the_kinds():
    with pytest.raises(UnknownKindError) as caught:
        validate_data("lunch", {})
    assert caught.value.field == "kind"
    assert "employer_contact" in str(caught.value) and "'lunch'" in str(caught.value)


def test_every_kind_has_its_protocol_required_fields():
    required = {k: {f.name for f in spec.fields if f.required} for k, spec in KINDS.items()}
    assert required == {
        "employer_contact": {"occurred_at", "employer", "face_to_face"},
        "member_visit": {"occurred_at", "member_id", "type", "face_to_face", "setting"},
        "member": {"display_name", "program_entry", "status"},
        "employer": {"name"},
        "job": {"member_id", "employer", "start_date"},
        "career_profile": {"member_id"},
        "employment_plan": {"member_id", "written_on", "goal"},
        "authorization": {"member_id", "payer", "status"},
    }


def test_wire_records_are_checked_and_tombstones_may_be_empty():
    wire = {
        "id": "0193a6f0-5c1e-7d4a-9a51-3f2b8c9e1d20",
        "kind": "employer_contact",
        "version": "1763820000123.00002.6c0d6f8e-0c9f-4c59-9a3b-2b1b0c7f4a11",
        "deleted": False,
        "data": CONTACT,
    }
    assert Record.from_wire(wire).to_wire() == wire
    assert Record.from_wire({**wire, "deleted": True, "data": {}}).deleted
    for bad, field in [
        ({"id": "nope"}, "id"),
        ({"version": "17.1.x"}, "version"),
        ({"deleted": "no"}, "deleted"),
        ({"data": {}}, "occurred_at"),
    ]:
        with pytest.raises(ValidationError) as caught:
            Record.from_wire({**wire, **bad})
        assert caught.value.field == field


def test_a_form_gets_every_bad_field_at_once():
    data = {**VISIT, "type": "chat", "setting": None, "minutes": 2000}
    problems = data_problems("member_visit", data)
    assert list(problems) == ["type", "setting", "minutes"]
    assert "is required" in problems["setting"].problem
    assert data_problems("member_visit", VISIT) == {}
