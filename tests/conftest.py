"""Fixtures shared by every test folder."""

import os
from collections.abc import Iterator

import pytest

from app.store import Store
from tests.server_harness import Postgres, postgres_bin

PIN = "483920"


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "store"


@pytest.fixture
def fresh_store(store_dir):
    store = Store.create(store_dir, PIN)
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One throwaway PostgreSQL cluster on 127.0.0.1 for the whole run."""
    if postgres_bin() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL binaries are missing in CI: install them (.ci/system-deps)")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found")
    with Postgres.start() as cluster:
        yield cluster
