"""Fixtures for the UI tests: the app in the renderer-less harness, with a
clock the test moves; the web build for the browser tests; a real central
store."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import sqlalchemy as sa

from app.store import Store
from app.ui import FieldLogApp
from sync.client import TOKEN_SECRET, SyncClient
from sync.protocol import PUSH_PATH
from sync.server.db import records
from tests.server_harness import ServerProcess, free_port, start_server

from .harness import Harness

ROOT = Path(__file__).resolve().parents[2]
PIN = "246810"
# A Wednesday: the Monday-start week has days on both sides.
NOW = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)


@dataclass
class Clock:
    seconds: float = 1000.0
    now: datetime = field(default=NOW)

    def monotonic(self) -> float:
        return self.seconds


@dataclass
class Running:
    harness: Harness
    app: FieldLogApp
    clock: Clock

    async def create_pin(self) -> None:
        await self.harness.type("pin", PIN)
        await self.harness.type("confirm_pin", PIN)
        await self.harness.click("create")

    async def connect(self, url: str, code: str) -> None:
        """Settings -> Connect to server, and wait for the first sync to end."""
        h = self.harness
        await h.tab("Settings")
        await h.click("connect_to_server")
        await h.type("server_address", url)
        await h.type("enrollment_code", code)
        await h.click("connect")
        await until(lambda: not self.app.sync_client.status.running
                    and self.app.sync_client.status.last_synced_at is not None)

    async def set_up_connected(self, url: str, code: str) -> None:
        """A new phone's first minute: create the PIN, then connect to the server."""
        await self.create_pin()
        await self.connect(url, code)

    async def log_contact(self, employer: str, *, face_to_face: bool = True) -> None:
        h = self.harness
        await h.click("log_contact")
        await h.type("field:employer", employer)
        if not face_to_face:
            await h.toggle("field:face_to_face", False)
        await h.click("save")


@pytest.fixture
def start_app(tmp_path):
    """`await start_app()` runs a fresh app session on the test's data dir; it
    syncs only when asked (no backoff waits), never on a timer."""
    clock = Clock()
    running: list[Running] = []

    async def start(data_dir: Path | None = None) -> Running:
        apps: list[FieldLogApp] = []

        def main(page):
            app = FieldLogApp(page, data_dir or tmp_path / "data", now=lambda: clock.now,
                              monotonic=clock.monotonic, watch_idle=False,
                              sync_client=lambda store: SyncClient(store=store,
                                                                   sleep=lambda _s: None),
                              sync_interval=3600)
            apps.append(app)
            app.start()

        harness = await Harness(main).start()
        running.append(Running(harness, apps[0], clock))
        return running[-1]

    yield start
    for r in running:
        r.app.close()
        r.harness.close()


async def until(condition: Callable[[], object], timeout: float = 15.0) -> None:
    """Let the app's loop run (background sync hands its updates to it) until
    `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {condition}")
        await asyncio.sleep(0.05)


def run(coro):
    return asyncio.run(coro)


class Central:
    """A real central store (uvicorn on 127.0.0.1, SQLite in the test's tmp dir)
    with one team, Riverside (weeks from Monday, America/Chicago, target 6);
    users and codes are made in process through the admin API."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.url = server.base_url

    def user(self, name: str, role: str = "specialist", *,
             started_on: date | None = None) -> str:
        """Add a user; returns a fresh enrollment code for them."""
        self.server.admin.add_user(name, role=role, team="Riverside", started_on=started_on)
        return self.code(name)

    def code(self, name: str) -> str:
        return self.server.admin.make_enrollment_code(name)

    def records(self) -> list[dict]:
        with self.server.admin.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(records))]


@pytest.fixture
def central(tmp_path) -> Iterator[Central]:
    server = start_server(f"sqlite:///{tmp_path / 'central.db'}", log_dir=tmp_path)
    server.admin.add_team("Riverside", week_start="monday", timezone="America/Chicago")
    yield Central(server)
    server.close()


@dataclass
class WebApp:
    url: str
    data_dir: Path


@pytest.fixture
def web_app(tmp_path) -> Iterator[WebApp]:
    """`main.py --web` on a free loopback port with the test's data dir."""
    port, data_dir, log = free_port(), tmp_path / "data", tmp_path / "app.log"
    env = {**os.environ, "FLET_FORCE_WEB_SERVER": "1"}  # never open a browser window
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "main.py", "--web", "--port", str(port), "--data-dir", str(data_dir)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, proc, log)
        yield WebApp(f"http://127.0.0.1:{port}/", data_dir)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None:
            raise RuntimeError("main.py --web exited: " + log.read_text()[-2000:])
        time.sleep(0.1)
    raise RuntimeError("main.py --web did not listen within 30 s")


CHICAGO = ZoneInfo("America/Chicago")


def current_week() -> date:
    """The Monday of this week in Chicago, by the real clock the server keeps."""
    today = datetime.now(CHICAGO).date()
    return today - timedelta(days=today.weekday())


def seed_team(central: Central, root: Path) -> tuple[str, dict[str, str], date]:
    """A supervisor and two specialists who synced from their own phones, by the
    real clock (the server refuses contacts dated ahead of it). Ada, with the
    team since three weeks before this one: 6 contacts this week (one for a
    member), 5 the week before, and a member 40 days in the program with
    nothing done (2 rules overdue). Bo, new this week: 2, a phone call that
    does not count, and a phone reporting 3 records unsynced. Returns the
    supervisor's enrollment code, the specialists' user ids and this week's
    Monday."""
    this_week = current_week()
    sam_code = central.user("Sam Supervisor", "supervisor")
    last_week = this_week - timedelta(days=7)
    ids = {}
    for name, weeks, started in (
            ("Ada Specialist", {this_week: 6, last_week: 5}, this_week - timedelta(weeks=3)),
            ("Bo Specialist", {this_week: 2}, None)):
        store = Store.create(root / name.split()[0], PIN)
        phone = SyncClient(store=store, sleep=lambda _s: None)
        phone.enroll(central.url, central.user(name, started_on=started), f"{name}'s phone")
        short = name[:3]
        for week, count in weeks.items():
            for n in range(count):
                extra = {"member_ids": [store.device_id], "contact_person": "Pat Lee"} \
                    if n == 0 else {}
                store.put("employer_contact", seed_contact(week, f"{short} Employer {n}", **extra))
        if short == "Bo ":
            store.put("employer_contact", seed_contact(this_week, "Phone Call Co",
                                                   face_to_face=False))
        else:  # a member of Ada's, in the program 40 days with nothing done yet
            store.put("member", {"display_name": "Invented Member", "status": "active",
                                 "job_seeking": True, "program_entry":
                                 (store.today() - timedelta(days=40)).isoformat()})
        phone.sync()
        if short == "Bo ":
            token = store.secrets.get(TOKEN_SECRET)
            httpx.post(central.url + PUSH_PATH,
                       json={"device_id": store.device_id, "changes": [], "pending": 3},
                       headers={"Authorization": f"Bearer {token}"}).raise_for_status()
        ids[short.strip()] = phone.account["user"]["id"]
        store.close()
    return sam_code, ids, this_week


def seed_contact(week: date, employer: str, **more) -> dict:
    """A face-to-face contact early in `week` (Chicago), never later than now."""
    start = datetime.combine(week, datetime.min.time(), tzinfo=CHICAGO)
    when = max(start, min(start + timedelta(hours=9), datetime.now(CHICAGO)
                          - timedelta(seconds=5)))
    return {"occurred_at": when.isoformat(timespec="seconds"), "employer": employer,
            "face_to_face": True, **more}
