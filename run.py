"""`make run`: the demo on this machine, the central store and two phones.

    python run.py [--data DIR] [--server-port N] [--app-port N]

First the three ports are checked: one in use names the process holding it
and how to choose others. Then the demo team in DIR/central.db (with eight
weeks of history the first time), the central store on the server port, the
specialist's phone (the app, served for a browser) on the app port and the
supervisor's on the next one, each with its data under DIR and its output in
DIR/logs. When all of them answer, one block says what to open, with which
codes, and where the data is. Ctrl+C stops them all. Port 0 picks a free one.

The phones go on when the central store stops (offline is their normal case):
`s` and Enter stops the central store alone, to try the app offline, and
starts it again.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from sync.protocol import HEALTH_PATH
from sync.server.demo import WEEKS, DemoReady, set_up
from sync.server.errors import AdminError
from sync.server.store import CentralStore

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent
START_TIMEOUT = 90.0  # seconds for each part to answer (a first start compiles bytecode)
STOP_TIMEOUT = 10.0
TOGGLE_SERVER = "s"  # typed (and Enter) while the demo runs: stop or start the central store


@dataclass(frozen=True)
class Part:
    """One background process of the demo."""

    what: str
    port: int
    command: list[str]
    log: Path
    health: str | None = None  # a path that answers 200 once it serves; else: accepts a connection
    opens_browser: bool = False

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data"),
                        help="where the central store, the phones and the logs keep their data")
    parser.add_argument("--server-port", type=int, default=8700, help="the central store's port")
    parser.add_argument("--app-port", type=int, default=8550,
                        help="the specialist's phone; the supervisor's is on the next port")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = args.data.resolve()  # the parts run in this folder, wherever `--data` is from
    server_port, specialist_port, supervisor_port = (
        args.server_port or free_port(), args.app_port or free_port(),
        free_port() if args.app_port == 0 else args.app_port + 1)
    logs = data / "logs"
    database_url = f"sqlite:///{data / 'central.db'}"
    python = sys.executable
    parts = [
        Part("the central store", server_port,
             [python, "-m", "sync.server", "serve", "--db", database_url, "--host", HOST,
              "--port", str(server_port)], logs / "server.log", health=HEALTH_PATH),
        Part("the specialist's phone", specialist_port,
             phone_command(specialist_port, data / "phone-specialist"),
             logs / "phone-specialist.log", opens_browser=True),
        Part("the supervisor's phone", supervisor_port,
             phone_command(supervisor_port, data / "phone-supervisor"),
             logs / "phone-supervisor.log"),
    ]
    busy = [port_in_use(part) for part in parts if not port_free(part.port)]
    if busy:
        print("\n".join(busy), file=sys.stderr)
        print(f"Stop {'it' if len(busy) == 1 else 'them'} (is `make run` running in another "
              "terminal?), or choose other ports: "
              f"make run {other_ports(server_port, specialist_port)}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the parts, as Ctrl+C does
    try:
        logs.mkdir(parents=True, exist_ok=True)
        store = CentralStore.open(database_url)
        try:
            ready = set_up(store, database_url, history=True)
        finally:
            store.close()
        with running(parts) as demo:
            print(block(parts, ready, args.data), flush=True)
            return watch(demo, server=parts[0])
    except AdminError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def phone_command(port: int, data_dir: Path) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--web", "--port", str(port),
            "--data-dir", str(data_dir)]


class Demo:
    """The parts running in the background, each started, stopped or started
    again on its own."""

    def __init__(self, parts: list[Part]) -> None:
        self.parts = parts
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, part: Part, *, wait: bool = True) -> None:
        env = dict(os.environ)
        if not part.opens_browser or part.what in self.processes:
            env["FLET_FORCE_WEB_SERVER"] = "1"  # only the specialist's opens a tab, once
        with part.log.open("ab") as out:
            self.processes[part.what] = subprocess.Popen(
                part.command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        if wait:
            wait_until_answering(part, self.processes[part.what])

    def stop(self, part: Part) -> None:
        stop(self.processes[part.what])

    def is_running(self, part: Part) -> bool:
        return self.processes[part.what].poll() is None

    def stopped(self) -> list[Part]:
        return [part for part in self.parts if not self.is_running(part)]


@contextmanager
def running(parts: list[Part]) -> Iterator[Demo]:
    """Start every part in the background and wait until each answers. All stop
    at the end."""
    for part in parts:
        part.log.write_bytes(b"")
    demo = Demo(parts)
    try:
        for part in parts:
            demo.start(part, wait=False)
        for part in parts:
            wait_until_answering(part, demo.processes[part.what])
        yield demo
    finally:
        for process in demo.processes.values():
            stop(process)


def watch(demo: Demo, *, server: Part) -> int:
    """Until a phone stops (1) or Ctrl+C: the central store may stop, or be
    stopped and started with `s` and Enter, while the phones go on offline."""
    typed = sys.stdin if sys.stdin is not None and not sys.stdin.closed else None
    said_down = False
    while True:
        phones = [part for part in demo.stopped() if part is not server]
        if phones:
            print(f"{phones[0].what.capitalize()} stopped; its output is in {phones[0].log}.",
                  file=sys.stderr)
            return 1
        if not demo.is_running(server) and not said_down:
            said_down = True
            print(f"The central store is stopped: the phones go on offline and sync when it "
                  f"is back. Type {TOGGLE_SERVER} and Enter to start it again.", flush=True)
        line = _line(typed, 0.5)
        if line is None:  # no terminal (or it closed): only Ctrl+C and the parts count
            typed = None
        elif line.strip().lower() == TOGGLE_SERVER:
            if demo.is_running(server):
                demo.stop(server)
            else:
                print("Starting the central store ...", flush=True)
                demo.start(server)
                said_down = False
                print(f"The central store is back on {server.url}: the phones sync within "
                      "seconds.", flush=True)


def _line(stream, seconds: float) -> str | None:
    """A line typed within `seconds` ("" if none); None at the end of input."""
    if stream is None:
        time.sleep(seconds)
        return ""
    try:
        ready, _, _ = select.select([stream], [], [], seconds)
    except (OSError, ValueError):  # not a file select can wait on
        time.sleep(seconds)
        return None
    if not ready:
        return ""
    line = stream.readline()
    return line if line else None


def wait_until_answering(part: Part, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not answers(part):
        if process.poll() is not None or time.monotonic() > deadline:
            tail = part.log.read_text(errors="replace").strip().splitlines()[-15:]
            raise AdminError(f"{part.what} did not start; the end of {part.log}:\n"
                             + "\n".join(tail))
        time.sleep(0.2)


def answers(part: Part) -> bool:
    if part.health:
        try:
            return httpx.get(part.url + part.health, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
    with socket.socket() as sock:
        return sock.connect_ex((HOST, part.port)) == 0


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def block(parts: list[Part], ready: DemoReady, data: Path) -> str:
    server, specialist, supervisor = parts
    width = max(len(f"{role} ({name}):") for role, name, _ in ready.codes)
    codes = [f"{role} ({name}):".ljust(width) + f" {code}" for role, name, code in ready.codes]
    history = (f"the demo team, {WEEKS} weeks of history made now" if ready.history
               else "the demo team, as the last run left it")
    return "\n".join([
        "",
        "IPS Field Log is running; Ctrl+C stops it all. Open in a browser:",
        f"  the specialist's phone   {specialist.url}",
        f"  the supervisor's phone   {supervisor.url}",
        "In each: create a PIN, then Settings -> Connect to server with",
        f"  server address           {server.url}",
        f"  enrollment code          {codes[0]}",
        *(f"                           {line}" for line in codes[1:]),
        "  (single use, valid 72 hours; every `make run` prints fresh ones)",
        f"To try the phones offline: type {TOGGLE_SERVER} and Enter to stop the central store "
        "alone,",
        f"  and {TOGGLE_SERVER} and Enter again to start it; the phones go on either way.",
        f"Data, all under {data}/:",
        f"  central.db               the central store: {history}",
        "  phone-specialist/        the specialist's phone (encrypted)",
        "  phone-supervisor/        the supervisor's phone (encrypted)",
        "  logs/                    what each of them printed",
    ])


# ----- ports ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_free(port: int) -> bool:
    """True when a server could listen on HOST:port now (as the parts do, with
    SO_REUSEADDR, so a socket a past run left in TIME_WAIT does not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def port_in_use(part: Part) -> str:
    return f"Port {part.port} ({part.what}) is in use by {holder(part.port)}."


def holder(port: int) -> str:
    """Which process listens on `port`: its id and command line, read from /proc
    (Linux); in words when that cannot tell."""
    sockets = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                sockets.add(f"socket:[{inode}]")
    if not sockets:
        return "another program"
    for fds in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) in sockets for fd in fds.iterdir()):
                command = (fds.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                return f"process {fds.parent.name} ({command.decode(errors='replace').strip()})"
        except OSError:  # gone meanwhile, or another user's
            continue
    return "a process of another user"


def other_ports(server_port: int, app_port: int) -> str:
    """SERVER_PORT=… APP_PORT=… that are free now (the app's next one too)."""
    server = next(p for p in range(server_port + 10, 65536, 10) if port_free(p))
    app = next(p for p in range(app_port + 10, 65535, 10) if port_free(p) and port_free(p + 1))
    return f"SERVER_PORT={server} APP_PORT={app} (0 picks free ones)"


if __name__ == "__main__":
    sys.exit(main())
