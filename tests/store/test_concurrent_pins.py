"""Wrong PINs tried from many processes at once: every try is counted."""

import sqlite3
import subprocess
import sys

from app.store import MAX_PIN_ATTEMPTS, Store, StoreState
from tests.conftest import PIN

GUESSER = """
import sys
from app.store import Store, StoreErasedError, WrongPinError
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(sys.argv[2])):
    try:
        Store.open(sys.argv[1], "000000")
    except WrongPinError as error:
        print("left", error.attempts_left, flush=True)
    except StoreErasedError:
        print("erased", flush=True)
"""


def guess_at_once(directory, processes, tries_each):
    """Start every guesser, then let them all go at once; returns their lines."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", GUESSER, str(directory), str(tries_each)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for child in children:
        assert child.stdout.readline() == "ready\n"
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    lines = []
    for child in children:
        out, _ = child.communicate(timeout=120)
        assert child.returncode == 0
        lines += out.split("\n")[:-1]
    return lines


def failed_pins(directory):
    conn = sqlite3.connect(directory / "fieldlog.db")
    value = conn.execute("SELECT value FROM meta WHERE key = 'failed_pins'").fetchone()[0]
    conn.close()
    return int(value)


def test_twelve_processes_three_wrong_pins_each_erase_and_lose_no_try(store_dir):
    Store.create(store_dir, PIN).close()
    lines = guess_at_once(store_dir, processes=12, tries_each=3)
    left = sorted(int(line.split()[1]) for line in lines if line.startswith("left"))
    # Tries 1-9 were told 9..1 tries left, each once; the tenth erased.
    assert left == list(range(1, MAX_PIN_ATTEMPTS))
    assert lines.count("erased") == 36 - len(left)
    assert Store.state(store_dir) is StoreState.ERASED
    print(f"\n36 wrong PINs from 12 processes: tries left told {left[::-1]}, then erased")


def test_wrong_pins_at_once_below_the_limit_are_all_counted(store_dir):
    Store.create(store_dir, PIN).close()
    lines = guess_at_once(store_dir, processes=4, tries_each=2)
    assert sorted(int(line.split()[1]) for line in lines) == list(range(2, MAX_PIN_ATTEMPTS))
    assert failed_pins(store_dir) == 8
    Store.open(store_dir, PIN).close()
    assert failed_pins(store_dir) == 0
    print("\n8 wrong PINs from 4 processes: counter at 8, reset to 0 by the right PIN")
