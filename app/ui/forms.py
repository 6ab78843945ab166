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

from app.domain import (
    Record,
    ValidationError,
    data_problems,
    default_service,
    with_closing_dated,
)
from app.domain.kinds import (
    AUTHORIZATION_STATUSES,
    DISCLOSURE_CHOICES,
    FACE_TO_FACE_SETTINGS,
    JOB_END_REASONS,
    VISIT_SETTINGS,
    VISIT_TYPES,
    kind_spec,
)
from app.domain.payers import Payer
from app.store import Store

from .directory import entry_for
from .text import choice_label


class Widget(StrEnum):
    TEXT = "text"  # a phrase: capitalised as a sentence
    NAME = "name"  # a person's or a place's name: each word capitalised
    NOTES = "notes"  # several lines
    NUMBER = "number"  # whole number typed as text
    DECIMAL = "decimal"  # a number that may have a fraction, typed as text
    PHONE = "phone"
    TOGGLE = "toggle"
    CHOICE = "choice"  # fixed options
    SEGMENTS = "segments"  # two or three fixed options, side by side: one tap
    MEMBER = "member"  # one member of the caseload
    MEMBERS = "members"  # any number of members (none = generic)
    EMPLOYER = "employer"  # text with suggestions
    WHEN = "when"  # date and time
    DATE = "date"  # with `today` set, a one-tap button sets today
    DONE_ON = "done_on"  # a switch that stands for a date: today when switched on
    STEPS = "steps"  # an employment plan's steps
    PAYER = "payer"  # one of the payers the team's server lists


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    widget: Widget
    options: tuple[tuple[str, str], ...] = ()  # (key, label) for CHOICE and SEGMENTS
    hint: str = ""  # a line under the label, for SEGMENTS and DATE
    today: str = ""  # DATE: the label of a button that sets today in one tap


@dataclass(frozen=True)
class FormSpec:
    """One form: the fields of one record kind it shows (a job is started with
    one form and ended with another); fields it does not show are kept."""

    kind: str
    title: str  # "Employer contact": the form's title is made from it
    fields: tuple[FormField, ...]
    verb: str = "New"  # "Log", "New", "Start", "End"
    intro: str = ""  # a line above the fields: how the form is meant to be used


