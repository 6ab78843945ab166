"""`serve --workers N` over PostgreSQL: worker processes pushing and pulling at
once keep pull order gap-free, lose and duplicate nothing, and each process's
group commit keeps last-writer-wins and the conflict log right."""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa

from sync.protocol import PULL_PATH
from sync.server.db import conflicts, records
from tests.server_harness import ServerProcess, enroll_over_http, start_server

from .conftest import Device, contact, version

WORKERS = 3
# A new connection per request, so the workers' accepts share out the requests.
FRESH_CONNECTIONS = httpx.Limits(max_keepalive_connections=0)


@pytest.fixture(scope="module")
def workers(postgres, tmp_path_factory) -> ServerProcess:
    url = postgres.create_database("workers_test")
    directory = tmp_path_factory.mktemp("workers")
    server = start_server(url, log_dir=directory, serve_args=("--workers", str(WORKERS)))
    yield server
    server.close()


def worker_pids(server: ServerProcess) -> list[int]:
    """The server's worker processes (its children serving HTTP)."""
    assert server.process is not None
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline") as cmd:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                command = cmd.read()
        except OSError:
            continue
        if parent == server.process.pid and "resource_tracker" not in command:
            found.append(int(entry))
    return found


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def user_with_devices(server: ServerProcess, count: int) -> list[Device]:
    team, user = f"Team {uuid.uuid4().hex[:8]}", f"Specialist {uuid.uuid4().hex[:8]}"
    server.admin.add_team(team)
    server.admin.add_user(user, role="specialist", team=team)
    made = []
    for _ in range(count):
        http = httpx.Client(base_url=server.base_url, timeout=60, limits=FRESH_CONNECTIONS)
        device_id, body = enroll_over_http(http, server, user, "Worker test phone")
        made.append(Device(http, device_id, body["token"], body["user"], body["team"]))
    return made


def test_pushes_and_pulls_across_workers_lose_and_repeat_nothing(workers):
    pids = worker_pids(workers)
    assert len(pids) == WORKERS
    cpu_before = {pid: cpu_seconds(pid) for pid in pids}
    *pushers, reader = user_with_devices(workers, 9)
    pushed: set[str] = set()
    seen: dict[str, int] = {}
    done = threading.Event()

    def push_batches(device: Device) -> None:
        for _ in range(8):
            batch = [contact() for _ in range(25)]
            assert {r["status"] for r in device.push_ok(batch)} == {"applied"}
            pushed.update(c["id"] for c in batch)

    def pull_while_pushing() -> None:
        cursor, last_seq = None, 0
        while True:
            finished = done.is_set()
            page = reader.get(PULL_PATH, after=cursor, limit=37)
            assert page.status_code == 200, page.text
            body = page.json()
            for change in body["changes"]:
                assert change["id"] not in seen, "a record came twice"
                assert change["seq"] > last_seq, "seqs go up"
                seen[change["id"]], last_seq = change["seq"], change["seq"]
            cursor = body["next"]
            if finished and not body["more"]:
                return

    pullers = ThreadPoolExecutor(1).submit(pull_while_pushing)
    with ThreadPoolExecutor(len(pushers)) as pool:
        list(pool.map(push_batches, pushers))
    done.set()
    pullers.result(timeout=120)

    assert len(pushed) == len(pushers) * 8 * 25
    assert set(seen) == pushed, "the pull that ran alongside missed nothing"
    everything, _ = reader.pull_all()
    assert sorted(c["id"] for c in everything) == sorted(pushed)
    served = [pid for pid in pids if cpu_seconds(pid) - cpu_before[pid] > 0.05]
    assert len(served) == WORKERS, "every worker served"


def test_the_same_records_pushed_through_several_workers_end_last_writer_wins(workers):
    devices = user_with_devices(workers, 6)
    ids = [str(uuid.uuid4()) for _ in range(40)]
    # One version of each record per device, each device's later than the one
    # before, pushed by all at once, each twice (a resend after a lost answer).
    stamps = {
        device.device_id: version(ms=1_763_820_000_000 + n * 1000, device=device.device_id)
        for n, device in enumerate(devices)
    }
    statuses: Counter[str] = Counter()

    def push_twice(device: Device) -> None:
        batch = [contact(record_id=rid, ver=stamps[device.device_id]) for rid in ids]
        for _ in range(2):
            statuses.update(r["status"] for r in device.push_ok(batch))

    with ThreadPoolExecutor(len(devices)) as pool:
        list(pool.map(push_twice, devices))

    assert statuses["rejected"] == 0
    assert statuses["applied"] >= len(ids)  # each record applied at least once
    winner = max(stamps.values())
    with workers.admin.engine.connect() as conn:
        query = sa.select(records.c.id, records.c.version).where(records.c.id.in_(ids))
        stored = {row.id: row.version for row in conn.execute(query)}
        query = sa.select(conflicts.c.record_id, conflicts.c.version)
        logged = Counter(
            (row.record_id, row.version)
            for row in conn.execute(query.where(conflicts.c.record_id.in_(ids)))
        )
    assert stored == dict.fromkeys(ids, winner)
    losers = [(rid, stamp) for rid in ids for stamp in stamps.values() if stamp != winner]
    assert sorted(logged) == sorted(losers), "every losing version logged"
    assert set(logged.values()) == {1}, "and logged once"
    pulled, _ = devices[0].pull_all()
    assert sorted((c["id"], c["version"]) for c in pulled) == sorted((rid, winner) for rid in ids)
