"""The IPS timed rules: what is due for each member of a caseload, as of a day.

One pure function, `due_items`, used by the phone's store, the central store's
`GET /v1/due`, its tallies and its export, so every side lists the same items.
The rules are data (`RULES`): their windows in days and the words screens show.

How the rules of PROTOCOL.md are read where it leaves room:

- Only live records count (tombstones never), and only what is known as of
  the day: visits and employer contacts from after it, a profile completed
  after it and a plan written after it are not there yet. A job may lie ahead
  (a planned start); it lasts from its start to its end date, both included.
- Times (`occurred_at`) become dates in the team's time zone. Windows are whole
  days and include both ends: a log of dates cannot tell a visit on the
  morning of a job's first (or last) day from one in the evening, so such a
  visit counts both as before and as after.
- Closed and deleted members have no items. `first_employer_contact` is for
  members whose `job_seeking` is true, as the app shows them.
- A rule met by any record of its kind (`career_profile`,
  `first_employer_contact`, `employment_plan`) stays overdue until that record
  exists. For `first_employer_contact` that is a face-to-face contact listing
  the member on or after program entry, or a job the member started since
  entry (additions of 2026-12-07). A rule met only inside a window around a job stays listed for a
  while after the window closes, overdue, so a visit done but not yet logged
  is noticed: `listed_days` after the job's start (`contact_after_job_start`,
  `work_incentives`) or end (`contact_after_job_loss`, "for 30 days after the
  end"), and only while the job lasts for the start rules (after a job ends,
  the job-loss rule takes over). `contact_before_job_start` is listed only in
  its 7 days ("jobs starting within 7 days"), so it is never overdue.
- Follow-along counts from the member's last face-to-face visit since the
  start of the job, or from the start when there is none yet: its clock
  starts with the job. It follows the most recently started job the member
  holds on the day (one visit serves every job): weekly until 30 days after
  that job's start (that day included), then every 30 days. There is always a
  next follow-along visit, so while a job lasts it is always listed.
- `work_incentives` is for members with `benefits` written in any of their
  career profiles, for each job, met by a `work_incentives` visit (face to
  face or not: planning may be done by phone) in the 90 days before the start.
- `employment_plan` is due 30 days after the first completed career profile;
  `plan_review` is the `next_review` of the latest plan (by `written_on`), so
  a later plan, or a new `next_review`, meets it.
- A record with a date or time outside those records may hold (one stored
  on the server before the limits of 2026-11-25) is left out, as the phone
  leaves out what it cannot open: one such record never stops the list.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from .clock import parse_version
from .errors import ValidationError
from .kinds import parse_date
from .records import Record
from .weeks import TeamSettings

# The kinds of record the rules read; a store need not open the others.
DUE_KINDS = (
    "member",
    "member_visit",
    "employer_contact",
    "job",
    "career_profile",
    "employment_plan",
)
Status = Literal["overdue", "due", "upcoming"]
# An item is "due" from this many days before its due date; before that it is "upcoming".
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Rule:
    """One timed rule. `says` and `evidence` are templates: `{member}`,
    `{employer}` (of the job), `{days}` and `{listed_days}` (this rule's
    numbers) and the dates the evidence names (YYYY-MM-DD)."""

    id: str
    days: int  # the window: due this many days after what starts it, or the span before it
    says: str  # what the specialist has to do, as screens show it
    evidence: str  # the record that would meet the rule
    # How many days after the job event that starts it the rule stays listed
    # while unmet (see the module's notes); None: until it is met.
    listed_days: int | None = None


RULES: tuple[Rule, ...] = (
    Rule(
        "career_profile",
        30,
        "Complete {member}'s career profile within {days} days of program entry",
        "a career profile for {member} with the date it was completed",
    ),
    Rule(
        "first_employer_contact",
        30,
        "Meet an employer face to face for {member} within {days} days of program entry",
        "a face-to-face employer contact that lists {member} since program entry, or a job "
        "{member} started since",
    ),
    Rule(
        "contact_before_job_start",
        7,
        "See {member} face to face in the {days} days before the job at {employer} starts",
        "a face-to-face member visit from {first} to {last}",
    ),
    Rule(
        "contact_after_job_start",
        3,
        "See {member} face to face within {days} days of the job start at {employer}",
        "a face-to-face member visit from {first} to {last}",
        listed_days=30,
    ),
    Rule(
        "follow_along_weekly",
        7,
        "See {member} face to face every week in the first {listed_days} days of the job at "
        "{employer}",
        "a face-to-face member visit from {first} to {last}",
        listed_days=30,
    ),
    Rule(
        "follow_along_monthly",
        30,
        "See {member} face to face at least every {days} days while the job at {employer} lasts",
        "a face-to-face member visit from {first} to {last}",
    ),
    Rule(
        "contact_after_job_loss",
        3,
        "See {member} face to face within {days} days of the end of the job at {employer}",
        "a face-to-face member visit on or after {first}",
        listed_days=30,
    ),
    Rule(
        "work_incentives",
        90,
        "Offer {member} benefits planning before the job at {employer} starts",
        "a work-incentives member visit from {first} to {last}",
        listed_days=30,
    ),
    Rule(
        "employment_plan",
        30,
        "Write {member}'s employment plan within {days} days of the career profile",
        "an employment plan for {member}",
    ),
    Rule(
        "plan_review",
        0,
        "Review {member}'s employment plan",
        "an employment plan for {member} written after {first}",
    ),
)
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)
_RULE = {rule.id: rule for rule in RULES}
_RULE_ORDER = {rule_id: n for n, rule_id in enumerate(RULE_IDS)}


@dataclass(frozen=True)
class DueItem:
    """One rule not yet met for one member: what to do, by when."""

    rule: str  # a RULE_IDS entry
    member_id: str
    member: str  # the member's display name
    due: date
    status: Status
    evidence: str  # the record that would meet it, in a sentence
    says: str  # what to do, as screens show it

    def to_wire(self) -> dict[str, str]:
        """As `GET /v1/due` lists it."""
        return {
            "rule": self.rule,
            "member_id": self.member_id,
            "member": self.member,
            "due": self.due.isoformat(),
            "status": self.status,
            "evidence": self.evidence,
            "says": self.says,
        }


def status_of(due: date, on: date) -> Status:
    if due < on:
        return "overdue"
    return "due" if due <= on + timedelta(days=DUE_SOON_DAYS) else "upcoming"


def _date(data: Mapping[str, Any], field: str) -> date:
    """A required date field of a record. ValidationError when missing or
    outside the dates records may hold, as records stored before the limits
    may be."""
    return parse_date(data.get(field), field)


def _optional_date(data: Mapping[str, Any], field: str) -> date | None:
    value = data.get(field)
    return None if value is None else parse_date(value, field)


@dataclass(frozen=True)
class _Job:
    id: str
    employer: str
    start: date
    end: date | None

    @classmethod
    def of(cls, record: Record) -> _Job:
        data = record.data
        start, end = _date(data, "start_date"), _optional_date(data, "end_date")
        return cls(record.id, str(data["employer"]), start, end)

    def lasts_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class _Plan:
    written: date
    next_review: date | None
    version: str  # orders plans written the same day


@dataclass
class _History:
    """What a member's live records say, as of the day."""

    face_to_face: list[date] = field(default_factory=list)  # visit days, sorted
    work_incentives: list[date] = field(default_factory=list)  # visit days, sorted
    employer_contacts: list[date] = field(default_factory=list)  # face to face, listing them
    jobs: list[_Job] = field(default_factory=list)
    profiles_completed: list[date] = field(default_factory=list)  # completed_on by the day
    benefits: bool = False  # a career profile records benefits
    plans: list[_Plan] = field(default_factory=list)  # written by the day

    def first_visit(self, first: date, last: date, days: list[date] | None = None) -> date | None:
        """The first visit (face to face, unless other days are given) from
        `first` to `last`, if any."""
        days = self.face_to_face if days is None else days
        at = bisect.bisect_left(days, first)
        return days[at] if at < len(days) and days[at] <= last else None

    def visited(self, first: date, last: date, days: list[date] | None = None) -> bool:
        return self.first_visit(first, last, days) is not None

    def last_visit(self, first: date, last: date) -> date | None:
        """The latest face-to-face visit from `first` to `last`, if any."""
        at = bisect.bisect_right(self.face_to_face, last)
        return self.face_to_face[at - 1] if at and self.face_to_face[at - 1] >= first else None


