"""The IPS timed rules: what is due for each member of a caseload, as of a day.

One pure function, `due_items`, used by the phone's store, the central store's
`GET /v1/due`, its tallies and its export, so every side lists the same items.
The rules are data (`RULES`): their windows in days, the words screens show
and the policy sentence each comes from (PROTOCOL.md, additions of
2026-12-07, "Due rules, corrected and added").

How the rules are read where PROTOCOL.md leaves room:

- Only live records count (tombstones never), and only what is known as of
  the day: visits and employer contacts from after it, a profile completed
  after it, a plan written after it and a job loss learned of after it are
  not there yet. A job may lie ahead (a planned start); it is held from its
  start to its end date, both included (`members.holds`).
- Times (`occurred_at`) become dates in the team's time zone. Windows are whole
  days and include both ends: a log of dates cannot tell a visit on the
  morning of a job's first (or last) day from one in the evening, so such a
  visit counts both as before and as after.
- A visit *reaches* the member unless its type is `outreach_attempt`
  (`members.reaches`); only visits that reached the member meet a rule, but
  an outreach attempt meets the monthly follow-along ("documented efforts to
  meet").
- Closed and deleted members have no items. `first_employer_contact` is for
  members whose `job_seeking` is true, as the app shows them. Job rules skip
  jobs that started before the member's program entry.
- A rule met by any record of its kind (`career_profile`,
  `first_employer_contact`, `employment_plan`) stays overdue until that record
  exists. A rule met only inside a window around a job stays listed for a
  while after the window closes, overdue, so a visit done but not yet logged
  is noticed: `listed_days` after the job's start (`contact_before_job_start`,
  `contact_after_job_start`, `work_incentives`) or after the loss was learned
  of (`contact_after_job_loss`), and only while the job lasts for the rules
  after a start (after a job ends, the job-loss rule takes over).
  `contact_before_job_start` is listed from 7 days before the start.
- Follow-along counts from the member's last face-to-face visit that reached
  them since the start of the job, or from the start when there is none yet:
  its clock starts with the job. It follows the most recently started job the
  member holds on the day (one visit serves every job): weekly until 30 days
  after that job's start (that day included), then every 30 days from that
  visit or the last outreach attempt, whichever is later. While a job lasts
  there is always a next follow-along visit, so it is always listed, until
  the member's `follow_along_ended_on`: from that day the member wants no
  more follow-along, weekly or monthly.
- `work_incentives` is for every member, for each job, met by a
  `work_incentives` visit (face to face or not: planning may be done by
  phone) in the 90 days before the start.
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
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from .authorizations import Authorization
from .errors import ValidationError
from .kinds import parse_date
from .members import closed_on, follow_along_ended, holds, reaches
from .payers import Payer
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
    "authorization",
)
Status = Literal["overdue", "due", "upcoming"]
# An item is "due" from this many days before its due date; before that it is "upcoming".
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Rule:
    """One timed rule. `says` and `evidence` are templates: `{member}`,
    `{employer}` (of the job), `{payer}` (the member's payer's name), `{days}`
    and `{listed_days}` (this rule's numbers) and the dates the evidence names
    (YYYY-MM-DD)."""

    id: str
    days: int  # the window: due this many days after what starts it, or the span before it
    says: str  # what the specialist has to do, as screens show it
    evidence: str  # the record that would meet the rule
    source: str  # the policy's own sentence, and where it stands
    # How many days after the event that starts it the rule stays listed
    # while unmet (see the module's notes); None: until it is met.
    listed_days: int | None = None


_JOB_START = (
    '"face-to-face contact within one (1) week before starting a job, within three (3) days '
    "after starting a job, weekly for the first month, and documented efforts to meet with "
    "members at least monthly for a year or more, on average, after working steadily, and "
    'desired by members" (CCP.4043 Components 9.a)'
)
RULES: tuple[Rule, ...] = (
    Rule(
        "career_profile",
        30,
        "Complete {member}'s career profile within {days} days of program entry",
        "a career profile for {member} with the date it was completed",
        '"Initial employment assessment occurs within 30 days after program entry" '
        "(CCP.4043 Components 4; LA.CP.BH.509c II.C)",
    ),
    Rule(
        "first_employer_contact",
        30,
        "Meet an employer face to face for {member} within {days} days of program entry",
        "a face-to-face employer contact that lists {member} since program entry, or a job "
        "{member} started since",
        '"The first face to face contact with the employer by the member or the IPS '
        'specialist occurs within 30 days" (CCP.4043 Components 7; LA.CP.BH.509c II.G)',
    ),
    Rule(
        "contact_before_job_start",
        7,
        "See {member} face to face in the {days} days before the job at {employer} starts",
        "a face-to-face member visit that reached {member} from {first} to {last}",
        _JOB_START,
        listed_days=14,
    ),
    Rule(
        "contact_after_job_start",
        3,
        "See {member} face to face within {days} days of the job start at {employer}",
        "a face-to-face member visit that reached {member} from {first} to {last}",
        _JOB_START,
        listed_days=30,
    ),
    Rule(
        "follow_along_weekly",
        7,
        "See {member} face to face every week in the first {listed_days} days of the job at "
        "{employer}",
        "a face-to-face member visit that reached {member} from {first} to {last}",
        _JOB_START,
        listed_days=30,
    ),
    Rule(
        "follow_along_monthly",
        30,
        "See {member} face to face at least every {days} days while the job at {employer} lasts",
        "a face-to-face member visit that reached {member}, or an outreach attempt, from "
        "{first} to {last}",
        _JOB_START,
    ),
    Rule(
        "contact_after_job_loss",
        3,
        "Contact {member} within {days} days of learning the job at {employer} ended",
        "a member visit that reached {member}, in any setting, on or after {first}",
        '"IPS specialists contact members within three (3) days of learning about the job '
        'loss" (CCP.4043 Components 9.b)',
        listed_days=30,
    ),
    Rule(
        "work_incentives",
        90,
        "Offer {member} benefits planning before the job at {employer} starts",
        "a work-incentives member visit from {first} to {last}",
        '"All members are offered assistance in obtaining ... work incentives (benefits) '
        'planning before starting a new job" (CCP.4043 Components 8; LA.CP.BH.509c II.H)',
        listed_days=30,
    ),
    Rule(
        "employment_plan",
        30,
        "Write {member}'s employment plan within {days} days of the career profile",
        "an employment plan for {member}",
        "PROTOCOL.md: the plan follows the completed career profile within 30 days (the "
        "policies name no window)",
    ),
    Rule(
        "plan_review",
        0,
        "Review {member}'s employment plan",
        "an employment plan for {member} written after {first}",
        "PROTOCOL.md: the plan's own next review date",
    ),
    Rule(
        "lrs_check",
        0,
        "Document in {member}'s file that IPS is not available through LRS",
        "the day {member}'s file was documented (LRS checked on)",
        '"Prior to providing members with IPS services, IPS specialists shall document in the '
        "member's file that IPS services are not available to the member through LRS\" "
        "(LA.CP.BH.509c Description)",
    ),
    Rule(
        "authorization",
        0,
        "Ask {payer} to authorize {member}'s services",
        "an authorization of {payer} for {member}, requested or approved, covering {first}",
        '"Services require a prior authorization" (LA.CP.BH.509c III.D); "Services are '
        'subject to prior authorization" (CCP.4043 Eligibility)',
    ),
    Rule(
        "authorization_renewal",
        14,
        "Ask {payer} to renew {member}'s authorization {days} days before it ends",
        "an authorization of {payer} for {member} starting by {first}",
        "PROTOCOL.md: 14 days before an approved authorization ends (the policies "
        "require the authorization and name no window for its renewal)",
    ),
)
RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)
_RULE = {rule.id: rule for rule in RULES}
_RULE_ORDER = {rule_id: n for n, rule_id in enumerate(RULE_IDS)}
# How long each rule stays listed after what starts it (0: not at all).
_LISTED = {rule.id: timedelta(days=rule.listed_days or 0) for rule in RULES}
# The rules the fidelity item "follow-along supports" rates (PROTOCOL.md,
# "Fidelity, corrected").
FOLLOW_ALONG_RULES = (
    "contact_before_job_start",
    "contact_after_job_start",
    "follow_along_weekly",
    "follow_along_monthly",
    "contact_after_job_loss",
)


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


def _optional_date(data: Any, field: str) -> date | None:
    value = data.get(field)
    return None if value is None else parse_date(value, field)


@dataclass(frozen=True)
class _Job:
    id: str
    employer: str
    start: date
    end: date | None
    learned: date | None  # the day the loss was learned of: loss_learned_on, else end

    @classmethod
    def of(cls, record: Record) -> _Job:
        data = record.data
        start, end = (
            parse_date(data.get("start_date"), "start_date"),
            _optional_date(data, "end_date"),
        )
        learned = _optional_date(data, "loss_learned_on") or end
        return cls(record.id, str(data["employer"]), start, end, learned)

    def lasts_on(self, day: date) -> bool:
        return holds(self.start, self.end, day)


@dataclass(frozen=True)
class _Plan:
    written: date
    next_review: date | None
    version: str  # orders plans written the same day


def _first_in(days: list[date], first: date, last: date) -> date | None:
    """The first of the sorted `days` from `first` to `last`, if any."""
    at = bisect.bisect_left(days, first)
    return days[at] if at < len(days) and days[at] <= last else None


def _last_in(days: list[date], first: date, last: date) -> date | None:
    """The last of the sorted `days` from `first` to `last`, if any."""
    at = bisect.bisect_right(days, last)
    return days[at - 1] if at and days[at - 1] >= first else None


@dataclass
class _History:
    """What a member's live records say, as of the day; each list of days sorted."""

    seen: list[date] = field(default_factory=list)  # face-to-face visits that reached them
    reached: list[date] = field(default_factory=list)  # visits that reached them, any setting
    attempts: list[date] = field(default_factory=list)  # outreach attempts
    work_incentives: list[date] = field(default_factory=list)
    employer_contacts: list[date] = field(default_factory=list)  # face to face, listing them
    jobs: list[_Job] = field(default_factory=list)
    profiles_completed: list[date] = field(default_factory=list)  # completed_on by the day
    plans: list[_Plan] = field(default_factory=list)  # written by the day
    authorizations: list[Authorization] = field(default_factory=list)

    def sort(self) -> None:
        for days in (self.seen, self.reached, self.attempts, self.work_incentives):
            days.sort()


@dataclass(frozen=True)
class _Member:
    id: str
    name: str
    entry: date
    closed: date | None  # see members.closed_on
    job_seeking: bool
    follow_along_ended: date | None
    payer: str | None
    lrs_checked: date | None

    @property
    def active(self) -> bool:
        return self.closed is None

    def followed_on(self, day: date) -> bool:
        """Follow-along is wanted on `day`."""
        return self.follow_along_ended is None or day < self.follow_along_ended


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
                    parse_date(data.get("program_entry"), "program_entry"),
                    closed_on(record, self.settings),
                    job_seeking=data.get("job_seeking") is True,
                    follow_along_ended=follow_along_ended(data),
                    payer=data.get("payer"),
                    lrs_checked=_optional_date(data, "lrs_checked_on"),
                )
            )
        elif kind == "member_visit":
            day = self.settings.local_date(data["occurred_at"])
            if day <= on:
                history = self.histories[data["member_id"]]
                if not reaches(data):
                    history.attempts.append(day)
                else:
                    history.reached.append(day)
                    if data["face_to_face"] is True:
                        history.seen.append(day)
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
            completed = _optional_date(data, "completed_on")
            if completed is not None and completed <= on:
                self.histories[data["member_id"]].profiles_completed.append(completed)
        elif kind == "employment_plan":
            written = parse_date(data.get("written_on"), "written_on")
            if written <= on:
                plan = _Plan(written, _optional_date(data, "next_review"), record.version)
                self.histories[data["member_id"]].plans.append(plan)
        elif kind == "authorization":
            auth = Authorization.of(record)
            self.histories[auth.member_id].authorizations.append(auth)


