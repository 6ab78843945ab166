"""A real central store (SQLite and PostgreSQL) and enrolled device stores."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app.store import Store
from sync.client import SyncClient
from sync.server.db import records
from tests.server_harness import ServerProcess, start_server

PIN = "802417"
_numbers = itertools.count(1)


def contact(employer="Pinecone Outfitters", when="2026-11-18T10:00:00-06:00", **more):
    return {"occurred_at": when, "employer": employer, "face_to_face": True, **more}


def server_rows(server, record_id=None):
    """The central store's rows of records (of one record, with an id)."""
    query = sa.select(records)
    if record_id:
        query = query.where(records.c.id == record_id)
    with server.admin.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


@pytest.fixture(params=["sqlite", "postgresql"])
def central(request, tmp_path) -> Iterator[ServerProcess]:
    """A fresh central store per test, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'central.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database(
            f"sync_{next(_numbers)}_{uuid.uuid4().hex[:6]}"
        )
    server = start_server(url, log_dir=tmp_path)
    server.admin.add_team("Riverside", week_start="monday", timezone="America/Chicago")
    yield server
    server.close()


class Devices:
    """Makes enrolled phones: a store plus a sync client, per user. Users and
    codes come from the server's admin API in process (the command line has
    its own tests), which keeps each test a few seconds shorter."""

    def __init__(self, server: ServerProcess, root, **client_options) -> None:
        self.server = server
        self.root = root
        self.client_options = client_options
        self.stores: list[Store] = []

    def user(self, name: str, role: str = "specialist", team: str = "Riverside") -> str:
        self.server.admin.add_user(name, role=role, team=team)
        return name

    def enroll(
        self, user: str, *, url: str | None = None, code: str | None = None, **store_options
    ) -> SyncClient:
        code = code or self.server.admin.make_enrollment_code(user)
        store = Store.create(self.root / f"phone-{len(self.stores)}", PIN, **store_options)
        self.stores.append(store)
        client = SyncClient(store=store, sleep=lambda _: None, **self.client_options)
        client.enroll(url or self.server.base_url, code, f"phone {len(self.stores)}")
        return client

    def close(self) -> None:
        for store in self.stores:
            if not store.locked:
                store.close()


@pytest.fixture
def devices(central, tmp_path) -> Iterator[Devices]:
    made = Devices(central, tmp_path)
    yield made
    made.close()