@dataclass(frozen=True)
class _Member:
    id: str
    name: str
    entry: date
    closed: date | None  # see closed_on
    job_seeking: bool

    @property
    def active(self) -> bool:
        return self.closed is None


class _Caseload:
    """The live members and each member's history, as of `on`."""

    def __init__(self, on: date, settings: TeamSettings) -> None:
        self.on = on
        self.settings = settings
        self.members: list[_Member] = []
        self.histories: defaultdict[str, _History] = defaultdict(_History)

    def add(self, record: Record) -> None:
        """Take in one live record. ValidationError for a record with a date or
        time no rule can use; it is then left out."""
        data, kind, on = record.data, record.kind, self.on
        if kind == "member":
            self.members.append(
                _Member(
                    record.id,
                    str(data["display_name"]),
                    _date(data, "program_entry"),
                    closed_on(record, self.settings),
                    job_seeking=data.get("job_seeking") is True,
                )
            )
        elif kind == "member_visit":
            day = self.settings.local_date(data["occurred_at"])
            if day <= on:
                history = self.histories[data["member_id"]]
                if data["face_to_face"] is True:
                    history.face_to_face.append(day)
                if data["type"] == "work_incentives":
                    history.work_incentives.append(day)
        elif kind == "employer_contact" and data["face_to_face"] is True and data.get("member_ids"):
            day = self.settings.local_date(data["occurred_at"])
            if day <= on:
                for member_id in data["member_ids"]:
                    self.histories[member_id].employer_contacts.append(day)
        elif kind == "job":
            self.histories[data["member_id"]].jobs.append(_Job.of(record))
        elif kind == "career_profile":
            history = self.histories[data["member_id"]]
            completed = _optional_date(data, "completed_on")
            if completed is not None and completed <= on:
                history.profiles_completed.append(completed)
            history.benefits |= bool(str(data.get("benefits") or "").strip())
        elif kind == "employment_plan":
            written = _date(data, "written_on")
            if written <= on:
                plan = _Plan(written, _optional_date(data, "next_review"), record.version)
                self.histories[data["member_id"]].plans.append(plan)


