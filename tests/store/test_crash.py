"""Child processes killed at random moments: every record whose put had
returned is there when the store is opened again, and a store whose making
was cut short is either whole or recognised as not made."""

import random
import signal
import subprocess
import sys
import time

import pytest

from app.store import Store, StoreState
from tests.conftest import PIN
from tests.sizes import tries

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
        # Killed a random moment after its first put returned: how long the
        # child takes to start (imports, the PIN's Scrypt) depends on the load.
        first = child.stdout.readline()
        assert first, "the writer stopped before its first put returned"
        time.sleep(rng.random() * 0.6)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        complete = (first + out).split("\n")[:-1]  # the kill may cut the last line short
        for line in complete:
            record_id, version = line.split()
            returned[record_id] = version
    store = Store.open(store_dir, PIN)
    stored = {r.id: r.version for r in store.list("employer_contact")}
    assert store.damaged() == []
    missing = set(returned) - set(stored)
    assert not missing, f"{len(missing)} returned puts lost"
    assert all(stored[i] == v for i, v in returned.items())
    store.close()


CREATOR = """
import sys
from app.store import Store
print("ready", flush=True)
sys.stdin.readline()
Store.create(sys.argv[1], sys.argv[2])
print("created", flush=True)
"""
CREATE_KILL_ROUNDS = tries(36, 8)


def start_creator(directory):
    child = subprocess.Popen(
        [sys.executable, "-c", CREATOR, str(directory), PIN],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline() == "ready\n"
    return child


def test_create_killed_at_any_moment_leaves_no_store_or_a_whole_one(tmp_path):
    durations = []
    for n in range(3):  # the quickest, so late kills still land before the end
        calibration = start_creator(tmp_path / f"calibration-{n}")
        started = time.monotonic()
        calibration.communicate("go\n", timeout=60)
        durations.append(time.monotonic() - started)
    duration = min(durations)  # Scrypt, then the file work at the end
    rng = random.Random(8)
    outcomes = {StoreState.NEW: 0, StoreState.READY: 0}
    leftovers = 0
    for round_ in range(CREATE_KILL_ROUNDS):
        directory = tmp_path / f"round-{round_}"
        # Half the kills anywhere, half in the last stretch where the file is written.
        share = rng.uniform(0, 1.1) if round_ % 2 else rng.uniform(0.7, 1.0)
        child = start_creator(directory)
        child.stdin.write("go\n")
        child.stdin.flush()
        time.sleep(duration * share)
        child.send_signal(signal.SIGKILL)
        child.communicate()
        state = Store.state(directory)
        assert state in outcomes, f"round {round_}: {state}"
        outcomes[state] += 1
        if state is StoreState.READY:
            Store.open(directory, PIN).close()
            continue
        leftovers += directory.exists() and any(directory.iterdir())
        Store.start_fresh(directory)
        Store.create(directory, PIN).close()
        assert sorted(p.name for p in directory.iterdir()) == ["fieldlog.db"]
        Store.open(directory, PIN).close()
    print(
        f"\ncreate ({duration * 1000:.0f} ms) killed {CREATE_KILL_ROUNDS} times: "
        f"{outcomes[StoreState.NEW]} left no store ({leftovers} of them a half-made file, "
        f"removed by start_fresh), {outcomes[StoreState.READY]} a whole store that opened"
    )
