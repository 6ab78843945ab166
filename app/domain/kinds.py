"""The record kinds of PROTOCOL.md, defined once as data.

The device validates with these specs and the central store builds its request
models from them, so both sides always agree on what a valid record is.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .errors import UnknownKindError, ValidationError, shown
from .limits import (
    EARLIEST_INSTANT,
    check_data_limits,
    check_date_range,
    check_not_future,
    check_text,
)


class FieldType(StrEnum):
    TEXT = "text"
    BOOL = "bool"
    DATETIME = "datetime"  # ISO 8601 with a UTC offset
    DATE = "date"  # YYYY-MM-DD
    INT = "int"
    NUMBER = "number"
    REF = "ref"  # the id of another record
    REF_LIST = "ref_list"
    CHOICE = "choice"
    ITEMS = "items"  # a list of objects, each with the fields in `items`


# Text without a limit in PROTOCOL.md still gets one, as long as the notes field's.
DEFAULT_TEXT_LIMIT = 4000
REF_LIMIT = 100


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType
    required: bool = False
    max_length: int = DEFAULT_TEXT_LIMIT
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    items: tuple[FieldSpec, ...] = ()  # for ITEMS: the fields of each object
    max_items: int = 50


@dataclass(frozen=True)
class KindSpec:
    name: str
    fields: tuple[FieldSpec, ...]
    # The field that places a record in time (and so in a week), if any.
    time_field: str | None = None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


F = FieldType
VISIT_TYPES = (
    "engagement",
    "career_profile",
    "job_search",
    "work_incentives",
    "job_support",
    "outreach_attempt",
    "education",
    "other",
)
VISIT_SETTINGS = ("community", "office", "phone", "video")
# Where a face-to-face visit can happen; the others are at a distance.
FACE_TO_FACE_SETTINGS = ("community", "office")
CONTACT_BY = ("specialist", "member")
CONTACT_SERVICES = ("job_development", "job_support")
PROS_SERVICES = ("IR", "ORS", "CRS")
DISCHARGE_EMPLOYMENT = ("competitive", "other_paid", "not_employed", "unknown")
AUTHORIZATION_STATUSES = ("requested", "approved", "denied")
MEMBER_STATUSES = ("active", "closed")
DISCLOSURE_CHOICES = ("yes", "no", "undecided")
JOB_END_REASONS = ("quit", "fired", "laid_off", "temporary_ended", "other")
PROFILE_SECTIONS = (
    "work_goal",
    "work_history",
    "education",
    "interests",
    "strengths",
    "skills",
    "preferences",
    "supports",
    "benefits",
    "contacts",
)

KINDS: Mapping[str, KindSpec] = {
    k.name: k
    for k in (
        KindSpec(
            "employer_contact",
            (
                FieldSpec("occurred_at", F.DATETIME, required=True),
                FieldSpec("employer", F.TEXT, required=True, max_length=200),
                FieldSpec("employer_id", F.REF),
                FieldSpec("contact_person", F.TEXT),
                FieldSpec("face_to_face", F.BOOL, required=True),
                FieldSpec("member_ids", F.REF_LIST),
                FieldSpec("member_present", F.BOOL),
                FieldSpec("by", F.CHOICE, choices=CONTACT_BY),
                FieldSpec("service", F.CHOICE, choices=CONTACT_SERVICES),
                FieldSpec("minutes", F.INT, minimum=0, maximum=1440),
                FieldSpec("purpose", F.TEXT),
                FieldSpec("outcome", F.TEXT),
                FieldSpec("notes", F.TEXT),
            ),
            time_field="occurred_at",
        ),
        KindSpec(
            "member_visit",
            (
                FieldSpec("occurred_at", F.DATETIME, required=True),
                FieldSpec("member_id", F.REF, required=True),
                FieldSpec("type", F.CHOICE, required=True, choices=VISIT_TYPES),
                FieldSpec("face_to_face", F.BOOL, required=True),
                FieldSpec("setting", F.CHOICE, required=True, choices=VISIT_SETTINGS),
                FieldSpec("minutes", F.INT, minimum=0, maximum=1440),
                FieldSpec("pros_service", F.CHOICE, choices=PROS_SERVICES),
                FieldSpec("notes", F.TEXT),
            ),
            time_field="occurred_at",
        ),
        KindSpec(
            "member",
            (
                FieldSpec("display_name", F.TEXT, required=True, max_length=200),
                FieldSpec("program_entry", F.DATE, required=True),
                FieldSpec("status", F.CHOICE, required=True, choices=MEMBER_STATUSES),
                FieldSpec("job_seeking", F.BOOL),
                FieldSpec("closed_on", F.DATE),
                FieldSpec("closed_reason", F.TEXT, max_length=200),
                FieldSpec("payer", F.REF),
                FieldSpec("lrs_checked_on", F.DATE),
                FieldSpec("follow_along_ended_on", F.DATE),
                FieldSpec("discharge_employment", F.CHOICE, choices=DISCHARGE_EMPLOYMENT),
                FieldSpec("notes", F.TEXT),
            ),
        ),
        KindSpec(
            "employer",
            (
                FieldSpec("name", F.TEXT, required=True, max_length=200),
                FieldSpec("address", F.TEXT),
                FieldSpec("phone", F.TEXT, max_length=50),
                FieldSpec("industry", F.TEXT, max_length=200),
                FieldSpec("notes", F.TEXT),
            ),
        ),
        KindSpec(
            "job",
            (
                FieldSpec("member_id", F.REF, required=True),
                FieldSpec("employer", F.TEXT, required=True, max_length=200),
                FieldSpec("title", F.TEXT, max_length=200),
                FieldSpec("start_date", F.DATE, required=True),
                FieldSpec("end_date", F.DATE),
                FieldSpec("end_reason", F.CHOICE, choices=JOB_END_REASONS),
                FieldSpec("loss_learned_on", F.DATE),
                FieldSpec("hours_per_week", F.NUMBER, minimum=0, maximum=168),
                FieldSpec("hourly_wage", F.NUMBER, minimum=0, maximum=1000),
                FieldSpec("competitive", F.BOOL),
            ),
        ),
        KindSpec(
            "career_profile",
            (
                FieldSpec("member_id", F.REF, required=True),
                FieldSpec("completed_on", F.DATE),
                *(FieldSpec(name, F.TEXT) for name in PROFILE_SECTIONS),
                FieldSpec("disclosure", F.CHOICE, choices=DISCLOSURE_CHOICES),
                FieldSpec("notes", F.TEXT),
            ),
        ),
        KindSpec(
            "employment_plan",
            (
                FieldSpec("member_id", F.REF, required=True),
                FieldSpec("written_on", F.DATE, required=True),
                FieldSpec("goal", F.TEXT, required=True),
                FieldSpec(
                    "steps",
                    F.ITEMS,
                    items=(
                        FieldSpec("text", F.TEXT, required=True),
                        FieldSpec("who", F.TEXT, max_length=200),
                        FieldSpec("by", F.DATE),
                        FieldSpec("done", F.BOOL),
                    ),
                ),
                FieldSpec("next_review", F.DATE),
                FieldSpec("notes", F.TEXT),
            ),
        ),
        KindSpec(
            "authorization",
            (
                FieldSpec("member_id", F.REF, required=True),
                FieldSpec("payer", F.REF, required=True),
                FieldSpec("status", F.CHOICE, required=True, choices=AUTHORIZATION_STATUSES),
                FieldSpec("number", F.TEXT, max_length=100),
                FieldSpec("start_date", F.DATE),
                FieldSpec("end_date", F.DATE),
                FieldSpec("units", F.INT, minimum=0, maximum=100_000),
                FieldSpec("notes", F.TEXT),
            ),
        ),
    )
}

KIND_NAMES: tuple[str, ...] = tuple(KINDS)


def kind_spec(kind: object) -> KindSpec:
    if not isinstance(kind, str) or kind not in KINDS:
        raise UnknownKindError(kind, KIND_NAMES)
    return KINDS[kind]


def parse_datetime(value: object, field: str = "occurred_at") -> datetime:
    """An ISO 8601 date and time that carries its UTC offset, from 2000-01-01 on
    and within the dates records may hold (so converting it can never overflow)."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValidationError(field, f"must be a date and time text, {_DATETIME_EXAMPLE}")
    return _parse_datetime_text(value, field)