def due_items(records: Iterable[Record], on: date, settings: TeamSettings) -> list[DueItem]:
    """Every timed rule not met for the caseload in `records`, as of `on`:
    ordered by due date, then member, then the rules' order. A record with a
    date outside those records may hold (stored before the limits) is left
    out, as the phone leaves out what it cannot open."""
    caseload = _read_caseload(records, on, settings)
    items: list[DueItem] = []
    for member in caseload.members:
        if member.active:
            items.extend(_member_items(member, caseload.histories[member.id], on))
    items.sort(key=lambda i: (i.due, i.member.casefold(), i.member_id, _RULE_ORDER[i.rule], i.says))
    return items


def _read_caseload(records: Iterable[Record], on: date, settings: TeamSettings) -> _Caseload:
    """The live records taken in, as of `on`, each history's days sorted."""
    caseload = _Caseload(on, settings)
    for record in records:
        if not record.deleted:
            try:  # not suppress(): a context manager per record costs ms over a caseload
                caseload.add(record)
            except ValidationError:
                continue
    for history in caseload.histories.values():
        history.face_to_face.sort()
        history.work_incentives.sort()
    return caseload


def _member_items(member: _Member, history: _History, on: date) -> Iterator[DueItem]:
    def item(rule_id: str, due: date, employer: str = "", **dates: date) -> DueItem:
        rule = _RULE[rule_id]
        words = {
            "member": member.name,
            "employer": employer,
            "days": rule.days,
            "listed_days": rule.listed_days,
        }
        shown = {key: day.isoformat() for key, day in dates.items()}
        return DueItem(
            rule.id,
            member.id,
            member.name,
            due,
            status_of(due, on),
            rule.evidence.format(**words, **shown),
            rule.says.format(**words),
        )

    def days(rule_id: str) -> timedelta:
        return timedelta(days=_RULE[rule_id].days)

    def listed(rule_id: str, since: date) -> bool:
        limit = _RULE[rule_id].listed_days
        return limit is None or on <= since + timedelta(days=limit)

    if not history.profiles_completed:
        yield item("career_profile", member.entry + days("career_profile"))
    # "The first face to face contact with the employer by the member or the IPS
    # specialist occurs within 30 days" (CCP.4043 Components 7; LA.CP.BH.509c
    # II.G): a contact before entry is not part of this program's search, and a
    # job started since entry means the member met an employer (PROTOCOL.md,
    # additions of 2026-12-07).
    if member.job_seeking and not (
        any(day >= member.entry for day in history.employer_contacts)
        or any(member.entry <= job.start <= on for job in history.jobs)
    ):
        yield item("first_employer_contact", member.entry + days("first_employer_contact"))

    for job in history.jobs:
        start, end, employer = job.start, job.end, job.employer
        before = start - days("contact_before_job_start")
        if before <= on <= start and not history.visited(before, start):
            yield item("contact_before_job_start", start, employer, first=before, last=start)
        not_ended = end is None or on <= end
        after = start + days("contact_after_job_start")
        if (
            not_ended
            and listed("contact_after_job_start", start)
            and not history.visited(start, after)
        ):
            yield item("contact_after_job_start", after, employer, first=start, last=after)
        planning = start - days("work_incentives")
        if (
            history.benefits
            and not_ended
            and listed("work_incentives", start)
            and not history.visited(planning, start, history.work_incentives)
        ):
            yield item("work_incentives", start, employer, first=planning, last=start)
        if (
            end is not None
            and end <= on
            and listed("contact_after_job_loss", end)
            and not history.visited(end, on)
        ):
            due = end + days("contact_after_job_loss")
            yield item("contact_after_job_loss", due, employer, first=end)

    follow = _follow_along(history, on)
    if follow is not None:
        employer, first = follow.job.employer, follow.first
        yield item(follow.rule, follow.due, employer, first=first, last=follow.due)

    if history.profiles_completed and not history.plans:
        first_profile = min(history.profiles_completed)
        yield item("employment_plan", first_profile + days("employment_plan"))
    if history.plans:
        plan = max(history.plans, key=lambda p: (p.written, p.version))
        if plan.next_review is not None:
            yield item("plan_review", plan.next_review, first=plan.written)


