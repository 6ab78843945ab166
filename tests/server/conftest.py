"""A real central store per backend (SQLite, PostgreSQL) and helpers to drive it.

The server runs once per backend for the session; tests stay independent by
making their own team, users and devices (unique names).
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from sync.protocol import PULL_PATH, PUSH_PATH
from tests.server_harness import ServerProcess, start_server

DAY_MS = 86_400_000
# Short, so the tests of a body that never arrives in full wait little.
BODY_TIMEOUT = 2.0
BASE_MS = 1_763_820_000_000  # 2025-11-22, a fixed past instant for versions
# Requests the fuzz tests sent and the 5xx answers among them, by backend.
FUZZ_COUNTS: defaultdict[str, Counter[str]] = defaultdict(Counter)
_names = itertools.count(1)
_addresses = itertools.count(1)


def pytest_terminal_summary(terminalreporter) -> None:
    for backend, counts in sorted(FUZZ_COUNTS.items()):
        terminalreporter.write_line(
            f"fuzz requests sent ({backend}): {counts['sent']}, 5xx = {counts['5xx']}"
        )


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A running central store on 127.0.0.1, one per backend."""
    directory = tmp_path_factory.mktemp(f"server-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{directory / 'central.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database("central_test")
    process = start_server(url, log_dir=directory, serve_args=("--body-timeout", str(BODY_TIMEOUT)))
    yield process
    process.close()


def unique(prefix: str) -> str:
    return f"{prefix} {next(_names)}-{uuid.uuid4().hex[:6]}"


def client_address() -> dict[str, str]:
    """Headers that make a request come from an address of its own (documentation
    range), which the server believes as it comes through a proxy on its host.
    Each test has one, so one test's failed enrollments never hold up another's."""
    return {"X-Forwarded-For": f"2001:db8::{next(_addresses):x}"}


def version(ms: int = BASE_MS, counter: int = 0, device: str = "dev") -> str:
    return f"{ms:013d}.{counter:05d}.{device}"


def contact(
    occurred_at: str = "2025-11-19T10:00:00-06:00",
    *,
    face_to_face: bool = True,
    record_id: str | None = None,
    ver: str | None = None,
    deleted: bool = False,
    **data: Any,
) -> dict[str, Any]:
    """An employer_contact change as a device sends it."""
    return {
        "id": record_id or str(uuid.uuid4()),
        "kind": "employer_contact",
        "version": ver or version(),
        "deleted": deleted,
        "data": {
            "occurred_at": occurred_at,
            "employer": "Invented Bakery",
            "face_to_face": face_to_face,
            **data,
        },
    }


def as_json(body: Any) -> bytes:
    """JSON as any client may send it: ASCII, so even a lone surrogate or a NUL
    in a Python string goes out as its escape (httpx's own encoding refuses them)."""
    return json.dumps(body).encode()


@dataclass
class Device:
    """An enrolled device talking to the server over HTTP."""

    client: httpx.Client
    device_id: str
    token: str
    user: dict[str, Any]
    team: dict[str, Any]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def push(self, changes: list[Any], pending: int | None = 0) -> httpx.Response:
        body: dict[str, Any] = {"device_id": self.device_id, "changes": changes}
        if pending is not None:
            body["pending"] = pending
        return self.post(PUSH_PATH, body)

    def push_ok(self, changes: list[Any], pending: int | None = 0) -> list[dict[str, Any]]:
        response = self.push(changes, pending)
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def get(self, path: str, **params: Any) -> httpx.Response:
        params = {k: v for k, v in params.items() if v is not None}
        return self.client.get(path, params=params, headers=self.auth)

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.client.post(path, content=as_json(body), headers=self.auth_json)

    @property
    def auth_json(self) -> dict[str, str]:
        return {**self.auth, "Content-Type": "application/json"}

    def pull_all(self, after: str | None = None, limit: int = 500) -> tuple[list[dict], str]:
        changes: list[dict[str, Any]] = []
        while True:
            page = self.get(PULL_PATH, after=after, limit=limit)
            assert page.status_code == 200, page.text
            body = page.json()
            changes += body["changes"]
            after = body["next"]
            if not body["more"]:
                return changes, after


@pytest.fixture
def new_client(server: ServerProcess) -> Iterator[Callable[[], httpx.Client]]:
    """Makes HTTP clients, each from an address of its own, closed after the test."""
    made: list[httpx.Client] = []

    def make() -> httpx.Client:
        made.append(httpx.Client(base_url=server.base_url, timeout=30, headers=client_address()))
        return made[-1]

    yield make
    for http in made:
        http.close()


@pytest.fixture
def client(new_client: Callable[[], httpx.Client]) -> httpx.Client:
    return new_client()


@pytest.fixture
def new_team(server: ServerProcess) -> Callable[..., str]:
    def make(**settings: Any) -> str:
        name = unique("Team")
        server.admin.add_team(name, **settings)
        return name

    return make


@pytest.fixture
def new_user(server: ServerProcess) -> Callable[..., str]:
    def make(team: str, role: str = "specialist", *, started_on: date | None = None) -> str:
        name = unique(role.title())
        server.admin.add_user(name, role=role, team=team, started_on=started_on)
        return name

    return make


@pytest.fixture
def enroll(server: ServerProcess, client: httpx.Client) -> Callable[..., Device]:
    def make(user_name: str, device_id: str | None = None) -> Device:
        device_id = device_id or f"dev-{uuid.uuid4().hex[:12]}"
        code = server.admin.make_enrollment_code(user_name)
        response = client.post(
            "/v1/devices/enroll",
            json={"code": code, "device_id": device_id, "device_name": "Test phone"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        return Device(client, device_id, body["token"], body["user"], body["team"])

    return make


@pytest.fixture
def specialist(new_team, new_user, enroll) -> Device:
    """A device of a specialist on a fresh team."""
    return enroll(new_user(new_team()))
