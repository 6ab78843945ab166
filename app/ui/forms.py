"""The record forms as data, and the form state a view edits. No flet.

One `FormModel` serves every kind: it turns what the specialist typed into a
record's data, saves it through the store and keeps, per field, the message
to show on that field when something is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.domain import Record, TeamSettings, ValidationError, data_problems
from app.domain.kinds import MEMBER_STATUSES, VISIT_SETTINGS, VISIT_TYPES
from app.store import Store

from .directory import entry_for
from .text import choice_label


class Widget(StrEnum):
    TEXT = "text"  # a phrase: capitalised as a sentence
    NAME = "name"  # a person's or a place's name: each word capitalised
    NOTES = "notes"  # several lines
    NUMBER = "number"  # whole number typed as text
    PHONE = "phone"
    TOGGLE = "toggle"
    CHOICE = "choice"  # fixed options
    MEMBER = "member"  # one member of the caseload
    MEMBERS = "members"  # any number of members (none = generic)
    EMPLOYER = "employer"  # text with suggestions
    WHEN = "when"  # date and time
    DATE = "date"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    widget: Widget
    options: tuple[tuple[str, str], ...] = ()  # (key, label) for CHOICE


def _options(keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((key, choice_label(key)) for key in keys)


W = Widget
FORMS: Mapping[str, tuple[FormField, ...]] = {
    "employer_contact": (
        FormField("employer", "Employer", W.EMPLOYER),
        FormField("contact_person", "Contact person", W.NAME),
        FormField("face_to_face", "Face to face", W.TOGGLE),
        FormField("member_ids", "For members (none = generic)", W.MEMBERS),
        FormField("member_present", "Member present", W.TOGGLE),
        FormField("purpose", "Purpose", W.TEXT),
        FormField("outcome", "Outcome / next step", W.NOTES),
        FormField("notes", "Notes", W.NOTES),
        FormField("occurred_at", "Date and time", W.WHEN),
    ),
    "member_visit": (
        FormField("member_id", "Member", W.MEMBER),
        FormField("type", "Type", W.CHOICE, _options(VISIT_TYPES)),
        FormField("face_to_face", "Face to face", W.TOGGLE),
        FormField("setting", "Setting", W.CHOICE, _options(VISIT_SETTINGS)),
        FormField("minutes", "Minutes", W.NUMBER),
        FormField("notes", "Notes", W.NOTES),
        FormField("occurred_at", "Date and time", W.WHEN),
    ),
    "member": (
        FormField("display_name", "Name", W.NAME),
        FormField("program_entry", "Program entry date", W.DATE),
        FormField("status", "Status", W.CHOICE, _options(MEMBER_STATUSES)),
        FormField("job_seeking", "Looking for work", W.TOGGLE),
        FormField("notes", "Notes", W.NOTES),
    ),
    "employer": (
        FormField("name", "Name", W.NAME),
        FormField("address", "Address", W.NAME),
        FormField("phone", "Phone", W.PHONE),
        FormField("industry", "Industry", W.TEXT),
        FormField("notes", "Notes", W.NOTES),
    ),
}

TITLES = {
    "employer_contact": "Employer contact",
    "member_visit": "Member visit",
    "member": "Member",
    "employer": "Employer",
}

# What to do about a missing or unusable value, per field; other problems get
# the rule's own words plus the way out.
FIXES = {
    "employer": "Enter the employer you met, or tap a suggestion below.",
    "member_id": "Choose the member. Add members on the Members tab first.",
    "display_name": "Enter the member's name as you know them.",
    "name": "Enter the employer's name.",
    "program_entry": "Pick the date the member entered the program.",
    "occurred_at": "Pick the date and time again.",
    "minutes": "Enter minutes as a whole number from 0 to 1440, or leave it empty.",
    "timezone": "Enter a time zone like America/Chicago or America/New_York.",
    "contact_target": "Enter a whole number from 1 to 50.",
    "week_start": "Choose the day your team's week starts.",
    "auto_lock_seconds": "Choose a delay from the list.",
}
ALWAYS_FIX = {"minutes", "timezone", "contact_target", "week_start"}
# Problems that have their own way out, whatever the field.
PROBLEM_FIXES = {
    "in the future": "This is in the future. Log a contact or visit after it happens: "
                     "pick now or an earlier time.",
    "dates must lie between": "Pick a date between 2000 and 2100.",
}


def field_message(error: ValidationError) -> str:
    """The message shown on the field: what is wrong and what to do next."""
    for words, way_out in PROBLEM_FIXES.items():
        if words in error.problem:
            return way_out
    fix = FIXES.get(error.field)
    if fix and (error.field in ALWAYS_FIX or "required" in error.problem):
        return fix
    return f"This {error.problem}. Correct it, then save again."


def picked_date(value: date | datetime) -> date:
    """The calendar day a date picker returned.

    The web client sends the picked day as the browser's local midnight in
    UTC; shifting by 12 hours lands inside that day for any offset up to +-12.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return (value.astimezone(UTC) + timedelta(hours=12)).date()
        return value.date()
    return value