def due_items(
    records: Iterable[Record],
    on: date,
    settings: TeamSettings,
    payers: Mapping[str, Payer] | None = None,
) -> list[DueItem]:
    """Every timed rule not met for the caseload in `records`, as of `on`:
    ordered by due date, then member, then the rules' order. `payers` (by id)
    bring the rules of a member's payer (the LRS check, authorizations); a
    payer not among them brings none. A record with a date outside those
    records may hold (stored before the limits) is left out, as the phone
    leaves out what it cannot open."""
    caseload = _read_caseload(records, on, settings)
    items: list[DueItem] = []
    for member in caseload.members:
        if member.active:
            payer = (payers or {}).get(member.payer or "")
            history = caseload.histories[member.id]
            items.extend(_member_items(member, history, on, payer))
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
    entries = {member.id: member.entry for member in caseload.members}
    for member_id, history in caseload.histories.items():
        history.sort()
        # "Job rules skip jobs that started before the member's program_entry."
        entry = entries.get(member_id)
        if entry is not None:
            history.jobs = [job for job in history.jobs if job.start >= entry]
    return caseload


def _days(rule_id: str) -> timedelta:
    return timedelta(days=_RULE[rule_id].days)


def _listed(rule_id: str, since: date, on: date) -> bool:
    limit = _RULE[rule_id].listed_days
    return limit is None or on <= since + timedelta(days=limit)


