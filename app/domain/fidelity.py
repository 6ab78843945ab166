"""IPS fidelity and outcomes from the log alone: a team's items over a quarter.

One pure function, `quarter_fidelity`, gives what `GET /v1/team/fidelity`
answers and the evidence report prints: each item PROTOCOL.md lists with its
value, rating, a sentence of evidence and the rows it was computed from;
`quarter_outcomes` gives the outcomes alone, for the quarters before. The anchors are data
(scales.py), each marked verified or not.

How PROTOCOL.md's items are read where it leaves room:

- Days are the team's: times become dates in its time zone. A period runs
  from the quarter's first day to its last, both included; "the 12 months up
  to the period's end" are the four quarters ending with it.
- Only live records count, and a record with a date no rule can use (stored
  before the limits) is left out, as in `due_items`.
- A closed member counts as active until the day it was closed
  (`due.closed_on`: the `closed_on` the app writes when closing, else the day
  of the member record's last change).
- `caseload_size` is read on the period's last day, or today while the
  quarter runs. A team with no active member at all is not rated.
- `frequent_employer_contact` reads the weeks that start in the period; each
  specialist's average counts those that have ended and do not start before
  the specialist's `since` (`tally.finished_weeks_average`), and the team's is
  the mean of those averages (`tally.team_average`).
- `rapid_job_search` (PROTOCOL.md, "Fidelity, corrected") takes the members
  who entered in the 12 months up to the period's end, leaving out only those
  not seeking work who have had no employer contact and no job since entry.
  A member's first contact is read as the `first_employer_contact` rule reads
  it: a face-to-face employer contact that lists them on or after entry, by
  the specialist or the member, or a job started since entry, whichever came
  first, up to the period's end. A member with none yet counts the days from
  entry to the period's end (or today, if earlier). `late` marks more than 30
  days (the rule's window).
- `community_based_services` is the community share of the PROS report,
  over the team: minutes of member visits in the community and of
  face-to-face employer contacts, over every logged minute of both kinds in
  the period. A record without `minutes` adds none and is reported.
- `follow_along` is `due.follow_along_items`: the items of the five
  follow-along rules (before and after a job's start, weekly, monthly, after
  a loss) due in the period, as the phone's due list showed them, settled by
  yesterday (met by a visit by the due day, or still listed on it). The scale
  has no anchors for it: the ones used are this project's, marked unverified.
- An item rated on an anchor not printed in the sources says so in its
  evidence ("unverified").
- Jobs are the live ones starting in the 12 months. Employers and titles are
  compared ignoring case and spacing; a job without a title is left out of
  `diversity_of_jobs`; a job is competitive only when `competitive` is true.
- Outcomes: `served` counts members active on any day of the period (entered
  by its end, not closed before it); `worked` those with a competitive job
  lasting on any day of it (start to end date, both included); `job_starts`
  the competitive jobs of served members that started in it: the jobs the
  employment rate counts.
- Values: shares from 0 to 1 rounded to 4 places, days to 1, averages to 2;
  ratings come from the unrounded value.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .community import TIMED_KINDS, Minutes
from .due import RULES, FollowAlongItem, follow_along_items
from .errors import ValidationError, shown
from .kinds import parse_date
from .limits import EARLIEST_DATE, LATEST_DATE
from .members import closed_on
from .records import Record
from .scales import (
    CASELOAD_SIZE,
    COMMUNITY_BASED_SERVICES,
    COMPETITIVE_JOBS,
    DIVERSITY,
    FOLLOW_ALONG,
    FREQUENT_EMPLOYER_CONTACT,
    RAPID_JOB_SEARCH,
    Scale,
)
from .tally import finished_weeks, finished_weeks_average, team_average, weekly_counts
from .weeks import TeamSettings

# The items, in PROTOCOL.md's order, with the title a report gives each.
ITEMS: Mapping[str, str] = {
    "caseload_size": "Caseload size",
    "frequent_employer_contact": "Frequent employer contact",
    "rapid_job_search": "Rapid job search",
    "community_based_services": "Community-based services",
    "follow_along": "Follow-along supports",
    "diversity_of_employers": "Diversity of employers",
    "diversity_of_jobs": "Diversity of jobs",
    "competitive_jobs": "Competitive jobs",
}
SCALES: Mapping[str, Scale] = {
    "caseload_size": CASELOAD_SIZE,
    "frequent_employer_contact": FREQUENT_EMPLOYER_CONTACT,
    "rapid_job_search": RAPID_JOB_SEARCH,
    "community_based_services": COMMUNITY_BASED_SERVICES,
    "follow_along": FOLLOW_ALONG,
    "diversity_of_employers": DIVERSITY,
    "diversity_of_jobs": DIVERSITY,
    "competitive_jobs": COMPETITIVE_JOBS,
}
# Quarterly employment rates of IPS programs (PROTOCOL.md).
BENCHMARKS: Mapping[str, float] = {"minimum": 0.31, "average": 0.41, "excellent": 0.50}
# The kinds of record the items read whatever their dates; they read the
# kinds of `days_read` within its days, and no others.
FIDELITY_UNDATED_KINDS = ("member", "job")
# A first employer contact later than this many days after entry is late.
FIRST_CONTACT_DAYS = next(rule.days for rule in RULES if rule.id == "first_employer_contact")
# Follow-along items due in a period read visits from this many days before it
# (a job loss learned of up to 30 days after the end, at the longest listed).
_VISITS_BEFORE = 90
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, written `2026-Q4`."""

    year: int
    number: int  # 1-4

    @classmethod
    def parse(cls, text: object) -> Quarter:
        found = _QUARTER.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise ValidationError("quarter", f"{shown(text)} is not a quarter, like 2026-Q4")
        quarter = cls(int(found[1]), int(found[2]))
        if not EARLIEST_DATE.year <= quarter.year <= LATEST_DATE.year:
            raise ValidationError(
                "quarter",
                f"is {quarter}; records hold dates from {EARLIEST_DATE.year} "
                f"to {LATEST_DATE.year} only",
            )
        return quarter

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.shifted(1).start - timedelta(days=1)

    @property
    def year_start(self) -> date:
        """The first day of the 12 months up to the quarter's end."""
        return self.shifted(-3).start

    def shifted(self, quarters: int) -> Quarter:
        """The quarter this many after (before, for a negative number) this one."""
        index = self.year * 4 + self.number - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    def period(self) -> dict[str, str]:
        """PROTOCOL.md's `period`: first and last day, both included."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class SpecialistLog:
    """One specialist's records, as the items read them."""

    id: str
    name: str
    since: date  # the first week the specialist worked with the app
    records: Sequence[Record]

    @property
    def ref(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


def days_read(quarter: Quarter) -> Mapping[str, tuple[date, date]]:
    """For each kind with a time, the first and last day of the records the
    items read, a few days wide at both ends (a store may load by instant)."""
    return {
        # A loss learned of late is met by a visit from the job's end on.
        "member_visit": (
            quarter.start - timedelta(days=_VISITS_BEFORE + 2),
            quarter.end + timedelta(days=2),
        ),
        # Weeks that start in the period end up to 6 days after it.
        "employer_contact": (
            quarter.year_start - timedelta(days=1),
            quarter.end + timedelta(days=8),
        ),
    }


@dataclass(frozen=True)
class FidelityItem:
    item: str  # an ITEMS key
    value: float | None  # None: the log cannot tell
    rating: int | None
    evidence: str  # a sentence a reviewer can check
    records: tuple[Mapping[str, Any], ...]  # the rows the value was computed from

    @property
    def scale(self) -> Scale:
        return SCALES[self.item]

    def to_wire(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "value": self.value,
            "rating": self.rating,
            "evidence": self.evidence,
            "anchors": [anchor.to_wire() for anchor in self.scale.anchors],
            "records": [dict(row) for row in self.records],
        }


@dataclass(frozen=True)
class Outcomes:
    quarter: Quarter
    served: int
    worked: int
    job_starts: int
    records: tuple[Mapping[str, Any], ...]  # one row per member served

    @property
    def employment_rate(self) -> float | None:
        return round(self.worked / self.served, 4) if self.served else None

    def figures(self) -> dict[str, Any]:
        """The quarter's four figures, as agencies report them."""
        return {
            "quarter": str(self.quarter),
            "period": self.quarter.period(),
            "served": self.served,
            "worked": self.worked,
            "employment_rate": self.employment_rate,
            "job_starts": self.job_starts,
        }

    def to_wire(self) -> dict[str, Any]:
        """PROTOCOL.md's `outcomes`, with the members served as `records`."""
        return {
            "served": self.served,
            "worked": self.worked,
            "employment_rate": self.employment_rate,
            "job_starts": self.job_starts,
            "benchmarks": dict(BENCHMARKS),
            "records": [dict(row) for row in self.records],
        }


@dataclass(frozen=True)
class Fidelity:
    quarter: Quarter
    as_of: date  # today when computed: what the log held then
    items: tuple[FidelityItem, ...]  # in ITEMS order
    outcomes: Outcomes


def quarter_fidelity(
    logs: Sequence[SpecialistLog], quarter: Quarter, settings: TeamSettings, today: date
) -> Fidelity:
    """Every item the log can evidence and the outcomes, for the team whose
    specialists' records are `logs` (ordered as the rows should be)."""
    team = _TeamLog(logs, quarter, settings)
    jobs = team.jobs_started(quarter.year_start, quarter.end)
    items = (
        _caseload_size(team, min(quarter.end, today)),
        _frequent_employer_contact(logs, quarter, settings, today),
        _rapid_job_search(team, quarter, min(quarter.end, today)),
        _community_based_services(team),
        _follow_along(logs, quarter, settings, today),
        _diversity(team, jobs, "diversity_of_employers"),
        _diversity(team, jobs, "diversity_of_jobs"),
        _competitive_jobs(team, jobs),
    )
    return Fidelity(quarter, today, items, _outcomes(team, quarter))


def quarter_outcomes(
    logs: Sequence[SpecialistLog], quarters: Iterable[Quarter], settings: TeamSettings
) -> list[Outcomes]:
    """The outcomes of each quarter: they read members and jobs only."""
    team = _TeamLog(logs, None, settings)
    return [_outcomes(team, quarter) for quarter in quarters]


# --- What the records say ------------------------------------------------------


@dataclass(frozen=True)
class _Member:
    id: str
    name: str
    specialist: SpecialistLog
    entry: date
    closed: date | None
    job_seeking: bool

    def active_on(self, day: date) -> bool:
        return self.entry <= day and (self.closed is None or day < self.closed)

    def active_between(self, first: date, last: date) -> bool:
        return self.entry <= last and (self.closed is None or first < self.closed)


@dataclass(frozen=True)
class _Job:
    id: str
    specialist: SpecialistLog
    member_id: str
    employer: str
    title: str
    start: date
    end: date | None
    competitive: bool | None  # None: not marked

    def lasts_between(self, first: date, last: date) -> bool:
        return self.start <= last and (self.end is None or first <= self.end)


@dataclass
class _TeamLog:
    """Members, jobs, the period's visit minutes and members' first employer
    contacts, read once from every specialist's live records. Without a
    quarter only members and jobs are read."""

    logs: Sequence[SpecialistLog]
    quarter: Quarter | None
    settings: TeamSettings
    members: dict[str, _Member] = field(default_factory=dict)
    jobs: list[_Job] = field(default_factory=list)
    minutes: dict[str, Minutes] = field(default_factory=lambda: defaultdict(Minutes))
    # Days of face-to-face employer contacts that list each member, sorted.
    contacted: dict[str, list[date]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for log in self.logs:
            for record in log.records:
                if not record.deleted:
                    try:  # not suppress(): a context manager per record costs ms
                        self._add(log, record)
                    except ValidationError:
                        continue
        for days in self.contacted.values():
            days.sort()

    def _add(self, log: SpecialistLog, record: Record) -> None:
        data, kind = record.data, record.kind
        if kind == "member":
            self.members[record.id] = _Member(
                record.id,
                str(data["display_name"]),
                log,
                parse_date(data.get("program_entry"), "program_entry"),
                closed_on(record, self.settings),
                data.get("job_seeking") is True,
            )
        elif kind == "job":
            end = data.get("end_date")
            competitive = data.get("competitive")
            self.jobs.append(
                _Job(
                    record.id,
                    log,
                    str(data["member_id"]),
                    str(data["employer"]),
                    str(data.get("title") or ""),
                    parse_date(data.get("start_date"), "start_date"),
                    None if end is None else parse_date(end, "end_date"),
                    competitive if isinstance(competitive, bool) else None,
                )
            )
        elif self.quarter is None:
            return
        elif kind in TIMED_KINDS:
            day = self.settings.local_date(data["occurred_at"])
            if self.quarter.start <= day <= self.quarter.end:
                self.minutes[log.id].add(kind, data)
            if kind == "employer_contact" and data["face_to_face"] is True:
                for member_id in data.get("member_ids") or ():
                    self.contacted[member_id].append(day)

    def member_name(self, member_id: str) -> str:
        member = self.members.get(member_id)
        return "" if member is None else member.name

    def jobs_started(self, first: date, last: date) -> list[_Job]:
        return [job for job in self.jobs if first <= job.start <= last]

    def first_contact(self, member: _Member, last: date) -> date | None:
        """The member's first employer contact from entry to `last`, as the
        `first_employer_contact` rule reads it: a face-to-face employer
        contact listing them, or a job start (the member met an employer)."""
        days = self.contacted.get(member.id, [])
        at = bisect.bisect_left(days, member.entry)
        contact = days[at] if at < len(days) and days[at] <= last else None
        starts = (
            job.start
            for job in self.jobs
            if job.member_id == member.id and member.entry <= job.start <= last
        )
        return min((day for day in (contact, *starts) if day is not None), default=None)


# --- The items -------------------------------------------------------------------


def _item(
    item: str, value: float | None, evidence: str, rows: Iterable[Mapping[str, Any]]
) -> FidelityItem:
    scale = SCALES[item]
    rating = None if value is None else scale.rating(value)
    anchor = next((a for a in scale.anchors if a.rating == rating), None)
    if anchor is not None and not anchor.verified:
        evidence += (
            f" Rating {rating} ({anchor.says}) rests on an anchor not printed in the sources: "
            "unverified."
        )
    return FidelityItem(item, _rounded(item, value), rating, evidence, tuple(rows))


def _rounded(item: str, value: float | None) -> float | None:
    if value is None or item == "caseload_size":
        return value
    places = {"frequent_employer_contact": 2, "rapid_job_search": 1}.get(item, 4)
    return round(value, places)


def _caseload_size(team: _TeamLog, day: date) -> FidelityItem:
    rows: list[dict[str, Any]] = []
    for log in team.logs:
        members = sorted(
            (m for m in team.members.values() if m.specialist is log and m.active_on(day)),
            key=lambda m: (m.name.casefold(), m.id),
        )
        rows.append(
            {
                "specialist": log.ref,
                "active": len(members),
                "members": [
                    {"id": m.id, "name": m.name, "program_entry": m.entry.isoformat()}
                    for m in members
                ],
            }
        )
    rows.sort(key=lambda row: -row["active"])
    if not rows or rows[0]["active"] == 0:
        evidence = f"No member of the team was active on {day}: the log cannot tell."
        return _item("caseload_size", None, evidence, rows)
    largest = rows[0]
    evidence = (
        f"On {day}, {largest['specialist']['name']} had the largest caseload, "
        f"{_count(largest['active'], 'active member')}"
    )
    if len(rows) > 1:
        evidence += (
            f"; the team's {len(rows)} specialists had "
            f"{_listed(str(row['active']) for row in rows)}"
        )
    evidence += "."
    return _item("caseload_size", largest["active"], evidence, rows)


def _frequent_employer_contact(
    logs: Sequence[SpecialistLog], quarter: Quarter, settings: TeamSettings, today: date
) -> FidelityItem:
    first_week = settings.week_of(quarter.start)
    if first_week < quarter.start:
        first_week += timedelta(days=7)
    weeks = [
        first_week + timedelta(weeks=n) for n in range((quarter.end - first_week).days // 7 + 1)
    ]
    rows: list[dict[str, Any]] = []
    averages: list[float | None] = []
    for log in logs:
        counts = weekly_counts(log.records, settings, weeks)
        average = finished_weeks_average(weeks, counts, since=log.since, today=today)
        averages.append(average)
        finished = finished_weeks(weeks, since=log.since, today=today)
        counted = [
            (week, count) for week, count, kept in zip(weeks, counts, finished, strict=True) if kept
        ]
        rows.append(
            {
                "specialist": log.ref,
                "since": log.since.isoformat(),
                "weeks": [week.isoformat() for week, _ in counted],
                "counts": [count for _, count in counted],
                "average": None if average is None else round(average, 2),
            }
        )
    mean = team_average(averages)
    span = f"the weeks starting {weeks[0]} to {weeks[-1]}"
    if mean is None:
        evidence = (
            f"None of {span} has ended since a specialist started with the app: "
            "the log cannot tell yet."
        )
        return _item("frequent_employer_contact", None, evidence, rows)
    known = [row["average"] for row in rows if row["average"] is not None]
    evidence = (
        f"Over {span} that have ended, from the week each started with the app, "
        f"{_count(len(known), 'specialist')} averaged {_listed(f'{a:g}' for a in known)} "
        f"face-to-face employer contacts a week; their mean is {mean:.2f}."
    )
    return _item("frequent_employer_contact", mean, evidence, rows)


def _rapid_job_search(team: _TeamLog, quarter: Quarter, as_of: date) -> FidelityItem:
    first, last = quarter.year_start, quarter.end
    entered = sorted(
        (m for m in team.members.values() if first <= m.entry <= last),
        key=lambda m: (m.entry, m.name.casefold(), m.id),
    )
    rows: list[dict[str, Any]] = []
    waits: list[int] = []
    not_seeking = 0
    for member in entered:
        contact = team.first_contact(member, last)
        if contact is None and not member.job_seeking:
            not_seeking += 1  # not looking for work and never met an employer: left out
            continue
        days = (as_of - member.entry).days if contact is None else (contact - member.entry).days
        waits.append(days)
        rows.append(
            {
                "specialist": member.specialist.ref,
                "member_id": member.id,
                "member": member.name,
                "program_entry": member.entry.isoformat(),
                "first_contact": None if contact is None else contact.isoformat(),
                "days": days,
                "late": days > FIRST_CONTACT_DAYS,
            }
        )
    span = f"from {first} to {last}"
    left_out = (
        f" {_count(not_seeking, 'member')} not looking for work and never with an employer "
        f"{_is(not_seeking)} left out."
        if not_seeking
        else ""
    )
    if not waits:
        evidence = f"No member looking for work entered {span}: the log cannot tell.{left_out}"
        return _item("rapid_job_search", None, evidence, rows)
    without = sum(1 for row in rows if row["first_contact"] is None)
    none_yet = (
        f" {_count(without, 'member')} with none yet count{'s' if without == 1 else ''} the "
        f"days to {as_of}."
        if without
        else ""
    )
    mean = sum(waits) / len(waits)
    late = sum(1 for days in waits if days > FIRST_CONTACT_DAYS)
    evidence = (
        f"For {_count(len(waits), 'member')} who entered {span}, the first face-to-face "
        f"employer contact (or job start) came on average {mean:.1f} days after program "
        f"entry ({late} after more than {FIRST_CONTACT_DAYS} days).{none_yet}{left_out}"
    )
    return _item("rapid_job_search", mean, evidence, rows)


def _community_based_services(team: _TeamLog) -> FidelityItem:
    assert team.quarter is not None
    span = f"from {team.quarter.start} to {team.quarter.end}"
    rows: list[dict[str, Any]] = []
    for log in team.logs:
        minutes = team.minutes[log.id]
        rows.append(
            {
                "specialist": log.ref,
                "records": minutes.records,
                "minutes": minutes.minutes,
                "community_minutes": minutes.community,
                "without_minutes": minutes.without_minutes,
            }
        )
    total = sum(row["minutes"] for row in rows)
    community = sum(row["community_minutes"] for row in rows)
    without = sum(row["without_minutes"] for row in rows)
    left_out = (
        f" {_count(without, 'visit or contact')} without minutes {_is(without)} left out."
        if without
        else ""
    )
    if total == 0:
        evidence = (
            f"No member visit or employer contact {span} has minutes: the log cannot tell."
            f"{left_out}"
        )
        return _item("community_based_services", None, evidence, rows)
    share = community / total
    evidence = (
        f"{community:,} of {total:,} minutes of member visits and employer contacts {span} "
        f"were in the community (visits there, employers met face to face): "
        f"{_percent(share)}.{left_out}"
    )
    return _item("community_based_services", share, evidence, rows)


def _follow_along(
    logs: Sequence[SpecialistLog], quarter: Quarter, settings: TeamSettings, today: date
) -> FidelityItem:
    """One row per member: a member seen often has many items met on time,
    so the rows count them and list only the missed ones."""
    rows: list[dict[str, Any]] = []
    for log in logs:
        by_member: dict[str, list[FollowAlongItem]] = defaultdict(list)
        for item in follow_along_items(
            log.records, quarter.start, quarter.end, settings, today=today
        ):
            by_member[item.member_id].append(item)
        for member_id, items in by_member.items():
            rows.append(
                {
                    "specialist": log.ref,
                    "member_id": member_id,
                    "member": items[0].member,
                    "employer": items[-1].employer,  # of the job followed last
                    "items": len(items),
                    "on_time": sum(1 for item in items if item.met_on is not None),
                    "missed": [
                        {"rule": item.rule, "due": item.due.isoformat()}
                        for item in items
                        if item.met_on is None
                    ],
                }
            )
    span = f"from {quarter.start} to {quarter.end}"
    due = sum(row["items"] for row in rows)
    if not due:
        evidence = (
            f"No follow-along contact came due {span} (before and after a job starts, weekly "
            "in its first 30 days, then monthly, after a job loss): the item is rated only "
            "when some did."
        )
        return _item("follow_along", None, evidence, rows)
    on_time = sum(row["on_time"] for row in rows)
    share = on_time / due
    evidence = (
        f"{on_time} of {_count(due, 'follow-along contact')} due {span} (before and after a "
        f"job starts, weekly in its first 30 days, then monthly, after a job loss) were made "
        f"on time ({_percent(share)}), for {_count(len(rows), 'member')}."
    )
    return _item("follow_along", share, evidence, rows)


def _job_row(team: _TeamLog, job: _Job, counted: bool) -> dict[str, Any]:
    return {
        "specialist": job.specialist.ref,
        "job_id": job.id,
        "member_id": job.member_id,
        "member": team.member_name(job.member_id),
        "employer": job.employer,
        "title": job.title,
        "start_date": job.start.isoformat(),
        "competitive": job.competitive,
        "counted": counted,
    }


def _same(text: str) -> str:
    """Text as compared for diversity: case and spacing ignored."""
    return " ".join(text.casefold().split())


def _diversity(team: _TeamLog, jobs: list[_Job], item: str) -> FidelityItem:
    assert team.quarter is not None
    by_employer = item == "diversity_of_employers"
    what = "an employer" if by_employer else "a job title"
    key: Callable[[_Job], str] = (
        (lambda job: _same(job.employer)) if by_employer else (lambda job: _same(job.title))
    )
    compared = [job for job in jobs if key(job)]
    held: dict[str, int] = defaultdict(int)
    for job in compared:
        held[key(job)] += 1
    rows = [_job_row(team, job, held[key(job)] == 1) for job in _by_start(compared)]
    span = f"started from {team.quarter.year_start} to {team.quarter.end}"
    untitled = len(jobs) - len(compared)
    left_out = (
        f" {_count(untitled, 'job')} without a title {_is(untitled)} left out." if untitled else ""
    )
    if not rows:
        evidence = f"No job {span}{' has a title' if jobs else ''}: the log cannot tell.{left_out}"
        return _item(item, None, evidence, rows)
    alone = sum(1 for row in rows if row["counted"])
    share = alone / len(rows)
    evidence = (
        f"{alone} of {_count(len(rows), 'job')} {span} are with {what} no other of those "
        f"jobs has ({_percent(share)}).{left_out}"
    )
    return _item(item, share, evidence, rows)


def _competitive_jobs(team: _TeamLog, jobs: list[_Job]) -> FidelityItem:
    assert team.quarter is not None
    rows = [_job_row(team, job, job.competitive is True) for job in _by_start(jobs)]
    span = f"started from {team.quarter.year_start} to {team.quarter.end}"
    if not rows:
        evidence = f"No job {span}: the log cannot tell."
        return _item("competitive_jobs", None, evidence, rows)
    competitive = sum(1 for row in rows if row["counted"])
    unmarked = sum(1 for job in jobs if job.competitive is None)
    not_marked = (
        f" Of those, {_count(unmarked, 'job')} {_is(unmarked)} marked neither competitive "
        "nor not, so not counted as competitive."
        if unmarked
        else ""
    )
    share = competitive / len(rows)
    evidence = (
        f"{competitive} of {_count(len(rows), 'job')} {span} are competitive "
        f"({_percent(share)}).{not_marked}"
    )
    return _item("competitive_jobs", share, evidence, rows)


def _by_start(jobs: Iterable[_Job]) -> list[_Job]:
    return sorted(jobs, key=lambda job: (job.start, job.employer.casefold(), job.id))


def _outcomes(team: _TeamLog, quarter: Quarter) -> Outcomes:
    first, last = quarter.start, quarter.end
    served = sorted(
        (m for m in team.members.values() if m.active_between(first, last)),
        key=lambda m: (m.specialist.name.casefold(), m.name.casefold(), m.id),
    )
    competitive: dict[str, list[_Job]] = defaultdict(list)
    for job in team.jobs:
        if job.competitive is True and job.lasts_between(first, last):
            competitive[job.member_id].append(job)
    rows: list[dict[str, Any]] = []
    for member in served:
        held = sorted(competitive[member.id], key=lambda job: (job.start, job.id))
        rows.append(
            {
                "specialist": member.specialist.ref,
                "member_id": member.id,
                "member": member.name,
                "program_entry": member.entry.isoformat(),
                "closed_on": None if member.closed is None else member.closed.isoformat(),
                "worked": bool(held),
                "employer": held[-1].employer if held else None,
                "job_starts": sum(1 for job in held if first <= job.start),
            }
        )
    return Outcomes(
        quarter,
        served=len(rows),
        worked=sum(1 for row in rows if row["worked"]),
        job_starts=sum(row["job_starts"] for row in rows),
        records=tuple(rows),
    )


# --- Words -------------------------------------------------------------------------


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _is(n: int) -> str:
    return "is" if n == 1 else "are"


def _listed(parts: Iterable[str]) -> str:
    words = list(parts)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"
