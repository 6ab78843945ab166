"""A child process writing records is killed at random moments; every record
whose put had returned must be there when the store is opened again."""

import random
import signal
import subprocess
import sys
import time

import pytest

from app.store import Store
from tests.conftest import PIN

WRITER = """
import sys
from app.store import Store
store = Store.open(sys.argv[1], sys.argv[2])
n = 0
while True:
    record = store.put("employer_contact", {
        "occurred_at": "2026-11-18T10:00:00-06:00", "employer": f"Employer {n}",
        "face_to_face": n % 2 == 0, "notes": "x" * (n % 900)})
    print(record.id, record.version, flush=True)  # only after put returned
    n += 1
"""


@pytest.mark.parametrize("seed", range(6))
def test_kill_at_a_random_moment_loses_no_returned_put(store_dir, seed):
    Store.create(store_dir, PIN).close()
    rng = random.Random(seed)
    returned: dict[str, str] = {}
    for _ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store_dir), PIN], stdout=subprocess.PIPE, text=True
        )
        time.sleep(0.6 + rng.random() * 0.6)  # unlock takes ~0.2 s; then writes for a while
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        complete = out.split("\n")[:-1]  # the kill may cut the last line short
        for line in complete:
            record_id, version = line.split()
            returned[record_id] = version
    assert returned, "the writer never got to write"
    store = Store.open(store_dir, PIN)
    stored = {r.id: r.version for r in store.list("employer_contact")}
    assert store.damaged() == []
    missing = set(returned) - set(stored)
    assert not missing, f"{len(missing)} returned puts lost"
    assert all(stored[i] == v for i, v in returned.items())
    store.close()
