"""`make run` twice in a row: while one runs, another on the same ports says
which process holds each and how to choose others; once it stops, the next
reuses the demo database, with fresh codes, and prints the ports it was given."""

from __future__ import annotations

import re
import time

import httpx

from sync.protocol import HEALTH_PATH
from tests.make_run import Ports, make, make_run


def test_make_run_twice_in_a_row(tmp_path):
    data, ports = tmp_path / "data", Ports.free()
    with make_run(data, ports) as first:
        assert "the demo team, 8 weeks of history made now" in first.text
        busy = make(data, ports)
        out = busy.communicate(timeout=60)[0]
        assert busy.returncode != 0
        for port, what, command in (
                (ports.server, "the central store", "-m sync.server serve"),
                (ports.app, "the specialist's phone", "main.py --web"),
                (ports.app + 1, "the supervisor's phone", "main.py --web")):
            assert re.search(rf"^Port {port} \({what}\) is in use by process \d+ "
                             rf"\(.*{command} .*--port {port}.*\)\.$", out, re.M), out
        assert re.search(r"choose other ports: make run SERVER_PORT=\d+ APP_PORT=\d+", out)

    with make_run(data, ports) as second:
        assert "the demo team, as the last run left it" in second.text
        assert (second.server, second.specialist, second.supervisor) == (
            f"http://127.0.0.1:{ports.server}", f"http://127.0.0.1:{ports.app}",
            f"http://127.0.0.1:{ports.app + 1}")
        assert second.codes.keys() == first.codes.keys() == {"specialist", "supervisor"}
        assert set(second.codes.values()).isdisjoint(first.codes.values())


def test_the_central_store_stops_and_starts_alone_while_the_phones_go_on(tmp_path):
    """So a new user can try offline in the demo: `s` and Enter stops the central
    store alone, the phones keep answering, and `s` again brings it back."""
    with make_run(tmp_path / "data") as shown:
        assert "type s and Enter to stop the central store" in shown.text
        shown.type("s")
        _until(lambda: not _answers(shown.server + HEALTH_PATH))
        _until(lambda: "The central store is stopped: the phones go on offline"
               in shown.output())
        assert _answers(shown.specialist) and _answers(shown.supervisor)
        shown.type("s")
        _until(lambda: _answers(shown.server + HEALTH_PATH), seconds=60)
        _until(lambda: "The central store is back" in shown.output())
        assert _answers(shown.specialist)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still not true after {seconds} s"
        time.sleep(0.2)