@dataclass(frozen=True)
class _FollowAlong:
    """The follow-along item of a member as of a day."""

    rule: str  # follow_along_weekly or follow_along_monthly
    job: _Job  # the job it follows
    first: date  # the first day a visit meets it
    due: date


def _follow_along(history: _History, on: date) -> _FollowAlong | None:
    """The follow-along item as of `on` (see the module's notes), or None
    when the member holds no job that day."""
    lasting = [job for job in history.jobs if job.lasts_on(on)]
    if not lasting:
        return None
    job = max(lasting, key=lambda j: (j.start, j.id))
    weekly = _RULE["follow_along_weekly"]
    in_first_weeks = on <= job.start + timedelta(days=weekly.listed_days or 0)
    rule = weekly if in_first_weeks else _RULE["follow_along_monthly"]
    last = history.last_visit(job.start, on)
    first = job.start if last is None else last + timedelta(days=1)
    return _FollowAlong(rule.id, job, first, (last or job.start) + timedelta(days=rule.days))


# The kinds follow-along items read; reading no others saves time over a team.
_FOLLOW_ALONG_KINDS = frozenset(("member", "member_visit", "job"))


@dataclass(frozen=True)
class FollowAlongItem:
    """A follow-along item `due_items` listed, and how it ended."""

    rule: str
    member_id: str
    member: str
    employer: str  # of the job it followed
    due: date
    met_on: date | None  # the face-to-face visit that met it by its due day; None: missed