def _options(keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((key, choice_label(key)) for key in keys)


W = Widget
NEW_FOR = "new:"  # a route's argument for a new record of a member: new:<member id>
# Said instead of an empty drop-down of payers.
NO_PAYERS = "Payers come from your team's server at the next sync."
# A new employer contact's minutes until changed: a drop-in at a business.
CONTACT_MINUTES = 15
PROFILE_LABELS = {
    "work_goal": "Work goal",
    "work_history": "Work history",
    "education": "Education and training",
    "interests": "Interests",
    "strengths": "Strengths",
    "skills": "Skills",
    "preferences": "Preferences (hours, setting, kind of work)",
    "supports": "What helps at work, coping",
    "benefits": "Benefits received (for work-incentives planning)",
    "contacts": "People who may help find work",
}
FORMS: Mapping[str, FormSpec] = {
    "employer_contact": FormSpec("employer_contact", "Employer contact", (
        FormField("employer", "Employer", W.EMPLOYER),
        FormField("contact_person", "Contact person", W.NAME),
        FormField("face_to_face", "Face to face", W.TOGGLE),
        FormField("member_ids", "For members (none = generic)", W.MEMBERS),
        FormField("service", "What it was for", W.SEGMENTS,
                  (("job_development", "Job search"), ("job_support", "Job support")),
                  hint="Job search: for members looking for work (counts toward the weekly "
                       "target). Job support: for a member who works there."),
        FormField("member_present", "Member present", W.TOGGLE),
        FormField("by", "Who met the employer", W.SEGMENTS,
                  (("specialist", "I did"), ("member", "The member alone"))),
        FormField("minutes", "Minutes", W.NUMBER),
        FormField("purpose", "Purpose", W.TEXT),
        FormField("outcome", "Outcome / next step", W.NOTES),
        FormField("notes", "Notes", W.NOTES),
        FormField("occurred_at", "Date and time", W.WHEN),
    ), verb="Log"),
    "member_visit": FormSpec("member_visit", "Member visit", (
        FormField("member_id", "Member", W.MEMBER),
        FormField("type", "Type", W.CHOICE, _options(VISIT_TYPES)),
        FormField("face_to_face", "Face to face", W.TOGGLE),
        FormField("setting", "Setting", W.CHOICE, _options(VISIT_SETTINGS)),
        FormField("minutes", "Minutes", W.NUMBER),
        FormField("notes", "Notes", W.NOTES),
        FormField("occurred_at", "Date and time", W.WHEN),
    ), verb="Log"),
    "member": FormSpec("member", "Member", (
        FormField("display_name", "Name", W.NAME),
        FormField("program_entry", "Program entry date", W.DATE),
        FormField("job_seeking", "Looking for work", W.TOGGLE),
        FormField("payer", "Payer", W.PAYER),
        FormField("lrs_checked_on", "LRS checked on", W.DATE,
                  hint="The day you documented in the member's file that IPS is not "
                       "available to them through Louisiana Rehabilitation Services (LRS).",
                  today="Checked today"),
        FormField("notes", "Notes", W.NOTES),
    )),
    "employer": FormSpec("employer", "Employer", (
        FormField("name", "Name", W.NAME),
        FormField("address", "Address", W.NAME),
        FormField("phone", "Phone", W.PHONE),
        FormField("industry", "Industry", W.TEXT),
        FormField("notes", "Notes", W.NOTES),
    )),
    "job": FormSpec("job", "Job", (
        FormField("member_id", "Member", W.MEMBER),
        FormField("employer", "Employer", W.EMPLOYER),
        FormField("title", "Job title", W.TEXT),
        FormField("start_date", "Start date", W.DATE),
        FormField("hours_per_week", "Hours a week", W.DECIMAL),
        FormField("competitive", "Competitive job (open to anyone, at least minimum wage)",
                  W.TOGGLE),
    ), verb="Start"),
    "job_end": FormSpec("job", "Job", (
        FormField("end_date", "End date", W.DATE),
        FormField("end_reason", "Why it ended", W.CHOICE, _options(JOB_END_REASONS)),
        FormField("loss_learned_on", "When you learned it ended", W.DATE),
    ), verb="End", intro="Contact the member within 3 days of learning the job ended."),
    "career_profile": FormSpec("career_profile", "Career profile", (
        FormField("member_id", "Member", W.MEMBER),
        *(FormField(name, label, W.NOTES) for name, label in PROFILE_LABELS.items()),
        FormField("disclosure", "Disclose the illness to employers?", W.CHOICE,
                  _options(DISCLOSURE_CHOICES)),
        FormField("notes", "Notes", W.NOTES),
        FormField("completed_on", "Profile complete", W.DONE_ON),
    ), intro="Build the profile with the member over two or three sessions: save as you go, "
             "and switch on Profile complete when it is done."),
    "employment_plan": FormSpec("employment_plan", "Employment plan", (
        FormField("member_id", "Member", W.MEMBER),
        FormField("goal", "Goal", W.TEXT),
        FormField("steps", "Steps", W.STEPS),
        FormField("written_on", "Written on", W.DATE),
        FormField("next_review", "Next review", W.DATE),
        FormField("notes", "Notes", W.NOTES),
    ), intro="The member's goal in their words, the steps toward it, and when to look at "
             "the plan again."),
    "authorization": FormSpec("authorization", "Authorization", (
        FormField("member_id", "Member", W.MEMBER),
        FormField("payer", "Payer", W.PAYER),
        FormField("status", "Status", W.SEGMENTS, _options(AUTHORIZATION_STATUSES)),
        FormField("number", "Authorization number", W.TEXT),
        FormField("start_date", "First day it covers", W.DATE),
        FormField("end_date", "Last day it covers", W.DATE),
        FormField("units", "Units (empty: no limit)", W.NUMBER),
        FormField("notes", "Notes", W.NOTES),
    ), intro="Save it as Requested when you ask the payer. When the answer comes, open it "
             "again: Approved with its dates and units, or Denied."),
}


def form_title(form: str, *, editing: bool) -> str:
    spec = FORMS[form]
    verb = "Edit" if editing and spec.verb in ("Log", "New", "Start") else spec.verb
    return f"{verb} {spec.title.lower()}"


# What to do about a missing or unusable value, per field; other problems get
# the rule's own words plus the way out.
FIXES = {
    "employer": "Enter the employer you met, or tap a suggestion below.",
    "member_id": "Choose the member. Add members on the Members tab first.",
    "display_name": "Enter the member's name as you know them.",
    "name": "Enter the employer's name.",
    "program_entry": "Pick the date the member entered the program.",
    "start_date": "Pick the day the job starts.",
    "end_date": "Pick the day the job ended (not before it started).",
    "end_reason": "Choose why the job ended.",
    "closed_on": "Pick the day services ended: on or after program entry.",
    "loss_learned_on": "Pick the day you learned the job ended (on or after the end date).",
    "goal": "Enter the member's goal, in their words.",
    "written_on": "Pick the day the plan was written.",
    "hours_per_week": "Enter hours as a number from 0 to 168, or leave it empty.",
    "occurred_at": "Pick the date and time again.",
    "minutes": "Enter minutes as a whole number from 0 to 1440, or leave it empty.",
    "timezone": "Enter a time zone like America/Chicago or America/New_York.",
    "contact_target": "Enter a whole number from 1 to 50.",
    "week_start": "Choose the day your team's week starts.",
    "auto_lock_seconds": "Choose a delay from the list.",
}
# A kind's own way out for a field whatever the problem: the same field name
# means another thing in another kind (an authorization's dates are not a job's).
KIND_FIXES = {
    "authorization": {
        "payer": "Choose the payer that authorizes the services.",
        "start_date": "Pick the first day it covers: an approved authorization needs both "
                      "dates.",
        "end_date": "Pick the last day it covers, on or after the first: an approved "
                    "authorization needs both dates.",
    },
}
ALWAYS_FIX = {"minutes", "timezone", "contact_target", "week_start", "hours_per_week",
              "loss_learned_on", "closed_on"}
# Problems that have their own way out, whatever the field.
PROBLEM_FIXES = {
    "in the future": "This is in the future. Log a contact or visit after it happens: "
                     "pick now or an earlier time.",
    "dates must lie between": "Pick a date between 2000 and 2100.",
}


def field_message(error: ValidationError, kind: str = "") -> str:
    """The message shown on the field of a record of `kind`: what is wrong and
    what to do next."""
    for words, way_out in PROBLEM_FIXES.items():
        if words in error.problem:
            return way_out
    if (own := KIND_FIXES.get(kind, {}).get(error.field)) is not None:
        return own
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
    """What the specialist is typing into one form of a record."""

    form: str  # a key of FORMS
    values: dict[str, Any]
    record_id: str | None = None
    # The record's data before this form: fields the form does not show (and
    # fields a newer app version added) are kept as they are.
    base: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    today: date | None = None  # for a DONE_ON switch turned on
    # Dates more than a year back that the specialist said are right.
    confirmed: set[date] = field(default_factory=set)
    # Fields kept in agreement with another as it changes ({changed field:
    # the values to set, from all values}), and fields that follow another as
    # their default until the specialist sets them.
    agreements: dict[str, Link] = field(default_factory=dict)
    defaults: dict[str, Link] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)  # fields the specialist set
    # Fields shown only while their rule holds over all values (a field not
    # listed always shows); a hidden field keeps its value.
    shown_when: dict[str, Callable[[Mapping[str, Any]], bool]] = field(default_factory=dict)

    @property
    def spec(self) -> FormSpec:
        return FORMS[self.form]

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def fields(self) -> tuple[FormField, ...]:
        return self.spec.fields

    @property
    def is_new(self) -> bool:
        return self.record_id is None

    def shows(self, name: str) -> bool:
        """Whether field `name` is on the form with the values as they are now."""
        rule = self.shown_when.get(name)
        return rule is None or rule(self.values)

    def requires(self, name: str) -> bool:
        """Whether the record's kind requires field `name` (a drop-down then
        offers no "None")."""
        return any(spec.required for spec in kind_spec(self.kind).fields if spec.name == name)

    def set(self, name: str, value: Any) -> dict[str, Any]:
        """The specialist set `name` to `value`: the other fields that change
        with it, and their new values (already in `values`)."""
        self.values[name] = value
        self.touched.add(name)
        updates: dict[str, Any] = {}
        if name in self.agreements:
            updates.update(self.agreements[name](self.values))
        if name in self.defaults:
            updates.update({k: v for k, v in self.defaults[name](self.values).items()
                            if k not in self.touched})
        updates = {k: v for k, v in updates.items() if self.values.get(k) != v}
        self.values.update(updates)
        return updates

    def to_data(self) -> tuple[dict[str, Any], dict[str, ValidationError]]:
        """The record's data from the typed values (text trimmed, empty optional
        text left out, numbers parsed), and the fields that could not be read."""
        data: dict[str, Any] = dict(self.base)
        unreadable: dict[str, ValidationError] = {}
        for spec in self.fields:
            try:
                value = self._read(spec)
            except ValidationError as problem:
                unreadable[spec.name] = problem
                continue
            if value is None:
                data.pop(spec.name, None)
            else:
                data[spec.name] = value
        return data, unreadable

    def _read(self, spec: FormField) -> Any:
        value = self.values.get(spec.name)
        match spec.widget:
            case W.NUMBER:
                return _number(spec.name, value, int, "a whole number")
            case W.DECIMAL:
                return _number(spec.name, value, float, "a number")
            case W.WHEN:
                return value.isoformat(timespec="seconds") if value else None
            case W.DATE:
                return value.isoformat() if value else None
            case W.DONE_ON:
                # On: the day it was first marked done (kept), else today.
                if not value:
                    return None
                return self.base.get(spec.name) or (self.today or date.today()).isoformat()
            case W.STEPS:
                return [_step(step) for step in value or [] if (step.get("text") or "").strip()]
        return (value.strip() or None) if isinstance(value, str) else value

    def _checked(self, now: datetime | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The fields as data, and the problem of each field that is wrong."""
        data, unreadable = self.to_data()
        return data, {**data_problems(self.kind, data, now=now), **unreadable}

    def check(self, now: datetime | None = None) -> dict[str, str]:
        """The message for every field that is wrong now (all at once)."""
        _, problems = self._checked(now)
        return {name: field_message(problem, self.kind) for name, problem in problems.items()}

    def far_back(self, today: date) -> list[tuple[FormField, date]]:
        """Dates typed more than a year before `today` that were not confirmed
        (nor stored so already): a slip of the year is easy in a picker."""
        found = []
        for spec in self.fields:
            value = self.values.get(spec.name)
            if spec.widget not in (W.WHEN, W.DATE) or not isinstance(value, date):
                continue
            day = value.date() if isinstance(value, datetime) else value
            kept = self.base.get(spec.name)
            if kept and str(kept)[:10] == day.isoformat():
                continue
            if (today - day).days > 365 and day not in self.confirmed:
                found.append((spec, day))
        return found

    def save(self, store: Store, now: datetime | None = None) -> Record | None:
        """Validate and store; None (and `errors` filled, every bad field) when
        something is wrong."""
        data, problems = self._checked(now)
        if not problems:
            try:
                if self.kind == "employer_contact":
                    # Every employer met becomes (or is linked to) a directory entry.
                    data["employer_id"] = entry_for(store, data["employer"]).id
                record = store.put(self.kind, data, id=self.record_id)
            except ValidationError as problem:  # the store's own clock judged it
                problems = {problem.field: problem}
        self.errors = {name: field_message(problem, self.kind)
                       for name, problem in problems.items()}
        if self.errors:
            return None
        self.record_id = record.id
        self.base = dict(record.data)
        return record


Link = Callable[[Mapping[str, Any]], dict[str, Any]]


def _setting_follows(values: Mapping[str, Any]) -> dict[str, Any]:
    """Face to face happens in the community or the office: switching it on
    or off moves a setting that no longer fits."""
    setting = values.get("setting")
    if values.get("face_to_face"):
        return {} if setting in FACE_TO_FACE_SETTINGS else {"setting": "community"}
    return {"setting": "phone"} if setting in FACE_TO_FACE_SETTINGS else {}


def _face_to_face_follows(values: Mapping[str, Any]) -> dict[str, Any]:
    setting = values.get("setting")
    return {} if setting is None else {"face_to_face": setting in FACE_TO_FACE_SETTINGS}


def _learned_follows(today: date) -> Link:
    """A loss is learned of on or after the end: today, or the end if later."""
    def follow(values: Mapping[str, Any]) -> dict[str, Any]:
        end = values.get("end_date")
        return {"loss_learned_on": max(end, today) if isinstance(end, date) else today}
    return follow


def _service_follows(jobs: list[Record], today: date) -> Link:
    def follow(values: Mapping[str, Any]) -> dict[str, Any]:
        return {"service": default_service(values.get("member_ids") or [], jobs, today)}
    return follow


def _lrs_shown(payers: Mapping[str, Payer]) -> Callable[[Mapping[str, Any]], bool]:
    """The LRS check shows for a payer that needs it, or once a day is set."""
    def shown(values: Mapping[str, Any]) -> bool:
        payer = payers.get(values.get("payer") or "")
        return bool(values.get("lrs_checked_on")) or (payer is not None and payer.checks_lrs)
    return shown


def _linked(model: FormModel, store: Store, today: date) -> FormModel:
    """The form with the fields that move together linked, and its defaults
    made to agree from the start."""
    if model.form == "member":
        model.shown_when = {"lrs_checked_on": _lrs_shown(store.payers)}
    elif model.form == "member_visit":
        model.agreements = {"face_to_face": _setting_follows, "setting": _face_to_face_follows}
    elif model.form == "employer_contact":
        model.defaults = {"member_ids": _service_follows(store.list("job"), today)}
    elif model.form == "job_end":
        model.defaults = {"end_date": _learned_follows(today)}
    return model


def _number(name: str, value: object, kind: type[int] | type[float], words: str) -> Any:
    text = str(value or "").strip()
    if kind is float:
        text = text.replace(",", ".")  # a decimal comma, as many keyboards give
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise ValidationError(name, f"must be {words}") from None


def _step(step: Mapping[str, Any]) -> dict[str, Any]:
    """A plan step as stored: text, and who, by when and done when given."""
    kept: dict[str, Any] = {"text": str(step["text"]).strip()}
    if (who := str(step.get("who") or "").strip()):
        kept["who"] = who
    by = step.get("by")
    if by:
        kept["by"] = by.isoformat() if isinstance(by, date) else str(by)
    kept["done"] = bool(step.get("done"))
    return kept


# ----- starting a form -------------------------------------------------------------


def new_form(form: str, store: Store, now: datetime, *, member_id: str | None = None) -> FormModel:
    """A blank form with the defaults that save taps: now, face to face, the
    last visit type used, and the member it was opened for."""
    local_now = now.astimezone(store.settings.zone).replace(second=0, microsecond=0)
    today = local_now.date()
    values: dict[str, Any] = {}
    if form == "employer_contact":
        members = [member_id] if member_id else []
        values = {
            "employer": "",  # the employers met last are offered under the field
            "face_to_face": True,
            "member_ids": members,
            "service": default_service(members, store.list("job"), today),
            "member_present": bool(member_id),
            "by": "specialist",
            "minutes": str(CONTACT_MINUTES),
            "occurred_at": local_now,
        }
    elif form == "member_visit":
        last = store.list("member_visit")[:1]
        setting = last[0].data["setting"] if last else "community"
        values = {
            "type": last[0].data["type"] if last else "job_search",
            "face_to_face": setting in FACE_TO_FACE_SETTINGS,
            "setting": setting,
            "occurred_at": local_now,
        }
    elif form == "member":
        values = {"job_seeking": True, "program_entry": today}
    elif form == "job":
        values = {"start_date": today, "competitive": True}
    elif form == "employment_plan":
        values = {"written_on": today, "steps": []}
    elif form == "authorization":
        # Asked for, of the member's own payer: one tap on Save after asking.
        member = store.get(member_id) if member_id else None
        payer = member.data.get("payer") if member is not None and member.kind == "member" \
            else None
        values = {"status": "requested", "payer": payer}
    if member_id and "member_id" in {f.name for f in FORMS[form].fields}:
        values["member_id"] = member_id
    base = {"status": "active"} if form == "member" else {}
    return _linked(FormModel(form, values, base=base, today=today), store, today)


def edit_form(form: str, record: Record, store: Store, today: date) -> FormModel:
    """A form holding a stored record, ready to change. A record stored before
    a rule it breaks (face to face by phone) is shown as it is; saving asks
    for the fix."""
    settings = store.settings
    values: dict[str, Any] = {}
    for spec in FORMS[form].fields:
        value = record.data.get(spec.name)
        if spec.widget is W.WHEN and value:
            value = datetime.fromisoformat(value).astimezone(settings.zone)
        elif spec.widget is W.DATE and value:
            value = date.fromisoformat(value)
        elif spec.widget in (W.NUMBER, W.DECIMAL) and value is not None:
            value = f"{value:g}" if isinstance(value, float) else str(value)
        elif spec.widget is W.MEMBERS:
            value = list(value or [])
        elif spec.widget is W.SEGMENTS and value is None:
            value = spec.options[0][0]  # the field's default, as records without it read
        elif spec.widget is W.DONE_ON:
            value = bool(value)
        elif spec.widget is W.STEPS:
            value = [{**step, "by": date.fromisoformat(step["by"]) if step.get("by") else None}
                     for step in value or []]
        values[spec.name] = value
    base = with_closing_dated(record, settings) if record.kind == "member" else dict(record.data)
    model = FormModel(form, values, record_id=record.id, base=base, today=today)
    if form == "job_end":
        if values.get("end_date"):
            # Ended before: a loss stored without the day it was learned reads
            # as learned on the end date (PROTOCOL.md), and stays so when the
            # end is corrected; only ending a job now follows today.
            values["loss_learned_on"] = values.get("loss_learned_on") or values["end_date"]
            return model
        values["end_date"] = today
        values["loss_learned_on"] = today
    return _linked(model, store, today)


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
