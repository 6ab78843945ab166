"""Seqs under concurrency: pulling while many devices push never loses a record."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sync.protocol import PULL_PATH

from .conftest import contact

DEVICES = 8
BATCHES = 10
PER_BATCH = 20


def test_concurrent_pushes_while_pulling_lose_nothing(new_team, new_user, enroll):
    name = new_user(new_team())
    devices = [enroll(name) for _ in range(DEVICES)]
    reader = enroll(name)
    pushed: set[str] = set()
    seen: dict[str, int] = {}
    done = threading.Event()

    def push_all(device) -> None:
        for _ in range(BATCHES):
            batch = [contact() for _ in range(PER_BATCH)]
            results = device.push_ok(batch)
            assert {r["status"] for r in results} == {"applied"}
            pushed.update(c["id"] for c in batch)

    def pull_while_pushing() -> None:
        cursor = None
        while True:
            finished = done.is_set()
            body = reader.get(PULL_PATH, after=cursor, limit=37).json()
            for record in body["changes"]:
                assert record["id"] not in seen, "a record came twice"
                seen[record["id"]] = record["seq"]
            cursor = body["next"]
            if finished and not body["more"]:
                return

    puller = threading.Thread(target=pull_while_pushing)
    puller.start()
    with ThreadPoolExecutor(DEVICES) as pool:
        list(pool.map(push_all, devices))
    done.set()
    puller.join(timeout=120)
    assert len(pushed) == DEVICES * BATCHES * PER_BATCH
    assert set(seen) == pushed
