"""Due-list benchmark: `Store.due_items` over a full caseload on the phone's
encrypted store. Prints its figures.

The caseload: 20 members over two years, about 5,000 records (face-to-face
employer contacts six a week, visits two or three a week per member, jobs, career
profiles, plans reviewed each quarter, a year's authorization at a time under
one of two payers). Target on the 2-core development
machine: the due list in under 50 ms (median), also the first one after
unlocking, when every record is opened afresh, and the first after a save.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain import Record, new_record_id  # noqa: E402
from app.store import Store  # noqa: E402

PIN = "135790"
SEED_PAYERS = Path(__file__).resolve().parent.parent / "sync" / "server" / "seed_payers.json"
MEMBERS = 20
YEARS = 2
TODAY = date(2026, 11, 18)
# Two of the payers every central store holds: one per encounter, one a monthly bundle.
PAYERS = ("lhcc", "acla")
RUNS = 30
TARGET_MS = 50


def caseload(rng: random.Random) -> list[tuple[str, dict]]:
    """(kind, data) of a specialist's two years, oldest member first."""
    start = TODAY - timedelta(days=365 * YEARS)
    made: list[tuple[str, dict]] = []
    members = []
    for n in range(MEMBERS):
        entry = start + timedelta(days=n * 12)
        member_id = new_record_id()
        members.append((member_id, entry))
        made.append(
            (
                "member",
                {
                    "id": member_id,
                    "display_name": f"Member {n}",
                    "program_entry": entry.isoformat(),
                    "status": "active",
                    "job_seeking": n % 3 != 0,
                    "payer": PAYERS[n % 2],
                    "lrs_checked_on": entry.isoformat(),
                },
            )
        )
        covered = entry  # a year's authorization at a time, renewed the day after
        while covered < TODAY:
            made.append(
                (
                    "authorization",
                    {
                        "member_id": member_id,
                        "payer": PAYERS[n % 2],
                        "status": "approved",
                        "start_date": covered.isoformat(),
                        "end_date": (covered + timedelta(days=364)).isoformat(),
                        "units": 150 if n % 2 == 0 else 12,
                    },
                )
            )
            covered += timedelta(days=365)
        profile_done = entry + timedelta(days=rng.randrange(10, 40))
        made.append(
            (
                "career_profile",
                {
                    "member_id": member_id,
                    "completed_on": profile_done.isoformat(),
                    "work_goal": "Steady work in a shop",
                    "benefits": "SSDI" if n % 2 else None,
                    "notes": "Strengths and supports talked through. " * 4,
                },
            )
        )
        written = profile_done + timedelta(days=20)
        while written < TODAY:
            made.append(
                (
                    "employment_plan",
                    {
                        "member_id": member_id,
                        "written_on": written.isoformat(),
                        "goal": "A job in retail",
                        "steps": [{"text": f"Step {s}", "done": s < 2} for s in range(4)],
                        "next_review": (written + timedelta(days=90)).isoformat(),
                    },
                )
            )
            written += timedelta(days=90)
        job_start = entry + timedelta(days=rng.randrange(40, 200))
        while job_start < TODAY + timedelta(days=10):
            end = job_start + timedelta(days=rng.randrange(60, 400))
            job = {
                "member_id": member_id,
                "employer": f"Employer {rng.randrange(200)}",
                "title": "Stocker",
                "start_date": job_start.isoformat(),
                "competitive": True,
            }
            if end < TODAY:
                job.update(end_date=end.isoformat(), end_reason="quit")
            made.append(("job", job))
            job_start = end + timedelta(days=rng.randrange(20, 120))
    day = start
    while day < TODAY:
        when = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
        for _ in range(6 if day.weekday() == 1 else 0):  # six contacts each Tuesday
            listed = [m for m, entry in rng.sample(members, 2) if entry <= day]
            made.append(
                (
                    "employer_contact",
                    {
                        "occurred_at": when.isoformat(),
                        "employer": f"Employer {rng.randrange(200)}",
                        "face_to_face": rng.random() < 0.9,
                        "member_ids": listed[: rng.randrange(3)],
                        "purpose": "job development",
                    },
                )
            )
        for member_id, entry in members:
            if entry <= day and day.weekday() in (0, 2, 3) and rng.random() < 0.8:
                face_to_face = rng.random() < 0.8
                made.append(
                    (
                        "member_visit",
                        {
                            "occurred_at": when.isoformat(),
                            "member_id": member_id,
                            "type": rng.choice(["job_support", "job_search", "work_incentives"]),
                            "face_to_face": face_to_face,
                            "setting": "community" if face_to_face else "phone",
                            "minutes": 45,
                            "notes": "Talked about the week at work. " * 3,
                        },
                    )
                )
        day += timedelta(days=1)
    return made


def fill(store: Store) -> int:
    """The caseload, pulled as a new phone of the specialist would."""
    page = []
    made = caseload(random.Random(11))
    for n, (kind, data) in enumerate(made):
        record_id = data.pop("id", None) or new_record_id()
        version = f"{1700000000000 + n:013d}.00000.bench"
        page.append(Record(record_id, kind, version, False, data))
        if len(page) == 500:
            store.inbox.apply_pulled(page, None)
            page = []
    store.inbox.apply_pulled(page, None)
    store.take_payers(json.loads(SEED_PAYERS.read_text("utf-8")))  # as a sync takes them
    return len(made)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:6.2f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.create(Path(tmp) / "store", PIN)
        count = fill(store)
        firsts = []
        for _ in range(5):  # every record opened afresh: the first list after unlocking
            store.lock()
            store.unlock(PIN)
            start = time.perf_counter()
            items = store.due_items(TODAY)
            firsts.append(time.perf_counter() - start)
        runs = []
        for _ in range(RUNS):
            start = time.perf_counter()
            store.due_items(TODAY)
            runs.append(time.perf_counter() - start)
        after_save = []
        member = store.list("member")[0]
        for n in range(RUNS):
            store.put(
                "member_visit",
                {
                    "occurred_at": f"2026-11-18T{8 + n % 10:02d}:00:00+00:00",
                    "member_id": member.id,
                    "type": "job_support",
                    "face_to_face": True,
                    "setting": "community",
                },
            )
            start = time.perf_counter()
            store.due_items(TODAY)
            after_save.append(time.perf_counter() - start)
        store.close()
    print(f"{count} records, {MEMBERS} members, {len(items)} items due")
    for label, samples in (
        ("first after unlock", firsts),
        ("again", runs),
        ("after a save", after_save),
    ):
        p50 = statistics.median(samples)
        verdict = "met" if p50 * 1e3 < TARGET_MS else "NOT met"
        print(
            f"due_items {label:<18} p50 {ms(p50)}   max {ms(max(samples))}   "
            f"(target p50 < {TARGET_MS} ms: {verdict})"
        )


if __name__ == "__main__":
    main()
