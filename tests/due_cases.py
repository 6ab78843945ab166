"""One table of caseloads and the timed rules they leave due, used three ways:
by the domain (tests/domain/test_due.py), the phone's store
(tests/store/test_due.py) and `GET /v1/due` on both backends
(tests/server/test_due.py), so all three must give the same items.

Every date lies before the day these tests were written, so the server takes
every record; the team is on America/Chicago, weeks from Monday.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.domain import Record, TeamSettings
from app.domain.payers import payers_by_id

SETTINGS = TeamSettings("monday", "America/Chicago", 6)
# The payers every new central store holds (PROTOCOL.md, additions of
# 2026-12-07), as `GET /v1/payers` lists them; the phone takes them at sync.
PAYERS_LISTED: list[dict[str, Any]] = [
    {"id": "lhcc", "name": "Louisiana Healthcare Connections", "state": "LA",
     "billing": "per_encounter", "code": "H2024", "modifier": "TG", "modifier_at": 6,
     "modifier_per": "month", "needs_authorization": True},
    {"id": "acla", "name": "AmeriHealth Caritas Louisiana", "state": "LA",
     "billing": "monthly_bundle", "code": None, "modifier": None, "modifier_at": None,
     "modifier_per": "month", "needs_authorization": True},
    {"id": "ny_pros", "name": "New York PROS", "state": "NY", "billing": "pros",
     "code": None, "modifier": None, "modifier_at": None, "modifier_per": "month",
     "needs_authorization": False},
]
PAYERS = payers_by_id(PAYERS_LISTED)
ON = date(2026, 11, 20)  # a Friday
_numbers = itertools.count(1)


def days(n: int) -> date:
    """The day `n` days after ON (before it, for a negative n)."""
    return ON + timedelta(days=n)


def _record(
    kind: str, data: dict[str, Any], *, deleted: bool = False, ms: int = 1763820000000
) -> Record:
    n = next(_numbers)
    record_id = f"00000000-0000-7000-8000-{n:012d}"
    return Record(record_id, kind, f"{ms:013d}.{n:05d}.due-cases", deleted, data)


def _at(day: date, clock: str = "10:00:00-06:00") -> str:
    return f"{day.isoformat()}T{clock}"


def member(
    name: str,
    entry: date,
    *,
    job_seeking: bool = False,
    status: str = "active",
    closed_on: date | None = None,
    follow_along_ended_on: date | None = None,
    **fields: Any,
):
    """A member. A closed one carries `closed_on` (the day after entry unless
    given) and a reason, as every write must since 2026-12-07, and its edit is
    stamped at noon UTC that day (the day a member closed before the field is
    dated by)."""
    if closed_on is not None:
        status = "closed"
    if status == "closed" and closed_on is None:
        closed_on = entry + timedelta(days=1)
    data: dict[str, Any] = {
        "display_name": name, "program_entry": entry.isoformat(), "status": status
    }
    data = {**data, "job_seeking": job_seeking, **fields}
    if follow_along_ended_on is not None:
        data["follow_along_ended_on"] = follow_along_ended_on.isoformat()
    if closed_on is None:
        return _record("member", data)
    data.update(closed_on=closed_on.isoformat(), closed_reason="Moved away")
    noon = datetime.combine(closed_on, time(12), tzinfo=UTC)
    return _record("member", data, ms=int(noon.timestamp() * 1000))


def visit(
    who: Record,
    day: date,
    *,
    f2f: bool = True,
    type: str = "job_support",
    clock=None,
    setting: str | None = None,
    minutes: int | None = 30,
):
    data: dict[str, Any] = {
        "occurred_at": _at(day) if clock is None else _at(day, clock),
        "member_id": who.id,
        "type": type,
        "face_to_face": f2f,
        "setting": setting or ("community" if f2f else "phone"),
    }
    if minutes is not None:
        data["minutes"] = minutes
    return _record("member_visit", data)


def authorization(
    who: Record,
    payer: str,
    start: date | None,
    end: date | None,
    *,
    status: str = "approved",
    units: int | None = None,
):
    data: dict[str, Any] = {"member_id": who.id, "payer": payer, "status": status}
    for name, day in (("start_date", start), ("end_date", end)):
        if day is not None:
            data[name] = day.isoformat()
    if units is not None:
        data["units"] = units
    return _record("authorization", data)


def employer_contact(
    day: date, members: tuple[Record, ...] = (), *, f2f: bool = True, **fields: Any
):
    data = {
        "occurred_at": _at(day),
        "employer": "Harbor Hardware",
        "face_to_face": f2f,
        "member_ids": [m.id for m in members],
        **fields,
    }
    return _record("employer_contact", data)


def job(
    who: Record,
    start: date,
    end: date | None = None,
    employer="Bluebird Print Shop",
    *,
    title: str | None = "Press assistant",
    competitive: bool | None = True,
    learned: date | None = None,
):
    data: dict[str, Any] = {
        "member_id": who.id,
        "employer": employer,
        "start_date": start.isoformat(),
    }
    if learned is not None:
        data["loss_learned_on"] = learned.isoformat()
    if title is not None:
        data["title"] = title
    if competitive is not None:
        data["competitive"] = competitive
    if end is not None:
        data.update(end_date=end.isoformat(), end_reason="laid_off")
    return _record("job", data)


def profile(who: Record, completed: date | None, *, benefits: str | None = None):
    data = {"member_id": who.id, "work_goal": "Print work", "benefits": benefits}
    return _record("career_profile", {**data, "completed_on": completed and completed.isoformat()})


def plan(who: Record, written: date, next_review: date | None = None):
    data = {
        "member_id": who.id,
        "written_on": written.isoformat(),
        "goal": "A job in printing",
        "steps": [{"text": "Visit two print shops", "who": "Rowan", "done": False}],
        "next_review": next_review and next_review.isoformat(),
    }
    return _record("employment_plan", data)


def deleted(record: Record) -> Record:
    """The record as a store holds it once deleted: a tombstone, data `{}`."""
    return Record(record.id, record.kind, record.version, True, {})


def settled(name: str, **member_fields: Any) -> tuple[Record, list[Record]]:
    """A member long on the caseload whose entry rules are all met: a career
    profile (no benefits), an employment plan without a review date, and, for
    a job seeker, a face-to-face employer contact."""
    who = member(name, days(-200), **member_fields)
    made = [who, profile(who, days(-180)), plan(who, days(-170))]
    if member_fields.get("job_seeking"):
        made.append(employer_contact(days(-190), (who,)))
    return who, made


Expected = tuple[str, str, date, str]  # member, rule, due, status


@dataclass(frozen=True)
class DueCase:
    name: str
    records: tuple[Record, ...]
    expected: tuple[Expected, ...]  # in the order due_items lists them
    on: date = ON


def _case(
    name: str, records: list[Record], *expected: Expected, on: date = ON, planning: bool = True
) -> DueCase:
    """A case. With `planning`, each member with a job and no work-incentives
    visit gets one by phone the day before the start (or on ON, for a start
    ahead): "All members are offered ... benefits planning before starting a
    new job", and cases about other rules leave it met."""
    if planning:
        planned = {r.data["member_id"] for r in records if r.kind == "member_visit"
                   and r.data.get("type") == "work_incentives"}
        for record in list(records):
            if record.kind == "job" and not record.deleted \
                    and record.data["member_id"] not in planned:
                start = date.fromisoformat(record.data["start_date"])
                records.append(_planning(record.data["member_id"], min(start - timedelta(1), ON)))
    return DueCase(name, tuple(records), tuple(expected), on)


