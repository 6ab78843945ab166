"""Sync benchmark: the real SyncClient and a real server, SQLite and PostgreSQL side by side.

(a) push 10,000 records from one enrolled device; (b) pull them on a second,
new device of the same specialist; (c) the end-of-day burst: 200 enrolled
devices, each with its own token, push 30 records each, all at once.

Targets on the 2-core development machine: (a) at least 5,000 records/s on
SQLite; (c) every push succeeds, p95 request latency at most 1 s.
Loopback only; PostgreSQL is a throwaway cluster (skipped if not installed).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.store import Store  # noqa: E402
from sync.client import SyncClient, SyncStatus  # noqa: E402
from sync.protocol import ENROLL_PATH, MAX_CHANGES, PUSH_PATH  # noqa: E402
from tests.server_harness import Postgres, ServerProcess, postgres_bin, start_server  # noqa: E402

PIN = "135790"
RECORDS = 10_000
BURST_DEVICES = 200
BURST_RECORDS = 30
SPECIALISTS_PER_TEAM = 10
# The contacts run 17 minutes apart from here, so all 10,000 lie in the past
# (a contact dated in the future is refused, on the device and on the server).
START = datetime(2026, 1, 5, 8, tzinfo=UTC)


def contact_data(n: int) -> dict[str, Any]:
    return {
        "occurred_at": (START + timedelta(minutes=17 * n)).isoformat(timespec="seconds"),
        "employer": f"Invented Employer {n % 300}",
        "contact_person": "Morgan Example",
        "face_to_face": n % 4 != 0,
        "member_ids": [],
        "purpose": "job development",
        "notes": "Talked about openings. " * 3,
    }


def filled_device_store(directory: Path) -> Path:
    """A device store holding RECORDS queued contacts, copied for each backend."""
    path = directory / "template-device"
    store = Store.create(path, PIN)
    for n in range(RECORDS):
        store.put("employer_contact", contact_data(n))
    store.close()
    return path


def enrolled_client(server: ServerProcess, store: Store, user: str) -> SyncClient:
    client = SyncClient(store=store)
    client.enroll(server.base_url, server.admin.make_enrollment_code(user), "Bench phone")
    return client


@contextmanager
def running_server(url: str, directory: Path) -> Iterator[ServerProcess]:
    server = start_server(url, log_dir=directory)
    try:
        yield server
    finally:
        server.close()


def push_and_pull(server: ServerProcess, template: Path, directory: Path) -> dict[str, float]:
    """(a) and (b): records/s pushing from one device and pulling on a new one."""
    server.admin.add_team("Bench push team")
    server.admin.add_user("Bench Specialist", role="specialist", team="Bench push team")

    first = Store.open(shutil.copytree(template, directory / "device-a"), PIN)
    client = enrolled_client(server, first, "Bench Specialist")
    phase_started: dict[str, float] = {}

    def note_phase(status: SyncStatus) -> None:
        phase_started.setdefault(status.phase, time.perf_counter())

    client.add_listener(note_phase)
    started = time.perf_counter()
    report = client.sync()  # pushes everything, then pulls (its own records come back)
    assert report is not None and report.pushed == {"applied": RECORDS}, report
    push_seconds = phase_started["pulling"] - started
    first.close()

    second = Store.create(directory / "device-b", PIN)
    client = enrolled_client(server, second, "Bench Specialist")
    started = time.perf_counter()
    report = client.pull()
    pull_seconds = time.perf_counter() - started
    assert report is not None and report.pulled == RECORDS, report
    second.close()
    return {"push": RECORDS / push_seconds, "pull": RECORDS / pull_seconds}


def burst(server: ServerProcess) -> dict[str, float]:
    """(c): BURST_DEVICES devices push BURST_RECORDS records each, all at once."""
    tokens = enroll_devices(server)
    bodies = [push_body(device_id, BURST_RECORDS) for device_id in tokens]
    latencies, failures, wall = asyncio.run(push_all_at_once(server.base_url, tokens, bodies))
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "max": max(latencies) * 1000,
        "wall": wall,
        "failures": failures,
    }


def enroll_devices(
    server: ServerProcess, count: int = BURST_DEVICES, prefix: str = "Bench burst"
) -> dict[str, str]:
    """Token by device id: one specialist and one device each, ten specialists a team."""
    tokens: dict[str, str] = {}
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        for n in range(count):
            team = f"{prefix} team {n // SPECIALISTS_PER_TEAM}"
            if n % SPECIALISTS_PER_TEAM == 0:
                server.admin.add_team(team)
            user = f"{prefix} specialist {n}"
            server.admin.add_user(user, role="specialist", team=team)
            device_id = f"burst-{uuid.uuid4().hex[:12]}"
            answer = http.post(
                ENROLL_PATH,
                json={
                    "code": server.admin.make_enrollment_code(user),
                    "device_id": device_id,
                    "device_name": "Bench phone",
                },
            )
            answer.raise_for_status()
            tokens[device_id] = answer.json()["token"]
    return tokens


def push_body(device_id: str, count: int) -> dict[str, Any]:
    """A push of `count` new contacts, as a device sends it."""
    now_ms = int(time.time() * 1000)
    changes = [
        {
            "id": str(uuid.uuid4()),
            "kind": "employer_contact",
            "version": f"{now_ms:013d}.{n:05d}.{device_id}",
            "deleted": False,
            "data": contact_data(n),
        }
        for n in range(count)
    ]
    return {"device_id": device_id, "changes": changes, "pending": 0}


def raw_push(server: ServerProcess) -> float:
    """(a) without the device: the same 10,000 records as plain HTTP batches of
    500, so the server's share of (a) shows apart from the device store's."""
    ((device_id, token),) = enroll_devices(server, count=1, prefix="Bench raw").items()
    bodies = [push_body(device_id, MAX_CHANGES) for _ in range(RECORDS // MAX_CHANGES)]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.base_url, timeout=60) as http:
        started = time.perf_counter()
        for body in bodies:
            http.post(PUSH_PATH, json=body, headers=headers).raise_for_status()
        return RECORDS / (time.perf_counter() - started)


async def push_all_at_once(
    base_url: str, tokens: dict[str, str], bodies: list[dict[str, Any]]
) -> tuple[list[float], int, float]:
    """Latency of each push, the number that failed, and the wall time of the burst."""
    limits = httpx.Limits(max_connections=BURST_DEVICES, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as http:
        go = asyncio.Event()

        async def push(body: dict[str, Any]) -> tuple[float, bool]:
            headers = {"Authorization": f"Bearer {tokens[body['device_id']]}"}
            await go.wait()
            started = time.perf_counter()
            response = await http.post(PUSH_PATH, json=body, headers=headers)
            elapsed = time.perf_counter() - started
            ok = response.status_code == 200 and all(
                r["status"] == "applied" for r in response.json()["results"]
            )
            return elapsed, ok

        tasks = [asyncio.create_task(push(body)) for body in bodies]
        await asyncio.sleep(0.1)  # every task is waiting at the start line
        started = time.perf_counter()
        go.set()
        outcomes = await asyncio.gather(*tasks)
        wall = time.perf_counter() - started
    return [o[0] for o in outcomes], sum(not o[1] for o in outcomes), wall


def run_backend(url: str, template: Path, directory: Path) -> dict[str, float]:
    directory.mkdir()
    with running_server(url, directory) as server:
        figures = push_and_pull(server, template, directory)
        figures["raw_push"] = raw_push(server)
        figures.update(burst(server))
    return figures


def print_table(results: dict[str, dict[str, float]]) -> None:
    rows: list[tuple[str, str, Callable[[float], str], str]] = [
        ("(a) push 10,000 records, one device", "push", "{:,.0f} rec/s".format, "≥ 5,000 (SQLite)"),
        ("    server alone (plain HTTP)", "raw_push", "{:,.0f} rec/s".format, ""),
        ("(b) pull 10,000 on a new device", "pull", "{:,.0f} rec/s".format, ""),
        ("(c) burst 200 × 30: p50", "p50", "{:,.0f} ms".format, ""),
        ("    p95", "p95", "{:,.0f} ms".format, "≤ 1,000 ms"),
        ("    max", "max", "{:,.0f} ms".format, ""),
        ("    whole burst", "wall", "{:.2f} s".format, ""),
        ("    failed pushes", "failures", "{:.0f}".format, "0"),
    ]
    backends = list(results)
    print(f"{'':38}" + "".join(f"{name:>16}" for name in backends) + "   target")
    for label, key, fmt, target in rows:
        cells = "".join(f"{fmt(results[name][key]):>16}" for name in backends)
        print(f"{label:38}{cells}   {target}")


def main() -> int:
    print(f"Sync benchmark: loopback, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="ips-bench-sync-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        template = filled_device_store(root)
        fill_seconds = time.perf_counter() - started
        print(f"Queued {RECORDS:,} records on a device store in {fill_seconds:.1f} s")
        sqlite_url = f"sqlite:///{root / 'central.db'}"
        results["SQLite"] = run_backend(sqlite_url, template, root / "sqlite")
        if postgres_bin() is None:
            print("PostgreSQL binaries (initdb, pg_ctl) not found: SQLite only.")
        else:
            with Postgres.start() as cluster:
                url = cluster.create_database("bench_sync")
                results["PostgreSQL"] = run_backend(url, template, root / "postgresql")
    print_table(results)
    failed = any(figures["failures"] for figures in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
