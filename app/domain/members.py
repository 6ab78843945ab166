"""The rules about one member: closing and reopening, whether a visit reached
them, outreach attempts, follow-along wanted, the job they hold on a day and
where they stand. The due list, fidelity and every screen read them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from datetime import UTC, date, datetime
from typing import Any

from .clock import parse_version
from .errors import ValidationError
from .kinds import parse_date
from .records import Record
from .weeks import TeamSettings

OUTREACH_ATTEMPT = "outreach_attempt"
# Why a member's services end. "Service termination is not based on missed
# appointments or fixed time limits" (CCP.4043 Components 10): never missed
# appointments; outreach attempts are logged instead.
CLOSE_REASONS = (
    "Working and no longer wants employment services",
    "Chose to stop employment services",
    "Moved away",
    "Went into hospital or another program for a long time",
    "Died",
    "Other (say in the notes)",
)


def reaches(visit: Mapping[str, Any]) -> bool:
    """A visit reaches the member unless it was an outreach attempt, one in
    which the member was not reached (PROTOCOL.md, additions of 2026-12-07)."""
    return visit.get("type") != OUTREACH_ATTEMPT


def last_outreach_attempts(visits: Iterable[Record]) -> list[Record]:
    """The member's latest visits while they are all outreach attempts (the
    member has not been reached since), newest first. "Engagement and outreach
    attempts ... are systematically documented" (CCP.4043 Components 10)."""
    run: list[Record] = []
    for visit in sorted(visits, key=lambda v: v.data["occurred_at"], reverse=True):
        if reaches(visit.data):
            break
        run.append(visit)
    return run


def closed(member: Mapping[str, Any], reason: str, on: date) -> dict[str, Any]:
    """The member's data once closed on `on` for `reason`."""
    return {**member, "status": "closed", "closed_reason": reason, "closed_on": on.isoformat()}


def reopened(member: Mapping[str, Any]) -> dict[str, Any]:
    """The member's data back on the caseload: the closing's date and reason go."""
    kept = {k: v for k, v in member.items() if k not in ("closed_reason", "closed_on")}
    return {**kept, "status": "active"}


def closed_on(member: Record, settings: TeamSettings) -> date | None:
    """The day a closed member was closed: its `closed_on`, or for a member
    closed before that field was required, the day of the record's last change
    (its version stamp) in the team's zone. None for an active member."""
    if member.data.get("status") != "closed":
        return None
    with suppress(ValidationError):
        return parse_date(member.data.get("closed_on"), "closed_on")
    stamp, _ = parse_version(member.version)
    return settings.local_date(datetime.fromtimestamp(stamp.ms / 1000, UTC))


# The reason a member closed before reasons were asked carries once edited.
REASON_NOT_RECORDED = "Not recorded (closed before the app asked why)"


def with_closing_dated(member: Record, settings: TeamSettings) -> dict[str, Any]:
    """The member's data, a closed member's `closed_on` and `closed_reason`
    filled in when it was closed before they were required: the day the
    closing is read as (`closed_on`) and that no reason was recorded. So an
    edit of such a member meets the rule without asking what nobody knows."""
    day = closed_on(member, settings)
    data = dict(member.data)
    if day is not None:
        data.setdefault("closed_on", day.isoformat())
        if not str(data.get("closed_reason") or "").strip():
            data["closed_reason"] = REASON_NOT_RECORDED
    return data


def follow_along_ended(member: Mapping[str, Any]) -> date | None:
    """From this day the member wants no more follow-along: "documented efforts
    to meet with members at least monthly ... and desired by members"
    (CCP.4043 Components 9.a). None while it is wanted."""
    with suppress(ValidationError):
        return parse_date(member.get("follow_along_ended_on"), "follow_along_ended_on")
    return None


def follow_along_stopped(member: Mapping[str, Any], on: date) -> dict[str, Any]:
    """The member's data once they want no more follow-along from `on`."""
    return {**member, "follow_along_ended_on": on.isoformat()}


def follow_along_resumed(member: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in member.items() if k != "follow_along_ended_on"}


def holds(start: date, end: date | None, day: date) -> bool:
    """A job is held from its start to its end date, both included; an end
    date ahead is a planned last day, and the job is held until then."""
    return start <= day and (end is None or day <= end)


def _job_days(job: Record) -> tuple[date, date | None]:
    data = job.data
    end = data.get("end_date")
    return (
        parse_date(data.get("start_date"), "start_date"),
        None if end is None else parse_date(end, "end_date"),
    )


def job_held_on(jobs: Iterable[Record], day: date) -> Record | None:
    """The job a member holds on `day`: of those held, the latest started.
    A job with dates no rule can use (stored before the limits) is left out."""
    held: list[tuple[date, str, Record]] = []
    for job in jobs:
        if job.deleted:
            continue
        with suppress(ValidationError):
            start, end = _job_days(job)
            if holds(start, end, day):
                held.append((start, job.id, job))
    return max(held, key=lambda found: found[:2])[2] if held else None


def default_service(member_ids: Iterable[str], jobs: Iterable[Record], day: date) -> str:
    """What an employer contact for these members is, until the specialist
    says otherwise: `job_support` when every member listed holds a job that
    day, else `job_development` (a generic contact is job development)."""
    listed = set(member_ids)
    if not listed:
        return "job_development"
    by_member: dict[str, list[Record]] = {}
    for job in jobs:
        by_member.setdefault(str(job.data.get("member_id")), []).append(job)
    working = all(job_held_on(by_member.get(m, []), day) is not None for m in listed)
    return "job_support" if working else "job_development"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def member_status(member: Record, records: Iterable[Record], on: date) -> str:
    """Where a member stands on `on`, for the caseload list: "Closed",
    "Working at Bluebird Print Shop since 3 Nov", "Starting at ... on 1 Dec",
    "Not looking for work", "Between jobs since 12 Oct" or "Looking for work".
    `records` may be the whole caseload; only the member's live jobs are read."""
    if member.data.get("status") == "closed":
        return "Closed"
    jobs = [
        r
        for r in records
        if r.kind == "job" and not r.deleted and r.data.get("member_id") == member.id
    ]
    held = job_held_on(jobs, on)
    if held is not None:
        return f"Working at {held.data['employer']} since {_shown_day(_job_days(held)[0], on)}"
    days: list[tuple[date, date | None, Record]] = []
    for job in jobs:
        with suppress(ValidationError):
            days.append((*_job_days(job), job))
    coming = [(start, job.id, job) for start, _, job in days if start > on]
    if coming:
        start, _, job = min(coming, key=lambda found: found[:2])
        return f"Starting at {job.data['employer']} on {_shown_day(start, on)}"
    if member.data.get("job_seeking") is not True:
        return "Not looking for work"
    ended = [end for _, end, _ in days if end is not None]
    if ended:
        return f"Between jobs since {_shown_day(max(ended), on)}"
    return "Looking for work"


def _shown_day(day: date, on: date) -> str:
    """The day as "3 Nov", with the year when it is not the year of `on`."""
    shown = f"{day.day} {MONTHS[day.month - 1]}"
    return shown if day.year == on.year else f"{shown} {day.year}"
