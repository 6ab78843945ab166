"""A real central store for tests: uvicorn in a subprocess on 127.0.0.1, and PostgreSQL.

Reusable from any test folder:

    server = start_server("sqlite:///" + str(tmp_path / "central.db"), log_dir=tmp_path)
    server.base_url                  # http://127.0.0.1:<free port>
    server.cli("add-team", "North")  # python -m sync.server ... --db <url>, in process
    server.admin                     # a CentralStore on the same database, in process
    server.restart(); server.kill(); server.stop()

    with Postgres.start() as pg:     # initdb + pg_ctl in a temporary directory
        url = pg.create_database("test_x")
        pg.dump("test_x", path); pg.restore("test_x", path)   # pg_dump -Fc, pg_restore
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import closing, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sync.protocol import ENROLL_PATH
from sync.server.cli import main as cli_main
from sync.server.store import CentralStore

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"Central store listening on (http://[\d.]+:\d+)")
START_TIMEOUT = 30.0


@dataclass
class ServerProcess:
    db_url: str
    log_path: Path
    port: int = 0
    serve_args: tuple[str, ...] = ()  # more options of `serve`
    base_url: str = ""
    process: subprocess.Popen[bytes] | None = None
    _admin: CentralStore | None = field(default=None, repr=False)

    def start(self) -> ServerProcess:
        log = self.log_path.open("ab")
        offset = log.tell()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sync.server",
                "serve",
                "--db",
                self.db_url,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *self.serve_args,
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()[offset:]}")
            text = self.log_path.read_bytes()[offset:].decode(errors="replace")
            found = LISTENING.search(text)
            if found and self._healthy(found[1]):
                self.base_url = found[1]
                self.port = int(self.base_url.rsplit(":", 1)[1])
                return self
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text()[offset:]}")

    @staticmethod
    def _healthy(base_url: str) -> bool:
        try:
            return httpx.get(f"{base_url}/v1/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        """Graceful stop (SIGINT, like Ctrl+C); then kill if it hangs."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def kill(self) -> None:
        """Abrupt death, as in a crash: SIGKILL."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> ServerProcess:
        """Stop and start again on the same port."""
        self.stop()
        return self.start()

    @property
    def admin(self) -> CentralStore:
        if self._admin is None:
            self._admin = CentralStore.open(self.db_url)
        return self._admin

    def cli(
        self, *args: str, check: bool = True, process: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """`python -m sync.server ARGS --db <this server's url>` (`run_cli`)."""
        return run_cli(self.db_url, *args, check=check, process=process)

    def close(self) -> None:
        self.stop()
        if self._admin is not None:
            self._admin.close()
            self._admin = None


def run_cli(
    db_url: str, *args: str, check: bool = True, process: bool = False
) -> subprocess.CompletedProcess[str]:
    """`python -m sync.server ARGS --db DB_URL`: its `main()` in this process (a
    new interpreter per call cost seconds of imports), or with `process` a real
    process, for what only one can show (exit status, no traceback). With
    check, a failure raises with the command's own words."""
    argv = [*args, "--db", db_url]
    if process:
        result = subprocess.run(
            [sys.executable, "-m", "sync.server", *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    else:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = cli_main(argv)
            except SystemExit as exit_:  # argparse refusing the arguments
                code = exit_.code if isinstance(exit_.code, int) else 1
        result = subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
    if check and result.returncode != 0:
        raise RuntimeError(f"{args} failed ({result.returncode}):\n{result.stderr}")
    return result


def start_server(db_url: str, *, log_dir: Path, serve_args: tuple[str, ...] = ()) -> ServerProcess:
    return ServerProcess(db_url, Path(log_dir) / "server.log", serve_args=serve_args).start()


def enroll_over_http(
    http: httpx.Client, server: ServerProcess, user: str, device_name: str
) -> tuple[str, dict]:
    """A new device of `user` enrolled as a phone does it, with a fresh code:
    its id and the server's answer (token, user, team)."""
    device_id = f"dev-{uuid.uuid4().hex[:12]}"
    answer = http.post(
        ENROLL_PATH,
        json={
            "code": server.admin.make_enrollment_code(user),
            "device_id": device_id,
            "device_name": device_name,
        },
    )
    answer.raise_for_status()
    return device_id, answer.json()


def copy_sqlite(source: str | Path, target: str | Path) -> None:
    """SQLite's online backup, as an agency takes one (and puts one back)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bin() -> Path | None:
    """Where initdb and pg_ctl are (Debian's layout, or on PATH), or None."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if candidates:
        return candidates[0].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1, in a temporary directory."""

    bin: Path
    root: Path
    port: int

    @classmethod
    def start(cls, bin_dir: Path | None = None, *, durable: bool = False) -> Postgres:
        """A cluster for tests, which need not survive a power cut; with
        `durable`, one that syncs each commit to disk, as a deployment does."""
        bin_dir = bin_dir or postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found")
        root = Path(tempfile.mkdtemp(prefix="ips-pg-"))
        cluster = cls(bin_dir, root, free_port())
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(root, "postgres")
        cluster._run(
            "initdb",
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-c listen_addresses=127.0.0.1 -p {cluster.port} -k {root}"
        options += " -c max_connections=300"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off"
        cluster._run(
            "pg_ctl",
            "-D",
            str(root / "data"),
            "-o",
            options,
            "-l",
            str(root / "postgres.log"),
            "-w",
            "start",
        )
        return cluster

    def _run(self, tool: str, *args: str) -> None:
        user = "postgres" if os.geteuid() == 0 else None
        subprocess.run(
            [str(self.bin / tool), *args],
            check=True,
            capture_output=True,
            user=user,
            cwd=self.root,
            timeout=120,
        )

    @property
    def admin_url(self) -> str:
        return self._url("postgres")

    def create_database(self, name: str) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self._url(name)

    def dump(self, name: str, path: Path) -> None:
        """A backup of database `name` as an agency takes it (`pg_dump -Fc`)."""
        self._client_tool("pg_dump", "-Fc", "-f", str(path), self._url(name))

    def restore(self, name: str, path: Path) -> None:
        """Database `name` made anew, empty, and a `dump` restored into it."""
        self._client_tool("pg_restore", "-d", self.create_database(name), str(path))

    def _client_tool(self, tool: str, *args: str) -> None:
        # As this user, over TCP: the files are this user's, not the cluster's.
        subprocess.run([str(self.bin / tool), *args], check=True, capture_output=True, timeout=120)

    def _url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Postgres:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
