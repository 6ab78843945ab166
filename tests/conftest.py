"""Fixtures shared by every test folder."""

import pytest

from app.store import Store

PIN = "483920"


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "store"


@pytest.fixture
def fresh_store(store_dir):
    store = Store.create(store_dir, PIN)
    yield store
    store.close()
