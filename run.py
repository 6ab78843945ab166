"""`make run`: the demo on this machine, the central store and two phones.

    python run.py [--data DIR] [--server-port N] [--app-port N]

First the three ports are checked: one in use names the process holding it
and how to choose others. Then the demo team in DIR/central.db (with eight
weeks of history the first time), the central store on the server port, the
specialist's phone (the app, served for a browser) on the app port and the
supervisor's on the next one, each with its data under DIR and its output in
DIR/logs. When all of them answer, one block says what to open, with which
codes, and where the data is. Ctrl+C stops them all. Port 0 picks a free one.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
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
        with running(parts) as stopped:
            print(block(parts, ready, args.data), flush=True)
            while not (ended := stopped()):
                time.sleep(0.5)
            print(f"{ended.what.capitalize()} stopped; its output is in {ended.log}.",
                  file=sys.stderr)
            return 1
    except AdminError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def phone_command(port: int, data_dir: Path) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--web", "--port", str(port),
            "--data-dir", str(data_dir)]


@contextmanager
def running(parts: list[Part]) -> Iterator[Callable[[], Part | None]]:
    """Start every part in the background and wait until each answers; yields
    a function naming a part that has stopped (or None). All stop at the end."""
    with ExitStack() as stack:
        processes: list[tuple[Part, subprocess.Popen[bytes]]] = []
        for part in parts:
            env = dict(os.environ)
            if not part.opens_browser:
                env["FLET_FORCE_WEB_SERVER"] = "1"  # only the specialist's opens a browser tab
            with part.log.open("wb") as out:
                process = subprocess.Popen(part.command, cwd=ROOT, env=env, stdout=out,
                                           stderr=subprocess.STDOUT)
            stack.callback(stop, process)
            processes.append((part, process))
        for part, process in processes:
            wait_until_answering(part, process)

        def stopped() -> Part | None:
            return next((part for part, process in processes if process.poll() is not None),
                        None)

        yield stopped


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
        "IPS Field Log is running; Ctrl+C stops it. Open in a browser:",
        f"  the specialist's phone   {specialist.url}",
        f"  the supervisor's phone   {supervisor.url}",
        "In each: create a PIN, then Settings -> Connect to server with",
        f"  server address           {server.url}",
        f"  enrollment code          {codes[0]}",
        *(f"                           {line}" for line in codes[1:]),
        "  (single use, valid 72 hours; every `make run` prints fresh ones)",
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
