"""The supervisor's team calls: `GET /v1/team/fidelity` and the monthly
billing worksheet `GET /v1/team/billing`, for a team of 10 specialists with
two years of records each (about 50,000 in all), on SQLite and PostgreSQL
side by side, over HTTP from a real server. Prints its figures.

Each caseload is bench/due.py's: 20 members over two years, with career
profiles, plans, jobs, visits two or three times a week, six employer
contacts a week and a year's authorization at a time, pushed by each
specialist's device in batches of 500. Target on the 2-core development
machine: every call under 500 ms (fidelity: the current quarter, a past one
and a past one with the four before it; billing: the month before and one a
year back, as JSON and as the CSV a clerk takes).
Loopback only; PostgreSQL is a throwaway cluster (skipped if not installed).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain import new_record_id  # noqa: E402
from bench.due import TODAY, YEARS, caseload  # noqa: E402
from sync.protocol import (  # noqa: E402
    MAX_CHANGES,
    PUSH_PATH,
    TEAM_BILLING_PATH,
    TEAM_FIDELITY_PATH,
)
from tests.server_harness import (  # noqa: E402
    Postgres,
    ServerProcess,
    enroll_over_http,
    postgres_bin,
    start_server,
)

SPECIALISTS = 10
RUNS = 15
TARGET_MS = 500
TEAM = "Bench team"
CALLS = {  # what the supervisor's phone (or the clerk) asks: label, path, query
    "fidelity, current quarter": (TEAM_FIDELITY_PATH, {}),
    "fidelity, 2026-Q3": (TEAM_FIDELITY_PATH, {"quarter": "2026-Q3"}),
    "fidelity, 2026-Q3 + 4": (TEAM_FIDELITY_PATH, {"quarter": "2026-Q3", "quarters": 5}),
    "billing, 2026-10": (TEAM_BILLING_PATH, {"month": "2026-10"}),
    "billing, 2025-11": (TEAM_BILLING_PATH, {"month": "2025-11"}),
    "billing, 2026-10 CSV": (TEAM_BILLING_PATH, {"month": "2026-10", "format": "csv"}),
}


def enroll(http: httpx.Client, server: ServerProcess, user: str) -> dict[str, str]:
    device_id, answer = enroll_over_http(http, server, user, "Bench phone")
    return {"device_id": device_id, "Authorization": f"Bearer {answer['token']}"}


def fill(server: ServerProcess, http: httpx.Client) -> tuple[dict[str, str], int]:
    """The team, its specialists' two years pushed; the supervisor's auth header."""
    server.admin.add_team(TEAM)
    server.admin.add_user("Bench Supervisor", role="supervisor", team=TEAM)
    rng = random.Random(7)
    now_ms = int(time.time() * 1000)
    pushed = 0
    for n in range(SPECIALISTS):
        user = f"Bench Specialist {n}"
        started = TODAY - timedelta(days=365 * YEARS)  # their averages count every week
        server.admin.add_user(user, role="specialist", team=TEAM, started_on=started)
        device = enroll(http, server, user)
        changes: list[dict[str, Any]] = []
        for kind, data in caseload(rng):
            record_id = data.pop("id", None) or new_record_id()
            version = f"{now_ms:013d}.00000.{device['device_id']}"
            changes.append(
                {"id": record_id, "kind": kind, "version": version, "deleted": False, "data": data}
            )
        headers = {"Authorization": device["Authorization"]}
        for start in range(0, len(changes), MAX_CHANGES):
            body = {
                "device_id": device["device_id"],
                "changes": changes[start : start + MAX_CHANGES],
            }
            answer = http.post(PUSH_PATH, json=body, headers=headers)
            answer.raise_for_status()
            assert {r["status"] for r in answer.json()["results"]} == {"applied"}
        pushed += len(changes)
    boss = enroll(http, server, "Bench Supervisor")
    return {"Authorization": boss["Authorization"]}, pushed


def measure(url: str, directory: Path) -> dict[str, list[float]]:
    directory.mkdir()
    server = start_server(url, log_dir=directory)
    try:
        with httpx.Client(base_url=server.base_url, timeout=120) as http:
            started = time.perf_counter()
            auth, pushed = fill(server, http)
            print(f"  {pushed:,} records pushed in {time.perf_counter() - started:.0f} s")
            timings: dict[str, list[float]] = {}
            answers = {}
            for label, (path, params) in CALLS.items():
                samples = []
                for _ in range(RUNS):
                    started = time.perf_counter()
                    answer = http.get(path, params=params, headers=auth)
                    samples.append(time.perf_counter() - started)
                    answer.raise_for_status()
                timings[label] = samples
                answers[label] = answer
            body = answers["fidelity, current quarter"].json()
            rated = sum(item["rating"] is not None for item in body["items"])
            print(
                f"  {body['quarter']}: {rated} of {len(body['items'])} items rated, "
                f"{body['outcomes']['served']} members served"
            )
            rows = answers["billing, 2026-10"].json()["rows"]
            ready = sum(row["billable"] for row in rows)
            print(f"  billing 2026-10: {len(rows)} rows, {ready} billable")
        return timings
    finally:
        server.close()


def main() -> int:
    print(f"Team benchmark: loopback, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="ips-bench-team-") as tmp:
        root = Path(tmp)
        print("SQLite")
        results["SQLite"] = measure(f"sqlite:///{root / 'central.db'}", root / "sqlite")
        if postgres_bin() is None:
            print("PostgreSQL binaries (initdb, pg_ctl) not found: SQLite only.")
        else:
            with Postgres.start() as cluster:
                print("PostgreSQL")
                url = cluster.create_database("bench_team")
                results["PostgreSQL"] = measure(url, root / "postgresql")
    met = True
    print(f"\n{RUNS} calls each (target: every call < {TARGET_MS} ms)")
    for backend, timings in results.items():
        for label, samples in timings.items():
            worst = max(samples) * 1000
            met &= worst < TARGET_MS
            print(
                f"  {backend:<11} {label:<26} p50 {statistics.median(samples) * 1000:6.0f} ms"
                f"   max {worst:6.0f} ms"
            )
    print(f"Target {'met' if met else 'NOT met'}.")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
