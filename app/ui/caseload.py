"""The caseload as the specialist works it: members and their number against
the IPS limit, each member's timeline, the plan's steps, closing a member.
Plain Python over the store; no flet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain import DueItem, Record, TeamSettings, parse_version
from app.store import Store

from . import text
from .forms import NEW_FOR

CASELOAD_LIMIT = 20  # IPS fidelity: at most 20 active members per specialist
CASELOAD_FILTERS = {"active": "Active", "seeking": "Looking for work", "closed": "Closed",
                    "all": "All"}


def caseload_line(members: list[Record]) -> str:
    """The active members against the limit: "18 active · limit 20"."""
    active = sum(1 for m in members if m.data["status"] == "active")
    line = f"{active} active · limit {CASELOAD_LIMIT}"
    if active > CASELOAD_LIMIT:
        line += ": above the IPS caseload limit; talk with your supervisor"
    return line


def due_soon(items: Iterable[DueItem]) -> list[DueItem]:
    """What Home lists: overdue first, then what falls due within 7 days."""
    return sorted((i for i in items if i.status != "upcoming"),
                  key=lambda i: (i.status != "overdue", i.due, i.member))


# Due items that one form meets lead to it: the LRS check to the member's
# details, an authorization to a new one for the member.
DUE_FORMS = {"lrs_check": "member/{member_id}",
             "authorization": "authorization/" + NEW_FOR + "{member_id}",
             "authorization_renewal": "authorization/" + NEW_FOR + "{member_id}"}


def due_route(item: DueItem) -> str:
    """Where tapping a due item leads: the form that meets it, else the
    member's page."""
    route = DUE_FORMS.get(item.rule, "member_page/{member_id}")
    return route.format(member_id=item.member_id)


def member_records(store: Store, member_id: str) -> dict[str, list[Record]]:
    """Everything on the phone about one member, by kind."""
    return {
        "member_visit": [r for r in store.list("member_visit")
                         if r.data["member_id"] == member_id],
        "employer_contact": [r for r in store.list("employer_contact")
                             if member_id in (r.data.get("member_ids") or [])],
        "job": [r for r in store.list("job") if r.data["member_id"] == member_id],
        "career_profile": [r for r in store.list("career_profile")
                           if r.data["member_id"] == member_id],
        "employment_plan": [r for r in store.list("employment_plan")
                            if r.data["member_id"] == member_id],
    }


def latest(records: Iterable[Record], field: str) -> Record | None:
    """The record with the greatest `field` (a date), then the newest version."""
    return max(records, key=lambda r: (str(r.data.get(field) or ""), r.version), default=None)


def in_caseload(member: Record, chosen: str) -> bool:
    status = member.data["status"]
    if chosen == "active":
        return status == "active"
    if chosen == "seeking":
        return status == "active" and bool(member.data.get("job_seeking"))
    if chosen == "closed":
        return status == "closed"
    return True


@dataclass(frozen=True)
class TimelineEntry:
    when: date | datetime
    title: str
    detail: str
    route: str  # the screen that shows or edits it


def timeline(member: Record, records: dict[str, list[Record]],
             settings: TeamSettings, today: date) -> list[TimelineEntry]:
    """Everything about the member, newest first."""
    zone = settings.zone
    entries: list[TimelineEntry] = []
    data = member.data
    entries.append(TimelineEntry(date.fromisoformat(data["program_entry"]),
                                 "Entered the program", "", f"member/{member.id}"))
    if data.get("closed_on"):
        entries.append(TimelineEntry(date.fromisoformat(data["closed_on"]), "Closed",
                                     str(data.get("closed_reason") or ""), f"member/{member.id}"))
    for visit in records["member_visit"]:
        v = visit.data
        when = datetime.fromisoformat(v["occurred_at"]).astimezone(zone)
        minutes = v.get("minutes")
        parts = [text.when_label(when, today=today), "Face to face" if v["face_to_face"] else
                 "Not face to face", text.choice_label(v["setting"]),
                 f"{minutes} min" if minutes else "", v.get("notes") or ""]
        entries.append(TimelineEntry(when, f"Visit: {text.choice_label(v['type'])}",
                                     _joined(parts), f"member_visit/{visit.id}"))
    for contact in records["employer_contact"]:
        c = contact.data
        when = datetime.fromisoformat(c["occurred_at"]).astimezone(zone)
        parts = [text.when_label(when, today=today), "Face to face" if c["face_to_face"] else
                 "Not face to face", c.get("contact_person") or "", *text.contact_kind_words(c),
                 c.get("purpose") or ""]
        entries.append(TimelineEntry(when, f"Employer contact: {c['employer']}",
                                     _joined(parts), f"employer_contact/{contact.id}"))
    for job in records["job"]:
        j = job.data
        title = " as ".join(p for p in (j["employer"], j.get("title") or "") if p)
        hours = j.get("hours_per_week")
        entries.append(TimelineEntry(date.fromisoformat(j["start_date"]), f"Started at {title}",
                                     _joined([f"{hours:g} h a week" if hours else "",
                                              "Competitive" if j.get("competitive") else ""]),
                                     f"job/{job.id}"))
        if j.get("end_date"):
            entries.append(TimelineEntry(date.fromisoformat(j["end_date"]), f"Left {j['employer']}",
                                         text.choice_label(j.get("end_reason") or "other"),
                                         f"job_end/{job.id}"))
    for profile in records["career_profile"]:
        done = profile.data.get("completed_on")
        entries.append(TimelineEntry(
            date.fromisoformat(done) if done else _saved_on(profile, settings),
            "Career profile complete" if done else "Career profile started (draft)",
            str(profile.data.get("work_goal") or ""), f"career_profile/{profile.id}"))
    for plan in records["employment_plan"]:
        p = plan.data
        steps = p.get("steps") or []
        done = sum(1 for s in steps if s.get("done"))
        entries.append(TimelineEntry(date.fromisoformat(p["written_on"]),
                                     f"Plan written: {p['goal']}",
                                     f"{done} of {text.plural(len(steps), 'step')} done",
                                     f"employment_plan/{plan.id}"))
    return sorted(entries, key=_instant, reverse=True)


def with_step_done(plan: Record, index: int, done: bool) -> dict[str, Any]:
    steps = [dict(step) for step in plan.data.get("steps") or []]
    steps[index]["done"] = done
    return {**plan.data, "steps": steps}


def _saved_on(record: Record, settings: TeamSettings) -> date:
    """The day a record was last saved, from its version's clock."""
    stamp, _device = parse_version(record.version)
    return settings.local_date(datetime.fromtimestamp(stamp.ms / 1000, tz=settings.zone))


def _instant(entry: TimelineEntry) -> tuple[date, str]:
    when = entry.when
    day = when.date() if isinstance(when, datetime) else when
    clock = when.strftime("%H:%M") if isinstance(when, datetime) else "99:99"
    return day, clock


def _joined(parts: Iterable[str]) -> str:
    return " · ".join(p for p in parts if p)
