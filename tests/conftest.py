"""Fixtures shared by every test folder."""

import os
from collections.abc import Iterator

import pytest

from app.store import Store
from tests.server_harness import Postgres, postgres_bin
from tests.sizes import QUICK_ENV

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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--quick", action="store_true",
                     help="`make check`: leave out the tests that need chromium or PostgreSQL")


def pytest_configure(config: pytest.Config) -> None:
    """Under --quick the long random tests take a slice of their tries
    (tests/sizes.py); set before any test module is imported."""
    if config.getoption("--quick"):
        os.environ[QUICK_ENV] = "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --quick, the browser tests (tests/ui/test_browser*.py) and every test
    on PostgreSQL (the `postgres` fixture, or a `postgresql` parameter) are
    deselected: `make test` runs them all."""
    if not config.getoption("--quick"):
        return
    slow = [item for item in items
            if item.path.name.startswith("test_browser")
            or "postgres" in getattr(item, "fixturenames", ())
            or "postgresql" in item.nodeid]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item not in slow]
