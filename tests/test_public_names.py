"""Each package's public names, pinned (as httpx's test_exported_members does):
what `__all__` lists is there, and nothing public is left out of it. And the
two error trees, the device's and the central store's, share no name."""

from __future__ import annotations

import importlib
import inspect

import pytest

import sync.errors
import sync.server.errors
from app.domain import errors as domain_errors

PACKAGES = ("app.domain", "app.store", "sync.errors")


@pytest.mark.parametrize("name", PACKAGES)
def test_all_lists_exactly_the_public_names(name):
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert len(exported) == len(module.__all__), "a name is listed twice"
    missing = [n for n in exported if not hasattr(module, n)]
    assert missing == []
    public = {
        n for n, value in vars(module).items()
        if not n.startswith("_") and not inspect.ismodule(value) and n != "annotations"
    }
    assert public - exported == set(), "public but not in __all__"


def _errors(module) -> set[str]:
    return {n for n, value in vars(module).items()
            if inspect.isclass(value) and issubclass(value, Exception)
            and value.__module__ == module.__name__}


def test_error_names_are_unique_across_the_trees():
    trees = [_errors(domain_errors), _errors(sync.errors), _errors(sync.server.errors)]
    names = [name for tree in trees for name in tree]
    assert len(names) == len(set(names)), sorted(names)
    assert {"SyncError", "ServerFailedError"} <= trees[1]
    assert "CentralStoreError" in trees[2]