def _planning(member_id: str, day: date) -> Record:
    data = {"occurred_at": _at(day), "member_id": member_id, "type": "work_incentives",
            "face_to_face": False, "setting": "phone", "minutes": 30}
    return _record("member_visit", data)


def _new_job_seeker(name: str) -> tuple[Record, list[Record]]:
    """A job seeker 31 days on the caseload, profile and plan done."""
    who = member(name, days(-31), job_seeking=True)
    return who, [who, profile(who, days(-1)), plan(who, days(-1))]


def _entry_cases() -> list[DueCase]:
    cases = []
    for day, status in ((30, "due"), (31, "overdue")):
        who = member("Rowan", days(-day))
        cases.append(
            _case(
                f"career profile on day {day} after entry",
                [who],
                ("Rowan", "career_profile", days(30 - day), status),
            )
        )
    who = member("Sage", days(-40))
    cases.append(
        _case(
            "a career profile in progress does not meet it",
            [who, profile(who, None)],
            ("Sage", "career_profile", days(-10), "overdue"),
        )
    )
    who = member("Tamsin", days(-40))
    cases.append(
        _case(
            "a completed career profile meets it; the plan is due next",
            [who, profile(who, days(-5))],
            ("Tamsin", "employment_plan", days(25), "upcoming"),
        )
    )
    who = member("Umar", days(-40))
    cases.append(
        _case(
            "a career profile completed after the day is not done yet",
            [who, profile(who, days(1))],
            ("Umar", "career_profile", days(-10), "overdue"),
        )
    )
    for day, status in ((30, "due"), (31, "overdue")):
        who = member("Vera", days(-day), job_seeking=True)
        made = [who, profile(who, days(-1)), plan(who, days(-1))]
        cases.append(
            _case(
                f"first employer contact on day {day} after entry",
                made,
                ("Vera", "first_employer_contact", days(30 - day), status),
            )
        )
    who, made = _new_job_seeker("Wren")
    cases.append(
        _case(
            "a face-to-face employer contact listing the member meets it",
            [*made, employer_contact(days(-2), (who,))],
        )
    )
    who, made = _new_job_seeker("Wren")
    cases.append(
        _case(
            "a phone call listing the member or a generic visit does not",
            [*made, employer_contact(days(-2), (who,), f2f=False), employer_contact(days(-2))],
            ("Wren", "first_employer_contact", days(-1), "overdue"),
        )
    )
    who, made = _new_job_seeker("Wren")
    cases.append(
        _case(
            "a deleted employer contact does not",
            [*made, deleted(employer_contact(days(-2), (who,)))],
            ("Wren", "first_employer_contact", days(-1), "overdue"),
        )
    )
    who, made = _new_job_seeker("Wren")
    cases.append(
        _case(
            "an employer contact the day before program entry does not",
            [*made, employer_contact(days(-32), (who,))],
            ("Wren", "first_employer_contact", days(-1), "overdue"),
        )
    )
    who, made = _new_job_seeker("Wren")
    cases.append(
        _case(
            "one on the day of program entry does",
            [*made, employer_contact(days(-31), (who,))],
        )
    )
    who, made = _new_job_seeker("Wren")
    cases.append(
        _case(
            "a job started since program entry meets it: the member met an employer",
            [*made, job(who, days(-10)), visit(who, days(-10)), visit(who, days(-3))],
            ("Wren", "follow_along_weekly", days(4), "due"),
        )
    )
    who = member("Xavi", days(-31), job_seeking=False)
    cases.append(
        _case(
            "a member not looking for work has no employer-contact rule",
            [who, profile(who, days(-1)), plan(who, days(-1))],
        )
    )
    who = member("Yara", days(-400), status="closed")
    cases.append(_case("a closed member has no items at all", [who, job(who, days(-2), None)]))
    who = member("Zeno", days(-400))
    cases.append(_case("a deleted member has no items", [deleted(who), job(who, days(-2))]))
    return cases


