"""Seqs under concurrency: pulling while many devices push never loses a record,
and pushes committed together fail alone."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from sync.protocol import PULL_PATH
from sync.server.storage import records as records_storage

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


def test_a_push_failing_in_a_group_commit_stores_nothing_and_the_others_apply(
    server, new_team, new_user, enroll, monkeypatch
):
    store = server.admin  # a CentralStore in this process, on the server's database
    device = enroll(new_user(new_team()))
    good, bad = [contact() for _ in range(3)], [contact() for _ in range(2)]
    # The bad push's records name a user the database does not know, which
    # breaks a foreign key when the group writes them.
    doomed = {change["id"] for change in bad}
    real_row_of = records_storage._row_of

    def row_of(change, *args):
        row = real_row_of(change, *args)
        return {**row, "owner_id": "no-such-user"} if change.id in doomed else row

    monkeypatch.setattr(records_storage, "_row_of", row_of)
    outcomes: dict[str, object] = {}

    def push(name: str, batch) -> None:
        try:
            outcomes[name] = store.records.push(device.token, device.device_id, batch, 0).result()
        except Exception as error:
            outcomes[name] = error

    threads = [
        threading.Thread(target=push, args=("good", good)),
        threading.Thread(target=push, args=("bad", bad)),
        threading.Thread(target=push, args=("again", good)),
    ]
    with store.core.writer:  # held, so the three pushes queue, in order, and commit as one group
        for queued, thread in enumerate(threads, start=1):
            thread.start()
            while len(store.records._push_queue) < queued:
                time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=30)

    assert isinstance(outcomes["bad"], sa.exc.IntegrityError)
    assert [r["status"] for r in outcomes["good"]] == ["applied"] * 3
    assert [r["status"] for r in outcomes["again"]] == ["duplicate"] * 3
    pulled, _ = device.pull_all()
    assert [c["id"] for c in pulled] == [c["id"] for c in good]
    first = pulled[0]["seq"]
    assert [c["seq"] for c in pulled] == [first, first + 1, first + 2], "seqs without a gap"
