"""Store benchmark: durable put against a plain sqlite-utils insert, the weekly
tally with 50,000 records stored, and unlock time. Prints its figures.

Targets on the 2-core development machine: put p95 within 1.5x of the plain
insert, week tally under 5 ms, unlock 100-500 ms.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain import Record, new_record_id  # noqa: E402
from app.store import Store  # noqa: E402

PIN = "135790"
PUTS = 400
FILL = 50_000
TODAY = date(2026, 11, 18)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def contact_data(n: int, when: datetime) -> dict:
    return {
        "occurred_at": when.isoformat(timespec="seconds"),
        "employer": f"Employer {n % 300}",
        "contact_person": "Morgan",
        "face_to_face": n % 4 != 0,
        "member_ids": [],
        "purpose": "job development",
        "notes": "Talked about openings. " * 3,
    }


def time_puts(store: Store) -> list[float]:
    now = datetime(2026, 11, 18, 10, tzinfo=UTC)
    samples = []
    for n in range(PUTS):
        start = time.perf_counter()
        store.put("employer_contact", contact_data(n, now))
        samples.append(time.perf_counter() - start)
    return samples


def time_plain_inserts(directory: Path) -> list[float]:
    """The same row shape and durability, nothing sealed: the floor for a durable write."""
    conn = sqlite3.connect(directory / "plain.db")
    db = Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    table = db["records"]
    table.create(
        {"rid": str, "kind": str, "version": str, "deleted": int, "week": str, "body": bytes},
        pk="rid",
    )
    samples = []
    body = b"x" * 400
    for n in range(PUTS):
        start = time.perf_counter()
        table.insert(
            {
                "rid": f"{n:064x}",
                "kind": "employer_contact",
                "version": f"{n:013d}.00000.dev",
                "deleted": 0,
                "week": "2026-11-16",
                "body": body,
            }
        )
        samples.append(time.perf_counter() - start)
    db.close()
    return samples


def fill(store: Store, count: int) -> None:
    """Five years of work by one busy specialist, pulled as a new device would."""
    rng = random.Random(7)
    end = datetime(2026, 11, 22, tzinfo=UTC)
    page = []
    for n in range(count):
        when = end - timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
        kind = "employer_contact" if n % 2 else "member_visit"
        data = (
            contact_data(n, when)
            if kind == "employer_contact"
            else {
                "occurred_at": when.isoformat(timespec="seconds"),
                "member_id": new_record_id(),
                "type": "job_support",
                "face_to_face": True,
                "setting": "community",
                "minutes": 45,
            }
        )
        page.append(
            Record(new_record_id(), kind, f"{1700000000000 + n:013d}.00000.bench", False, data)
        )
        if len(page) == 500:
            store.inbox.apply_pulled(page, None)
            page = []
    store.inbox.apply_pulled(page, None)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        timed = Store.create(root / "timed", PIN)
        puts = time_puts(timed)
        timed.close()
        plain = time_plain_inserts(root)
        ratio = percentile(puts, 95) / percentile(plain, 95)
        print(
            f"durable put          p50 {percentile(puts, 50) * 1e3:7.2f} ms   "
            f"p95 {percentile(puts, 95) * 1e3:7.2f} ms   ({PUTS} puts)"
        )
        print(
            f"plain sqlite insert  p50 {percentile(plain, 50) * 1e3:7.2f} ms   "
            f"p95 {percentile(plain, 95) * 1e3:7.2f} ms   (WAL, synchronous=FULL)"
        )
        print(f"put/plain p95 ratio  {ratio:.2f}x   (target <= 1.5x)")

        store = Store.create(root / "store", PIN)
        start = time.perf_counter()
        fill(store, FILL)
        print(
            f"filled {FILL} records in {time.perf_counter() - start:.1f} s (pulled in pages of 500)"
        )
        tallies = []
        for _ in range(50):
            start = time.perf_counter()
            tally = store.week_tally(TODAY)
            tallies.append(time.perf_counter() - start)
        print(
            f"week_tally           p50 {statistics.median(tallies) * 1e3:7.2f} ms   "
            f"p95 {percentile(tallies, 95) * 1e3:7.2f} ms   "
            f"({len(tally.contacts)} contacts that week, {store.count('employer_contact')} "
            f"stored; target < 5 ms)"
        )
        start = time.perf_counter()
        store.weekly_counts(TODAY, weeks=8)
        print(f"weekly_counts(8)     {(time.perf_counter() - start) * 1e3:7.2f} ms")
        store.close()

        unlocks = []
        for _ in range(5):
            start = time.perf_counter()
            Store.open(root / "store", PIN).close()
            unlocks.append(time.perf_counter() - start)
        print(
            f"unlock (open + Scrypt) median {statistics.median(unlocks) * 1e3:6.0f} ms   "
            f"(target 100-500 ms)"
        )


if __name__ == "__main__":
    main()