def follow_along_items(
    records: Iterable[Record], first: date, last: date, settings: TeamSettings, *, today: date
) -> list[FollowAlongItem]:
    """The follow-along items due from `first` to `last` that were settled by
    `today`, ordered by member and due day: what `due_items` listed on the days
    before, each item once.

    An item is settled when a face-to-face visit met it by its due day (on
    time), or when it was still listed on or after its due day (missed; a
    later visit is late). An item that stopped being listed before its due
    day for another reason (the job ended, a newer job took over, the first
    30 days ended) never came due and is left out, as are items not settled
    by yesterday. A closed member is followed until the day before
    `closed_on`: the days the member was active."""
    longest = max(_RULE[rule].days for rule in ("follow_along_weekly", "follow_along_monthly"))
    # An item due on `last` may first be listed the day after (the monthly
    # item of a job with no visit in its first 30 days).
    until = min(last + timedelta(days=1), today - timedelta(days=1))
    read = (record for record in records if record.kind in _FOLLOW_ALONG_KINDS)
    caseload = _read_caseload(read, until, settings)
    settled: list[FollowAlongItem] = []
    for member in caseload.members:
        history = caseload.histories[member.id]
        active_until = until
        if member.closed is not None:
            active_until = min(until, member.closed - timedelta(days=1))
        listed: _FollowAlong | None = None
        for day in _follow_along_changes(history, first - timedelta(days=longest), active_until):
            now = _follow_along(history, day) if day <= active_until else None
            if now == listed:
                continue
            if listed is not None and first <= listed.due <= last:
                # Listed until the day before: ended by a visit today, or already due.
                met = history.first_visit(day, min(day, listed.due))
                if met is not None or listed.due < day:
                    settled.append(
                        FollowAlongItem(
                            listed.rule,
                            member.id,
                            member.name,
                            listed.job.employer,
                            listed.due,
                            met,
                        )
                    )
            listed = now
    settled.sort(key=lambda i: (i.member.casefold(), i.member_id, i.due, i.rule))
    return settled


def _follow_along_changes(history: _History, first: date, last: date) -> list[date]:
    """The days from `first` to `last` on which a member's follow-along item
    may change (a face-to-face visit, a job starting or ending, the end of a
    job's first weeks), `first` itself, and the day after `last`, when the
    walk ends."""
    weeks = timedelta(days=(_RULE["follow_along_weekly"].listed_days or 0) + 1)
    days = {first, *history.face_to_face}
    for job in history.jobs:
        days.update((job.start, job.start + weeks))
        if job.end is not None:
            days.add(job.end + timedelta(days=1))
    return [*sorted(day for day in days if first <= day <= last), last + timedelta(days=1)]


def closed_on(member: Record, settings: TeamSettings) -> date | None:
    """The day a closed member was closed, as near as the log tells: the
    `closed_on` the app writes when it closes a member (a field of the app's
    own, which PROTOCOL.md keeps untouched), else the day of the member
    record's last change (its version stamp), in the team's zone. None for an
    active member."""
    if member.data.get("status") != "closed":
        return None
    with suppress(ValidationError):
        return parse_date(member.data.get("closed_on"), "closed_on")
    stamp, _ = parse_version(member.version)
    return settings.local_date(datetime.fromtimestamp(stamp.ms / 1000, UTC))


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def member_status(member: Record, records: Iterable[Record], on: date) -> str:
    """Where a member stands on `on`, for the caseload list: "Closed",
    "Working at Bluebird Print Shop since 3 Nov", "Starting at ... on 1 Dec",
    "Not looking for work", "Between jobs since 12 Oct" or "Looking for work".
    `records` may be the whole caseload; only the member's live jobs are read."""
    if member.data.get("status") == "closed":
        return "Closed"
    jobs = []
    for record in records:
        if record.kind == "job" and not record.deleted and record.data["member_id"] == member.id:
            with suppress(ValidationError):  # dates no rule can use, as in due_items
                jobs.append(_Job.of(record))
    lasting = [job for job in jobs if job.lasts_on(on)]
    if lasting:
        job = max(lasting, key=lambda j: (j.start, j.id))
        return f"Working at {job.employer} since {_shown_day(job.start, on)}"
    coming = [job for job in jobs if job.start > on]
    if coming:
        job = min(coming, key=lambda j: (j.start, j.id))
        return f"Starting at {job.employer} on {_shown_day(job.start, on)}"
    if member.data.get("job_seeking") is not True:
        return "Not looking for work"
    ended = [job.end for job in jobs if job.end is not None]
    if ended:
        return f"Between jobs since {_shown_day(max(ended), on)}"
    return "Looking for work"


def _shown_day(day: date, on: date) -> str:
    """The day as "3 Nov", with the year when it is not the year of `on`."""
    shown = f"{day.day} {MONTHS[day.month - 1]}"
    return shown if day.year == on.year else f"{shown} {day.year}"
