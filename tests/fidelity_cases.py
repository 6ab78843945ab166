"""One table of teams and the fidelity items they earn over a quarter, worked
by hand at the edges of the anchors; used by the domain
(tests/domain/test_fidelity.py) and by `GET /v1/team/fidelity` on both
backends (tests/server/test_fidelity.py), so both must give the same.

Every case is a team over QUARTER, 2026-Q3 (Wednesday 1 July to Wednesday 30
September), which ended before these tests were written: the server takes
every record and nothing depends on the day the tests run. The team is on
America/Chicago with weeks from Monday (tests/due_cases.py's SETTINGS); the
weeks starting in the quarter are the 13 from Monday 6 July to Monday 28
September. The records come from tests/due_cases.py's helpers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from app.domain import Quarter, Record, SpecialistLog
from tests.due_cases import SETTINGS, employer_contact, job, member, visit

__all__ = ["CASES", "QUARTER", "SETTINGS", "SINCE", "TODAY", "FidelityCase", "Specialist"]

QUARTER = Quarter(2026, 3)
TODAY = date(2026, 11, 20)  # any day after the quarter gives the same
SINCE = date(2026, 1, 5)  # the Monday every specialist started with the app, unless told
ENTRY = date(2026, 2, 2)  # when the members of most cases entered the program
MONDAYS = [date(2026, 7, 6) + timedelta(weeks=n) for n in range(13)]

Expected = Mapping[str, tuple[float | None, int | None]]  # item: (value, rating)


@dataclass(frozen=True)
class Specialist:
    name: str
    records: tuple[Record, ...]
    since: date = SINCE


@dataclass(frozen=True)
class FidelityCase:
    name: str
    specialists: tuple[Specialist, ...]
    expected: Expected  # the items the case is about
    # served, worked, job_starts; None where the case is not about outcomes
    outcomes: tuple[int, int, int] | None = None
    no_data: tuple[str, ...] = field(default=())  # items the log cannot tell: null, null

    def with_new_ids(self) -> FidelityCase:
        """The same team with every record under a new id (references
        follow), so a server can hold the case more than once."""
        new = {r.id: str(uuid.uuid4()) for s in self.specialists for r in s.records}

        def renamed(record: Record) -> Record:
            data = dict(record.data)
            if "member_id" in data:
                data["member_id"] = new.get(data["member_id"], data["member_id"])
            if "member_ids" in data:
                data["member_ids"] = [new.get(m, m) for m in data["member_ids"]]
            return replace(record, id=new[record.id], data=data)

        specialists = tuple(
            replace(s, records=tuple(map(renamed, s.records))) for s in self.specialists
        )
        return replace(self, specialists=specialists)

    def logs(self, users: Sequence[tuple[str, str]] | None = None) -> list[SpecialistLog]:
        """The specialists as the domain takes them, ordered by name; `users`
        gives each one's id and name on a server, in the case's order."""
        users = users or [(s.name, s.name) for s in self.specialists]
        logs = [
            SpecialistLog(user_id, name, s.since, s.records)
            for (user_id, name), s in zip(users, self.specialists, strict=True)
        ]
        return sorted(logs, key=lambda log: log.name)


JOB_ITEMS = ("diversity_of_employers", "diversity_of_jobs", "competitive_jobs")


def _caseload(size: int) -> FidelityCase:
    """`size` members active on 30 September, counting one closed after it;
    members closed within or before the quarter and one entering after it do
    not count. A smaller caseload beside it."""
    ada = [member(f"Member {n:02d}", ENTRY) for n in range(size - 1)]
    ada += [
        member("Closed after", ENTRY, closed_on=date(2026, 10, 2)),
        member("Closed within", ENTRY, closed_on=date(2026, 9, 15)),
        member("Closed before", ENTRY, closed_on=date(2026, 6, 20)),
        member("Enters after", date(2026, 10, 5)),
    ]
    ben = [member(f"Other {n}", ENTRY) for n in range(3)]
    return FidelityCase(
        f"a caseload of {size}",
        (Specialist("Ada", tuple(ada)), Specialist("Ben", tuple(ben))),
        {"caseload_size": (size, 5 if size <= 20 else 4)},
        # Served: Ada's active ones and those closed after 1 July, and Ben's three.
        outcomes=(size + 1 + 3, 0, 0),
        # No jobs, visits or employer contacts at all.
        no_data=(*JOB_ITEMS, "follow_along", "community_based_services", "rapid_job_search"),
    )


def _rapid_job_search(first: int, second: int) -> FidelityCase:
    """Ines and Joel reach a first face-to-face employer contact `first` and
    `second` days after entering; the others show what is left out."""
    ines_entry, joel_entry = date(2026, 3, 2), date(2026, 4, 1)
    ines, joel = member("Ines", ines_entry), member("Joel", joel_entry)
    kofi = member("Kofi", date(2026, 5, 4))  # met an employer for only before entering
    lena = member("Lena", date(2025, 9, 15))  # entered before the 12 months
    mona = member("Mona", date(2026, 8, 3))  # first contact after the quarter
    records = [
        ines,
        joel,
        kofi,
        lena,
        mona,
        employer_contact(ines_entry + timedelta(days=first), (ines,)),
        employer_contact(ines_entry + timedelta(days=first + 3), (ines,)),
        employer_contact(joel_entry + timedelta(days=4), (joel,), f2f=False),  # a phone call
        employer_contact(joel_entry + timedelta(days=second), (joel,)),
        employer_contact(date(2026, 5, 1), (kofi,)),
        employer_contact(date(2026, 5, 6)),  # generic: lists nobody
        employer_contact(date(2025, 10, 1), (lena,)),
        employer_contact(date(2026, 10, 5), (mona,)),
    ]
    mean = (first + second) / 2
    return FidelityCase(
        f"rapid job search, {first} and {second} days after entry",
        (Specialist("Ada", tuple(records)),),
        {"rapid_job_search": (mean, 5 if mean <= 30 else 4)},
    )


def _community(community: tuple[int, int], elsewhere: tuple[int, int]) -> FidelityCase:
    """Visits in the quarter, (how many, minutes each), in the community and
    elsewhere, and one of 10 minutes in the office late on its last day;
    visits outside it or without minutes add none."""
    pia = member("Pia", ENTRY)
    records: list[Record] = [pia]
    for n in range(community[0]):
        records.append(visit(pia, date(2026, 7, 1) + timedelta(days=n), minutes=community[1]))
    for n in range(elsewhere[0]):
        place = ("office", "phone", "video")[n % 3]
        day = date(2026, 7, 20) + timedelta(days=n)
        records.append(visit(pia, day, f2f=place == "office", setting=place, minutes=elsewhere[1]))
    records += [
        # 23:00 on 30 September in Chicago: in the quarter.
        visit(pia, date(2026, 10, 1), clock="04:00:00+00:00", setting="office", minutes=10),
        visit(pia, date(2026, 6, 30), minutes=300),  # before the quarter
        visit(pia, date(2026, 10, 1), minutes=300),  # after it
        visit(pia, date(2026, 9, 9), minutes=None),  # no minutes: left out, reported
        visit(pia, date(2026, 9, 10), setting="office", minutes=0),
    ]
    in_community = community[0] * community[1]
    share = in_community / (in_community + elsewhere[0] * elsewhere[1] + 10)
    return FidelityCase(
        f"{share:.0%} of visit minutes in the community",
        (Specialist("Ada", tuple(records)),),
        {"community_based_services": (share, 5 if share >= 0.65 else 4)},
        outcomes=(1, 0, 0),
        no_data=JOB_ITEMS,  # a quarter with no jobs: not rated, not a 1
    )


def _jobs() -> FidelityCase:
    """20 jobs started in the 12 months: 17 with an employer no other has
    (three at one, written three ways), 14 with a title no other has (three
    cashiers, three stockers), 19 competitive. Seven competitive ones start in
    the quarter and last; the rest ended before it."""
    members = [member(f"Member {n:02d}", date(2025, 9, 1)) for n in range(20)]
    titles = ["Cashier"] * 3 + ["Stocker"] * 3 + [f"Title {n}" for n in range(14)]
    employers = [f"Employer {n}" for n in range(17)]
    employers += ["Harbor Hardware", "harbor  hardware", "HARBOR HARDWARE"]
    records: list[Record] = [*members]
    for n, who in enumerate(members):
        if n < 12:
            start, end = date(2025, 10, 15) + timedelta(weeks=n), date(2026, 3, 31)
        else:
            start, end = date(2026, 7, 1) + timedelta(weeks=n - 12), None
        records.append(job(who, start, end, employers[n], title=titles[n], competitive=n != 19))
    records += [
        job(members[0], date(2025, 9, 30), date(2025, 10, 10), "Employer 1"),  # before
        job(members[1], date(2026, 10, 1), None, "Employer 2"),  # after the quarter
    ]
    return FidelityCase(
        "diversity and competitive jobs",
        (Specialist("Ada", tuple(records)),),
        {
            "diversity_of_employers": (0.85, 5),
            "diversity_of_jobs": (0.7, 4),
            "competitive_jobs": (0.95, 5),
        },
        outcomes=(20, 7, 7),
    )


def _unmarked_jobs() -> FidelityCase:
    """17 jobs, one not marked competitive either way, one without a title."""
    members = [member(f"Member {n:02d}", date(2025, 9, 1)) for n in range(17)]
    records: list[Record] = [*members]
    for n, who in enumerate(members):
        records.append(
            job(
                who,
                date(2026, 1, 5) + timedelta(weeks=n),
                date(2026, 6, 1),
                f"Employer {n}",
                title=None if n == 0 else f"Title {n}",
                competitive=None if n == 1 else True,
            )
        )
    return FidelityCase(
        "a job not marked competitive and one without a title",
        (Specialist("Ada", tuple(records)),),
        {
            "competitive_jobs": (round(16 / 17, 4), 4),
            "diversity_of_jobs": (1.0, 5),  # the 16 with a title
            "diversity_of_employers": (1.0, 5),
        },
    )


def _follow_along() -> FidelityCase:
    """Hand-worked follow-along items (due day: met on, or missed):
    - Rowan, job from Mon 6 July, seen 6, 13, 22 and 27 July, 20 August and
      15 September: before the start 6 Jul: 6 Jul; after it 9 Jul: 6 Jul;
      weekly 13 Jul: 13 Jul; 20 Jul: missed (seen on 22nd);
      29 Jul: 27 Jul; 3 Aug: missed (still listed on 5 August, the job's
      30th day); then monthly 26 Aug: 20 Aug; 19 Sep: 15 Sep. The next is due
      15 October, after the quarter.
    - Tia, job from Wed 1 July, seen weekly on 1, 8, 15, 22 and 29 July, then
      20 August and 18 September: weekly 8, 15, 22, 29 Jul all on time; the
      weekly item due 5 August gives way on 1 August (day 31) to the monthly
      one due 28 Aug, never coming due: left out; 28 Aug: 20 Aug;
      19 Sep: 18 Sep.
      Tia's before and after the start: 1 Jul, on time.
    - Sol, a job from 10 to 14 August, seen on the 10th: before and after the
      start on time; the weekly item due on the 17th never came due (the job
      ended): left out; the contact after the loss, due 17 Aug: missed.
    - Uma, job from 1 July, seen that day, closed on 20 July: before and after
      the start on time; weekly 8 Jul missed; nothing after the closing.
    18 of 22 on time."""
    rowan, tia = member("Rowan", ENTRY), member("Tia", ENTRY)
    sol, uma = member("Sol", ENTRY), member("Uma", ENTRY, closed_on=date(2026, 7, 20))
    seen = [
        (rowan, [(7, 6), (7, 13), (7, 22), (7, 27), (8, 20), (9, 15)]),
        (tia, [(7, 1), (7, 8), (7, 15), (7, 22), (7, 29), (8, 20), (9, 18)]),
        (sol, [(8, 10)]),
        (uma, [(7, 1)]),
    ]
    records: list[Record] = [
        job(rowan, date(2026, 7, 6)),
        job(tia, date(2026, 7, 1), employer="Quill Books"),
        job(sol, date(2026, 8, 10), date(2026, 8, 14), "Harbor Hardware"),
        job(uma, date(2026, 7, 1), employer="Lantern Cafe"),
        visit(rowan, date(2026, 7, 30), f2f=False),  # a phone call meets nothing
    ]
    for who, days in seen:
        records.append(who)
        records += [visit(who, date(2026, month, day)) for month, day in days]
    return FidelityCase(
        "follow-along visits on time and missed",
        (Specialist("Ada", tuple(records)),),
        {"follow_along": (round(18 / 22, 4), 4)},
        # Uma was closed within the quarter, after it began: served.
        outcomes=(4, 4, 4),
    )


def _employer_contact() -> list[FidelityCase]:
    """Ada makes 6 face-to-face contacts every week. Ben starts on 14
    September and makes 4 in each of his three weeks (and 5 the week before,
    which do not count); Cleo starts after the quarter: no average."""
    ada = [employer_contact(monday + timedelta(days=1)) for monday in MONDAYS for _ in range(6)]
    ada += [employer_contact(monday + timedelta(days=2), f2f=False) for monday in MONDAYS]
    ada += [employer_contact(date(2026, 6, 30)) for _ in range(2)]  # its week starts in June
    ben = [employer_contact(day + timedelta(days=3)) for day in MONDAYS[-3:] for _ in range(4)]
    ben += [employer_contact(MONDAYS[-4] + timedelta(days=3)) for _ in range(5)]
    return [
        FidelityCase(
            "six face-to-face employer contacts a week",
            (Specialist("Ada", tuple(ada)),),
            {"frequent_employer_contact": (6.0, 5)},
        ),
        FidelityCase(
            "six, four since starting, and one not started: a mean of five",
            (
                Specialist("Ada", tuple(ada)),
                Specialist("Ben", tuple(ben), since=MONDAYS[-3]),
                Specialist("Cleo", (), since=date(2026, 10, 5)),
            ),
            {"frequent_employer_contact": (5.0, 4)},
        ),
    ]


CASES: tuple[FidelityCase, ...] = (
    _caseload(20),
    _caseload(21),
    _rapid_job_search(20, 40),
    _rapid_job_search(21, 41),
    _community((13, 50), (34, 10)),  # 650 of 1,000 minutes
    _community((16, 40), (35, 10)),  # 640 of 1,000
    _jobs(),
    _unmarked_jobs(),
    _follow_along(),
    *_employer_contact(),
)
