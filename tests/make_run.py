"""`make run` itself, for tests: the Makefile's own command, on free ports and a
data folder of the test's choosing, read back from the block it prints.

    with make_run(tmp_path / "data") as shown:
        shown.specialist, shown.supervisor, shown.server   # the printed addresses
        shown.codes["specialist"], shown.codes["supervisor"]
        shown.text                                         # the whole block
        shown.type("s")                                    # a line typed into make run
        shown.output()                                     # all it printed so far
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from run import port_free
from tests.server_harness import ROOT, free_port

START_TIMEOUT = 120.0  # a first start makes the demo history
LAST_LINE = re.compile(r"^  logs/ .*$", re.M)


@dataclass(frozen=True)
class Shown:
    """What the block printed at the end of start-up says."""

    text: str
    specialist: str
    supervisor: str
    server: str
    codes: dict[str, str]  # by role
    type: Callable[[str], None] = field(default=lambda _line: None, compare=False)
    output: Callable[[], str] = field(default=lambda: "", compare=False)

    @classmethod
    def of(cls, text: str, **typing: Callable) -> Shown:
        def address(label: str) -> str:
            found = re.search(rf"^  {label} +(http://\S+)$", text, re.M)
            assert found, f"no {label} in:\n{text}"
            return found[1]

        codes = dict(re.findall(r"(specialist|supervisor) \(.*\): +([A-Z0-9-]{19})$", text, re.M))
        return cls(text, address("the specialist's phone"), address("the supervisor's phone"),
                   address("server address"), codes, **typing)


@dataclass(frozen=True)
class Ports:
    server: int
    app: int  # the specialist's phone; the supervisor's is on the next one

    @classmethod
    def free(cls) -> Ports:
        app = free_port()
        while app == 65535 or not port_free(app + 1):
            app = free_port()
        return cls(free_port(), app)


def make_command(data: Path, ports: Ports) -> list[str]:
    """`make run` with this interpreter, never reinstalling (-o: the venv counts as made)."""
    return ["make", "--no-print-directory", "-o", ".venv/.installed", "run",
            f"PY={sys.executable}", f"DATA={data}", f"SERVER_PORT={ports.server}",
            f"APP_PORT={ports.app}"]


def make(data: Path, ports: Ports, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "FLET_FORCE_WEB_SERVER": "1"}  # never open a browser window
    return subprocess.Popen(make_command(data, ports), cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen)


@contextmanager
def make_run(data: Path, ports: Ports | None = None) -> Iterator[Shown]:
    """`make run` until the block is printed; stopped afterwards as a terminal's
    close stops it (SIGTERM to the whole process group)."""
    process = make(data, ports or Ports.free(), start_new_session=True, stdin=subprocess.PIPE)
    assert process.stdout is not None and process.stdin is not None
    keys = process.stdin

    def type_line(line: str) -> None:
        keys.write(line + "\n")
        keys.flush()

    lines: list[str] = []

    def read() -> None:
        for line in process.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield Shown.of(_block(process, lines, data), type=type_line,
                       output=lambda: "".join(lines))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=10)
        process.stdout.close()
        keys.close()


def _block(process: subprocess.Popen[str], lines: list[str], data: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while not LAST_LINE.search(out := "".join(lines)):
        if process.poll() is not None or time.monotonic() > deadline:
            logs = "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}"
                             for log in sorted((data / "logs").glob("*.log")))
            raise AssertionError(f"make run printed no block:\n{out}\n{logs}")
        time.sleep(0.1)
    return out