def _job_start_cases() -> list[DueCase]:
    cases = []
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a job starting today",
            [*made, job(who, ON)],
            ("Rowan", "contact_before_job_start", ON, "due"),
            ("Rowan", "contact_after_job_start", days(3), "due"),
            ("Rowan", "follow_along_weekly", days(7), "due"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a job starting in 7 days",
            [*made, job(who, days(7))],
            ("Rowan", "contact_before_job_start", days(7), "due"),
            ("Rowan", "contact_after_job_start", days(10), "upcoming"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a job starting in 8 days",
            [*made, job(who, days(8))],
            ("Rowan", "contact_after_job_start", days(11), "upcoming"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a visit on the first day of the 7 before the start meets it",
            [*made, job(who, days(7)), visit(who, ON)],
            ("Rowan", "contact_after_job_start", days(10), "upcoming"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a visit one day before the 7 days does not",
            [*made, job(who, days(6)), visit(who, days(-2))],
            ("Rowan", "contact_before_job_start", days(6), "due"),
            ("Rowan", "contact_after_job_start", days(9), "upcoming"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a visit late at night in UTC is on the team's local day",
            # 04:00 UTC on the 20th is the 19th in Chicago: outside the window.
            [*made, job(who, days(7)), visit(who, ON, clock="04:00:00+00:00")],
            ("Rowan", "contact_before_job_start", days(7), "due"),
            ("Rowan", "contact_after_job_start", days(10), "upcoming"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a visit on the start day meets the contact after the start",
            [*made, job(who, days(-3)), visit(who, days(-3))],
            ("Rowan", "follow_along_weekly", days(4), "due"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a visit one day after the 3 days does not",
            [*made, job(who, days(-4)), visit(who, ON)],
            ("Rowan", "contact_before_job_start", days(-4), "overdue"),
            ("Rowan", "contact_after_job_start", days(-1), "overdue"),
            ("Rowan", "follow_along_weekly", days(7), "due"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a phone call after the start does not",
            [*made, job(who, days(-2)), visit(who, days(-1), f2f=False)],
            ("Rowan", "contact_before_job_start", days(-2), "overdue"),
            ("Rowan", "contact_after_job_start", days(1), "due"),
            ("Rowan", "follow_along_weekly", days(5), "due"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a visit after the day is not known yet",
            [*made, job(who, days(-1)), visit(who, days(1))],
            ("Rowan", "contact_before_job_start", days(-1), "overdue"),
            ("Rowan", "contact_after_job_start", days(2), "due"),
            ("Rowan", "follow_along_weekly", days(6), "due"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a missed contact after the start stays listed for 30 days",
            [*made, job(who, days(-30))],
            ("Rowan", "contact_after_job_start", days(-27), "overdue"),
            ("Rowan", "follow_along_weekly", days(-23), "overdue"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "and is gone on day 31, when follow-along turns monthly",
            [*made, job(who, days(-31))],
            ("Rowan", "follow_along_monthly", days(-1), "overdue"),
        )
    )
    return cases


def _follow_along_and_loss_cases() -> list[DueCase]:
    cases = []
    who, made = settled("Rowan")
    cases.append(
        _case(
            "weekly follow-along counts from the last visit",
            [
                *made,
                job(who, days(-10)),
                visit(who, days(-10)),
                visit(who, days(-2)),
                visit(who, days(-1), f2f=False),
            ],
            ("Rowan", "follow_along_weekly", days(5), "due"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "monthly follow-along after the first 30 days",
            [*made, job(who, days(-60)), visit(who, days(-59)), visit(who, days(-10))],
            ("Rowan", "follow_along_monthly", days(20), "upcoming"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "follow-along goes by the newest job the member holds",
            [
                *made,
                job(who, days(-300)),
                visit(who, days(-300)),
                job(who, days(-5), employer="Copper Kettle Diner"),
                visit(who, days(-5)),
                visit(who, days(-3)),
            ],
            ("Rowan", "follow_along_weekly", days(4), "due"),
        )
    )
    for ago, due, status in ((3, ON, "due"), (4, days(-1), "overdue"), (30, days(-27), "overdue")):
        who, made = settled("Rowan")
        cases.append(
            _case(
                f"a job ended {ago} days ago",
                [*made, job(who, days(-100), days(-ago)), visit(who, days(-100))],
                ("Rowan", "contact_after_job_loss", due, status),
            )
        )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a job loss is gone 31 days after the end",
            [*made, job(who, days(-100), days(-31)), visit(who, days(-100))],
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a visit on the last day of the job meets the contact after its loss",
            [*made, job(who, days(-100), days(-4)), visit(who, days(-100)), visit(who, days(-4))],
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a visit one day before the end does not",
            [*made, job(who, days(-100), days(-4)), visit(who, days(-100)), visit(who, days(-5))],
            ("Rowan", "contact_after_job_loss", days(-1), "overdue"),
        )
    )
    who, made = settled("Rowan")
    cases.append(_case("a deleted job leaves no items", [*made, deleted(job(who, days(-2)))]))
    return cases


def _benefits_and_plan_cases() -> list[DueCase]:
    cases = []
    # "All members are offered" planning: benefits written or not.
    for benefits, planned, expected in (
        ("SSDI", None, [("Rowan", "work_incentives", days(20), "upcoming")]),
        ("SSDI", days(-70), []),  # 90 days before the start, by phone
        ("SSDI", days(-71), [("Rowan", "work_incentives", days(20), "upcoming")]),
        (None, None, [("Rowan", "work_incentives", days(20), "upcoming")]),
        (None, days(-70), []),
    ):
        who = member("Rowan", days(-200))
        made = [
            who,
            profile(who, days(-180), benefits=benefits),
            plan(who, days(-170)),
            job(who, days(20)),
        ]
        if planned:
            made.append(visit(who, planned, f2f=False, type="work_incentives"))
        cases.append(
            _case(
                f"benefits {benefits!r}, planning on {planned}",
                made,
                *expected,
                ("Rowan", "contact_after_job_start", days(23), "upcoming"),
                planning=False,
            )
        )
    for day, status in ((30, "due"), (31, "overdue")):
        who = member("Rowan", days(-200))
        cases.append(
            _case(
                f"employment plan {day} days after the career profile",
                [who, profile(who, days(-day))],
                ("Rowan", "employment_plan", days(30 - day), status),
            )
        )
    for name, later, expected in (
        ("a plan review is due on the plan's next review", None, ("overdue", days(-1))),
        ("a later plan meets the review", (days(-5), None), None),
        (
            "the later plan's own review is then the one due",
            (days(-5), days(30)),
            ("upcoming", days(30)),
        ),
        ("a plan written after the day is not there yet", (days(2), None), ("overdue", days(-1))),
    ):
        who = member("Rowan", days(-200))
        made = [who, profile(who, days(-180)), plan(who, days(-60), next_review=days(-1))]
        if later:
            made.append(plan(who, later[0], next_review=later[1]))
        items = [("Rowan", "plan_review", expected[1], expected[0])] if expected else []
        cases.append(_case(name, made, *items))
    return cases


def _corrected_cases() -> list[DueCase]:
    """The rules as PROTOCOL.md's additions of 2026-12-07 correct them."""
    cases = []
    attempt = "outreach_attempt"
    who, made = settled("Rowan")
    cases.append(
        _case(
            "an outreach attempt after the start does not meet the contact after it",
            [*made, job(who, days(-2)), visit(who, days(-3)), visit(who, days(-1), type=attempt)],
            ("Rowan", "contact_after_job_start", days(1), "due"),
            ("Rowan", "follow_along_weekly", days(5), "due"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "nor the contact before it, nor restarts the weekly clock",
            [*made, job(who, days(-9)), visit(who, days(-10), type=attempt),
             visit(who, days(-8)), visit(who, days(-1), type=attempt)],
            ("Rowan", "contact_before_job_start", days(-9), "overdue"),
            ("Rowan", "follow_along_weekly", days(-1), "overdue"),
        )
    )
    for ago, listed in ((14, True), (15, False)):
        who, made = settled("Rowan")
        cases.append(
            _case(
                f"a missed contact before the start, {ago} days after it",
                [*made, job(who, days(-ago)), visit(who, days(-ago + 1)), visit(who, days(-4)),
                 visit(who, ON)],
                *([("Rowan", "contact_before_job_start", days(-ago), "overdue")] if listed else []),
                ("Rowan", "follow_along_weekly", days(7), "due"),
            )
        )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a loss learned 20 days after the end is due 3 days after learning, not on arrival",
            [*made, job(who, days(-100), days(-21), learned=days(-1)), visit(who, days(-100))],
            ("Rowan", "contact_after_job_loss", days(2), "due"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a loss learned of after the day is not known yet",
            [*made, job(who, days(-100), days(-5), learned=days(2)), visit(who, days(-100))],
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a phone call after the end meets the contact after a loss",
            [*made, job(who, days(-100), days(-5)), visit(who, days(-100)),
             visit(who, days(-3), f2f=False)],
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "an outreach attempt after the end does not",
            [*made, job(who, days(-100), days(-5)), visit(who, days(-100)),
             visit(who, days(-3), f2f=False, type=attempt)],
            ("Rowan", "contact_after_job_loss", days(-2), "overdue"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "monthly follow-along counts from an outreach attempt later than the last visit",
            [*made, job(who, days(-60)), visit(who, days(-59)), visit(who, days(-20)),
             visit(who, days(-5), f2f=False, type=attempt)],
            ("Rowan", "follow_along_monthly", days(25), "upcoming"),
        )
    )
    who, made = settled("Rowan", follow_along_ended_on=days(-3))
    cases.append(
        _case(
            "a member who declined follow-along has none from that day",
            [*made, job(who, days(-60)), visit(who, days(-59))],
        )
    )
    who, made = settled("Rowan", follow_along_ended_on=days(1))
    cases.append(
        _case(
            "and still has it the day before",
            [*made, job(who, days(-60)), visit(who, days(-59))],
            ("Rowan", "follow_along_monthly", days(-29), "overdue"),
        )
    )
    who, made = settled("Rowan")
    cases.append(
        _case(
            "a job started before program entry sets no job rules",
            [*made, job(who, days(-201)), visit(who, days(-250))],
        )
    )
    who, made = _new_job_seeker("Wren")
    cases.append(
        _case(
            "an employer contact the member made alone meets the first contact",
            [*made, employer_contact(days(-2), (who,), by="member", service="job_development")],
        )
    )
    return cases


def _caseload_case() -> DueCase:
    """Several members at once: ordered by due, then member."""
    ash, ash_made = settled("ash")  # lower case: the order ignores case
    bea, bea_made = settled("Bea")
    cy = member("Cy", days(-25), job_seeking=True)
    return _case(
        "a caseload is ordered by due date, then member",
        [*bea_made, job(bea, days(-2)), *ash_made, job(ash, days(-2)), cy],
        ("ash", "contact_before_job_start", days(-2), "overdue"),
        ("Bea", "contact_before_job_start", days(-2), "overdue"),
        ("ash", "contact_after_job_start", days(1), "due"),
        ("Bea", "contact_after_job_start", days(1), "due"),
        ("ash", "follow_along_weekly", days(5), "due"),
        ("Bea", "follow_along_weekly", days(5), "due"),
        ("Cy", "career_profile", days(5), "due"),
        ("Cy", "first_employer_contact", days(5), "due"),
    )


def _payer_cases() -> list[DueCase]:
    """The LRS check and authorizations (members of the payers above)."""
    cases = []
    lu, made = settled("Lu", payer="lhcc")
    cases.append(_case("lrs check and authorization at entry", made,
                       ("Lu", "lrs_check", days(-200), "overdue"),
                       ("Lu", "authorization", days(-200), "overdue")))
    checked = {"lrs_checked_on": days(-199).isoformat()}
    mae, made = settled("Mae", payer="acla", **checked)
    made.append(authorization(mae, "acla", None, None, status="requested"))
    cases.append(_case("a request without dates covers any day", made))
    nia, made = settled("Nia", payer="lhcc", **checked)
    made += [authorization(nia, "lhcc", None, None, status="denied"),
             authorization(nia, "acla", days(-200), days(100))]
    cases.append(_case("a denied one, or another payer's, does not", made,
                       ("Nia", "authorization", days(-200), "overdue")))
    oz, made = settled("Oz", payer="acla", **checked)
    made.append(authorization(oz, "acla", days(-200), days(20)))
    cases.append(_case("renewal 14 days before the end", made,
                       ("Oz", "authorization_renewal", days(6), "due")))
    pia, made = settled("Pia", payer="acla", **checked)
    made.append(authorization(pia, "acla", days(-200), days(-5)))
    cases.append(_case("the day after one ended", made,
                       ("Pia", "authorization", days(-4), "overdue")))
    quin, made = settled("Quin", payer="lhcc", **checked)
    made += [authorization(quin, "lhcc", days(-200), days(20)),
             authorization(quin, "lhcc", days(21), days(200), units=40)]
    cases.append(_case("renewed by one starting the day after", made,
                       ("Quin", "authorization_renewal", days(186), "upcoming")))
    _, made = settled("Ray", payer="ny_pros")
    cases.append(_case("a payer without authorization or LRS", made))
    return cases


CASES: tuple[DueCase, ...] = (
    *_entry_cases(),
    *_job_start_cases(),
    *_follow_along_and_loss_cases(),
    *_benefits_and_plan_cases(),
    *_corrected_cases(),
    *_payer_cases(),
    _caseload_case(),
)