_DATETIME_EXAMPLE = "like 2026-11-16T14:30:00-06:00"


# A pushed record's time is read three times (its field, not in the future,
# the week it counts in): each text is parsed once. Failures are not kept.
@functools.lru_cache(maxsize=1024)
def _parse_datetime_text(value: str, field: str) -> datetime:
    example = _DATETIME_EXAMPLE
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(field, f"{value!r} is not a date and time, {example}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValidationError(field, f"{value!r} has no UTC offset; give one, {example}")
    check_date_range(parsed.date(), field)
    if parsed < EARLIEST_INSTANT:
        raise ValidationError(field, f"is {value}; times must be from 2000-01-01 on")
    return parsed


def parse_date(value: object, field: str) -> date:
    """A YYYY-MM-DD date within the dates records may hold."""
    if not isinstance(value, str) or len(value) != 10:
        raise ValidationError(field, "must be a date written YYYY-MM-DD, like 2026-11-16")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationError(field, f"{value!r} is not a real date (YYYY-MM-DD)") from None
    check_date_range(day, field)
    return day


def _check_ref(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "must be the id of a record (a non-empty text)")
    if len(value) > REF_LIMIT:
        raise ValidationError(
            field, f"is {len(value)} characters long; an id has at most {REF_LIMIT}"
        )


def _check_field(spec: FieldSpec, value: Any) -> None:
    name = spec.name
    match spec.type:
        case F.TEXT:
            if not isinstance(value, str):
                raise ValidationError(name, "must be text")
            check_text(value, name)
            if spec.required and not value.strip():
                raise ValidationError(name, "is required and cannot be blank")
            if len(value) > spec.max_length:
                raise ValidationError(
                    name, f"is {len(value)} characters long; the limit is {spec.max_length}"
                )
        case F.BOOL:
            if not isinstance(value, bool):
                raise ValidationError(name, "must be true or false")
        case F.DATETIME:
            parse_datetime(value, name)
        case F.DATE:
            parse_date(value, name)
        case F.INT | F.NUMBER:
            whole = spec.type is F.INT
            if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
                raise ValidationError(
                    name, "must be a whole number" if whole else "must be a number"
                )
            if isinstance(value, float) and not math.isfinite(value):
                raise ValidationError(name, "must be a finite number")
            lo, hi = spec.minimum, spec.maximum
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise ValidationError(
                    name, f"is {shown(value)}; it must be between {lo:g} and {hi:g}"
                )
        case F.REF:
            _check_ref(value, name)
        case F.REF_LIST:
            if not isinstance(value, list):
                raise ValidationError(name, "must be a list of record ids (empty for none)")
            if len(value) > REF_LIMIT:
                raise ValidationError(name, f"lists {len(value)} ids; at most {REF_LIMIT}")
            for item in value:
                _check_ref(item, name)
        case F.CHOICE:
            if value not in spec.choices:
                raise ValidationError(
                    name, f"{shown(value)} is not allowed; choose one of {', '.join(spec.choices)}"
                )
        case F.ITEMS:
            if not isinstance(value, list):
                raise ValidationError(name, "must be a list")
            if len(value) > spec.max_items:
                raise ValidationError(name, f"has {len(value)} items; at most {spec.max_items}")
            for number, item in enumerate(value, start=1):
                if not isinstance(item, Mapping):
                    raise ValidationError(name, f"item {number} must be an object of fields")
                try:
                    _check_fields(spec.items, item)
                except ValidationError as error:
                    raise ValidationError(
                        name, f"item {number}: {error.field} {error.problem}"
                    ) from None


def _check_fields(fields: tuple[FieldSpec, ...], data: Mapping[str, Any]) -> None:
    first = next(_field_problems(fields, data), None)
    if first is not None:
        raise first


def _field_problems(
    fields: tuple[FieldSpec, ...], data: Mapping[str, Any]
) -> Iterator[ValidationError]:
    for field in fields:
        value = data.get(field.name)
        try:
            if value is None:
                if field.required:
                    raise ValidationError(field.name, "is required")
                continue
            _check_field(field, value)
        except ValidationError as problem:
            yield problem


def _problems(spec: KindSpec, data: object, now: datetime | None) -> Iterator[ValidationError]:
    """Every rule `data` breaks, field by field in the kind's order."""
    try:
        check_data_shape(data)
    except ValidationError as shapeless:
        yield shapeless
        return
    assert isinstance(data, Mapping)
    broken = False
    for field_problem in _field_problems(spec.fields, data):
        broken = True
        yield field_problem
    if broken:
        return  # the rules across fields assume each field is right
    try:
        _RULES.get(spec.name, _no_rule)(data)
        if now is not None:
            # Rules that records stored before 2026-12-07 may break: such a
            # record is still read and shown, and the next change must meet them.
            _WRITE_RULES.get(spec.name, _no_rule)(data)
            if spec.time_field and data.get(spec.time_field) is not None:
                check_not_future(parse_datetime(data[spec.time_field]), now, spec.time_field)
    except ValidationError as problem:
        yield problem


def validate_data(kind: object, data: object, *, now: datetime | None = None) -> dict[str, Any]:
    """Check `data` against its kind and the limits every record must meet;
    return it unchanged (unknown fields kept).

    With `now`, a record being logged or pushed: the kind's time
    (occurred_at) may not lie in the future, and the rules across fields of
    2026-12-07 apply. Without, a record already stored: only what every
    stored record meets. Raises ValidationError naming the
    first bad field. Optional fields may be missing or null.
    """
    first = next(_problems(kind_spec(kind), data, now), None)
    if first is not None:
        raise first
    assert isinstance(data, Mapping)
    return dict(data)


def data_problems(
    kind: object, data: object, *, now: datetime | None = None
) -> dict[str, ValidationError]:
    """Every bad field at once (the first problem of each), for a form to show
    them all; empty when `validate_data` would pass."""
    found: dict[str, ValidationError] = {}
    for problem in _problems(kind_spec(kind), data, now):
        found.setdefault(problem.field, problem)
    return found


def check_data_shape(data: object) -> None:
    """`data` is an object within the limits on size, depth and text (tombstones too)."""
    if not isinstance(data, Mapping):
        raise ValidationError("data", "must be an object of fields")
    check_data_limits(data)


def _check_job(data: Mapping[str, Any]) -> None:
    end = data.get("end_date")
    if end is None:
        if data.get("loss_learned_on") is not None:
            raise ValidationError("loss_learned_on", "is set, but the job has no end_date")
        return
    if end < data["start_date"]:
        raise ValidationError("end_date", "is before start_date")
    if data.get("end_reason") is None:
        raise ValidationError(
            "end_reason", f"is required when the job has ended; one of {', '.join(JOB_END_REASONS)}"
        )
    learned = data.get("loss_learned_on")
    if learned is not None and learned < end:
        raise ValidationError("loss_learned_on", "is before end_date, when the job ended")


def _check_authorization(data: Mapping[str, Any]) -> None:
    """An approved authorization says from when to when (PROTOCOL.md, additions
    of 2026-12-07, "New kinds")."""
    start, end = data.get("start_date"), data.get("end_date")
    if data["status"] == "approved":
        for name, value in (("start_date", start), ("end_date", end)):
            if value is None:
                raise ValidationError(name, "is required when the authorization is approved")
    if start is not None and end is not None and end < start:
        raise ValidationError("end_date", "is before start_date")


def _check_visit(data: Mapping[str, Any]) -> None:
    """Face to face happens in the community or the office; a phone or video
    call is not face to face (PROTOCOL.md, additions of 2026-12-07)."""
    setting = data["setting"]
    if data["face_to_face"] is True and setting not in FACE_TO_FACE_SETTINGS:
        raise ValidationError(
            "setting", f"is {setting}, which is not face to face: choose community or office"
        )
    if data["face_to_face"] is False and setting in FACE_TO_FACE_SETTINGS:
        raise ValidationError(
            "setting", f"is {setting} for a visit not face to face: choose phone or video"
        )


def _check_member(data: Mapping[str, Any]) -> None:
    """A closed member says when and why; nothing closes before it began."""
    if data["status"] != "closed":
        return
    closed = data.get("closed_on")
    if closed is None:
        raise ValidationError("closed_on", "is required when the member is closed")
    if not str(data.get("closed_reason") or "").strip():
        raise ValidationError("closed_reason", "is required when the member is closed")
    if closed < data["program_entry"]:
        raise ValidationError("closed_on", "is before program_entry")


def _no_rule(_data: Mapping[str, Any]) -> None:
    return None


# Rules across fields every record of the kind meets.
_RULES: Mapping[str, Callable[[Mapping[str, Any]], None]] = {
    "job": _check_job,
    "authorization": _check_authorization,
}
# Rules across fields of 2026-12-07: every new write meets them.
_WRITE_RULES: Mapping[str, Callable[[Mapping[str, Any]], None]] = {
    "member_visit": _check_visit,
    "member": _check_member,
}