@dataclass
class FormModel:
    """What the specialist is typing into one record's form."""

    kind: str
    values: dict[str, Any]
    record_id: str | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> tuple[FormField, ...]:
        return FORMS[self.kind]

    @property
    def is_new(self) -> bool:
        return self.record_id is None

    def to_data(self) -> tuple[dict[str, Any], dict[str, ValidationError]]:
        """The record's data from the typed values (text trimmed, empty optional
        text left out, numbers parsed), and the fields that could not be read."""
        data: dict[str, Any] = {}
        unreadable: dict[str, ValidationError] = {}
        for spec in self.fields:
            value = self.values.get(spec.name)
            try:
                if spec.widget is W.NUMBER:
                    value = _whole_number(spec.name, value)
                elif spec.widget is W.WHEN:
                    value = value.isoformat(timespec="seconds") if value else None
                elif spec.widget is W.DATE:
                    value = value.isoformat() if value else None
                elif isinstance(value, str):
                    value = value.strip() or None
            except ValidationError as problem:
                unreadable[spec.name] = problem
                continue
            if value is not None:
                data[spec.name] = value
        return data, unreadable

    def check(self, now: datetime | None = None) -> dict[str, str]:
        """The message for every field that is wrong now (all at once)."""
        data, unreadable = self.to_data()
        problems = {**data_problems(self.kind, data, now=now), **unreadable}
        return {name: field_message(problem) for name, problem in problems.items()}

    def save(self, store: Store, now: datetime | None = None) -> Record | None:
        """Validate and store; None (and `errors` filled, every bad field) when
        something is wrong."""
        data, unreadable = self.to_data()
        problems = {**data_problems(self.kind, data, now=now), **unreadable}
        if not problems:
            try:
                if self.kind == "employer_contact":
                    # Every employer met becomes (or is linked to) a directory entry.
                    data["employer_id"] = entry_for(store, data["employer"]).id
                record = store.put(self.kind, data, id=self.record_id)
            except ValidationError as problem:  # the store's own clock judged it
                problems = {problem.field: problem}
        self.errors = {name: field_message(problem) for name, problem in problems.items()}
        if self.errors:
            return None
        self.record_id = record.id
        return record


def _whole_number(name: str, value: object) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError(name, "must be a whole number") from None


# ----- starting a form -------------------------------------------------------------


def new_form(kind: str, store: Store, now: datetime) -> FormModel:
    """A blank form with the defaults that save taps: now, face to face, and
    the last employer or visit type used."""
    local_now = now.astimezone(store.settings.zone).replace(second=0, microsecond=0)
    values: dict[str, Any] = {}
    if kind == "employer_contact":
        last = store.list("employer_contact")[:1]
        values = {
            "employer": last[0].data["employer"] if last else "",
            "face_to_face": True,
            "member_ids": [],
            "member_present": False,
            "occurred_at": local_now,
        }
    elif kind == "member_visit":
        last = store.list("member_visit")[:1]
        values = {
            "type": last[0].data["type"] if last else "job_search",
            "face_to_face": True,
            "setting": last[0].data["setting"] if last else "community",
            "occurred_at": local_now,
        }
    elif kind == "member":
        values = {"status": "active", "job_seeking": True, "program_entry": local_now.date()}
    return FormModel(kind, values)


def edit_form(record: Record, settings: TeamSettings) -> FormModel:
    """A form holding a stored record, ready to change."""
    values: dict[str, Any] = {}
    for spec in FORMS[record.kind]:
        value = record.data.get(spec.name)
        if spec.widget is W.WHEN and value:
            value = datetime.fromisoformat(value).astimezone(settings.zone)
        elif spec.widget is W.DATE and value:
            value = date.fromisoformat(value)
        elif spec.widget is W.NUMBER and value is not None:
            value = str(value)
        elif spec.widget is W.MEMBERS:
            value = list(value or [])
        values[spec.name] = value
    return FormModel(record.kind, values, record_id=record.id)


# ----- employer suggestions ----------------------------------------------------------


def employer_names(store: Store, recent: int = 50) -> list[str]:
    """Employer names to suggest: recently contacted first, then the directory."""
    names = [r.data["employer"] for r in store.list("employer_contact")[:recent]]
    names += sorted((r.data["name"] for r in store.list("employer")), key=str.casefold)
    seen: set[str] = set()
    unique = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            unique.append(name)
    return unique


def suggest(typed: str, names: list[str], limit: int = 4) -> list[str]:
    """Names holding what was typed (any case), those starting with it first;
    nothing to suggest when the field already says exactly one of them."""
    needle = typed.strip().casefold()
    if any(name.casefold() == needle for name in names):
        return []
    starts = [n for n in names if n.casefold().startswith(needle)]
    inside = [n for n in names if needle in n.casefold() and n not in starts]
    return (starts + inside)[:limit]


# ----- choosing members -----------------------------------------------------------


def member_choices(store: Store, keep: Callable[[str], bool] = lambda _id: False) -> list[Record]:
    """Active members by name, plus closed ones `keep` asks for (already chosen)."""
    members = [
        r for r in store.list("member") if r.data["status"] == "active" or keep(r.id)
    ]
    return sorted(members, key=lambda r: r.data["display_name"].casefold())