def _member_items(
    member: _Member, history: _History, on: date, payer: Payer | None
) -> Iterator[DueItem]:
    def item(rule_id: str, due: date, employer: str = "", **dates: date) -> DueItem:
        rule = _RULE[rule_id]
        words = {
            "member": member.name,
            "employer": employer,
            "payer": payer.name if payer else "",
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

    if not history.profiles_completed:
        yield item("career_profile", member.entry + _days("career_profile"))
    # A contact before entry is not part of this program's search, and a job
    # started since entry means the member met an employer.
    if member.job_seeking and not (
        any(day >= member.entry for day in history.employer_contacts)
        or any(member.entry <= job.start <= on for job in history.jobs)
    ):
        yield item("first_employer_contact", member.entry + _days("first_employer_contact"))

    for job in history.jobs:
        for event in _job_events(history, job, on):
            if event.met_on is None and event.listed_from <= on <= event.listed_until:
                yield item(event.rule, event.due, job.employer, **event.window)

    follow = _follow_along(member, history, on)
    if follow is not None:
        employer, first = follow.job.employer, follow.first
        yield item(follow.rule, follow.due, employer, first=first, last=follow.due)

    if history.profiles_completed and not history.plans:
        first_profile = min(history.profiles_completed)
        yield item("employment_plan", first_profile + _days("employment_plan"))
    if history.plans:
        plan = max(history.plans, key=lambda p: (p.written, p.version))
        if plan.next_review is not None:
            yield item("plan_review", plan.next_review, first=plan.written)
    if payer is not None:
        for rule_id, due, dates in _payer_rules(member, history, on, payer):
            yield item(rule_id, due, "", **dates)


def _payer_rules(
    member: _Member, history: _History, on: date, payer: Payer
) -> Iterator[tuple[str, date, dict[str, date]]]:
    """The rules of the member's payer not met on `on`: (rule, due, the days
    its evidence names)."""
    if payer.checks_lrs and member.lrs_checked is None:
        yield "lrs_check", member.entry, {}
    if not payer.needs_authorization:
        return
    mine = [a for a in history.authorizations if a.payer == payer.id]
    approved = [a for a in mine if a.status == "approved" and a.end is not None]
    if not any(a.covers(on) for a in mine):
        ended = [a.end for a in approved if a.end is not None and a.end < on]
        due = max(ended) + timedelta(days=1) if ended else member.entry
        yield "authorization", due, {"first": on}
    for auth in approved:
        assert auth.start is not None and auth.end is not None
        by = auth.end + timedelta(days=1)
        renewed = any(
            other.id != auth.id
            and other.status != "denied"
            and (other.start is None or auth.start < other.start <= by)
            for other in mine
        )
        if on <= auth.end and not renewed:
            due = auth.end - _days("authorization_renewal")
            yield "authorization_renewal", due, {"first": by}


@dataclass(frozen=True)
class _JobEvent:
    """A rule a job's start or end sets once: due when, listed from and until
    which days, and the visit that met it by `on` (None: not met)."""

    rule: str
    due: date
    listed_from: date
    listed_until: date
    met_on: date | None
    window: dict[str, date]  # the days the evidence names


def _job_events(history: _History, job: _Job, on: date) -> Iterator[_JobEvent]:
    """The rules a job sets (before and after its start, benefits planning,
    its loss), as known on `on`."""
    start, end = job.start, job.end
    last_held = end if end is not None else date.max

    before = start - _days("contact_before_job_start")
    yield _JobEvent(
        "contact_before_job_start",
        start,
        before,
        start + _LISTED["contact_before_job_start"],
        _first_in(history.seen, before, min(start, on)),
        {"first": before, "last": start},
    )
    after = start + _days("contact_after_job_start")
    yield _JobEvent(
        "contact_after_job_start",
        after,
        date.min,
        min(start + _LISTED["contact_after_job_start"], last_held),
        _first_in(history.seen, start, min(after, on)),
        {"first": start, "last": after},
    )
    planning = start - _days("work_incentives")
    yield _JobEvent(
        "work_incentives",
        start,
        date.min,
        min(start + _LISTED["work_incentives"], last_held),
        _first_in(history.work_incentives, planning, min(start, on)),
        {"first": planning, "last": start},
    )
    if end is not None and job.learned is not None:
        yield _JobEvent(
            "contact_after_job_loss",
            job.learned + _days("contact_after_job_loss"),
            max(end, job.learned),
            job.learned + _LISTED["contact_after_job_loss"],
            _first_in(history.reached, end, on),
            {"first": end},
        )


@dataclass(frozen=True)
class _FollowAlong:
    """The follow-along item of a member as of a day."""

    rule: str  # follow_along_weekly or follow_along_monthly
    job: _Job  # the job it follows
    first: date  # the first day a visit meets it
    due: date


def _follow_along(member: _Member, history: _History, on: date) -> _FollowAlong | None:
    """The follow-along item as of `on` (see the module's notes), or None
    when the member holds no job that day or wants no more follow-along."""
    if not member.followed_on(on):
        return None
    lasting = [job for job in history.jobs if job.lasts_on(on)]
    if not lasting:
        return None
    job = max(lasting, key=lambda j: (j.start, j.id))
    weekly = _RULE["follow_along_weekly"]
    if on <= job.start + timedelta(days=weekly.listed_days or 0):
        rule, last = weekly, _last_in(history.seen, job.start, on)
    else:
        rule = _RULE["follow_along_monthly"]
        seen = _last_in(history.seen, job.start, on)
        attempt = _last_in(history.attempts, job.start, on)
        last = max((day for day in (seen, attempt) if day is not None), default=None)
    first = job.start if last is None else last + timedelta(days=1)
    return _FollowAlong(rule.id, job, first, (last or job.start) + timedelta(days=rule.days))


# The kinds follow-along items read; reading no others saves time over a team.
_FOLLOW_ALONG_KINDS = frozenset(("member", "member_visit", "job"))


@dataclass(frozen=True)
class FollowAlongItem:
    """A follow-along item `due_items` listed, and how it ended."""

    rule: str  # one of FOLLOW_ALONG_RULES
    member_id: str
    member: str
    employer: str  # of the job it followed
    due: date
    met_on: date | None  # the visit that met it by its due day; None: missed


def follow_along_items(
    records: Iterable[Record], first: date, last: date, settings: TeamSettings, *, today: date
) -> list[FollowAlongItem]:
    """The items of the FOLLOW_ALONG_RULES due from `first` to `last` that
    were settled by `today`, ordered by member and due day: what `due_items`
    listed on the days before, each item once.

    An item is settled when a visit met it by its due day (on time), or when
    it was still listed on or after its due day (missed; a later visit is
    late). An item that stopped being listed before its due day for another
    reason (the job ended, a newer job took over, the first 30 days ended,
    the member no longer wanted follow-along) never came due and is left out,
    as are items not settled by yesterday. A closed member is followed until
    the day before `closed_on`: the days the member was active."""
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

        for job in history.jobs:
            for event in _job_events(history, job, active_until):
                # Due in the period, by yesterday, and listed on its due day.
                if (
                    event.rule in FOLLOW_ALONG_RULES
                    and first <= event.due <= min(last, active_until)
                    and event.listed_from <= event.due <= event.listed_until
                ):
                    on_time = event.met_on if event.met_on and event.met_on <= event.due else None
                    settled.append(_settled(member, event.rule, job, event.due, on_time))
        listed: _FollowAlong | None = None
        for day in _follow_along_changes(
            member, history, first - timedelta(days=longest), active_until
        ):
            now = _follow_along(member, history, day) if day <= active_until else None
            if now == listed:
                continue
            if listed is not None and first <= listed.due <= last:
                # Listed until the day before: ended by a visit today, or already due.
                met = _follow_along_met(history, listed, day)
                if met is not None or listed.due < day:
                    settled.append(_settled(member, listed.rule, listed.job, listed.due, met))
            listed = now
    settled.sort(key=lambda i: (i.member.casefold(), i.member_id, i.due, _RULE_ORDER[i.rule]))
    return settled


def _settled(member: _Member, rule: str, job: _Job, due: date, met: date | None) -> FollowAlongItem:
    return FollowAlongItem(rule, member.id, member.name, job.employer, due, met)


def _follow_along_met(history: _History, listed: _FollowAlong, day: date) -> date | None:
    """The visit on `day` that met a follow-along item, if `day` is by its due day."""
    last = min(day, listed.due)
    met = _first_in(history.seen, day, last)
    if met is None and listed.rule == "follow_along_monthly":
        met = _first_in(history.attempts, day, last)
    return met


def _follow_along_changes(
    member: _Member, history: _History, first: date, last: date
) -> list[date]:
    """The days from `first` to `last` on which a member's follow-along item
    may change (a visit or outreach attempt, a job starting or ending, the end
    of a job's first weeks, follow-along no longer wanted), `first` itself,
    and the day after `last`, when the walk ends."""
    weeks = timedelta(days=(_RULE["follow_along_weekly"].listed_days or 0) + 1)
    days = {first, *history.seen, *history.attempts}
    if member.follow_along_ended is not None:
        days.add(member.follow_along_ended)
    for job in history.jobs:
        days.update((job.start, job.start + weeks))
        if job.end is not None:
            days.add(job.end + timedelta(days=1))
    return [*sorted(day for day in days if first <= day <= last), last + timedelta(days=1)]
