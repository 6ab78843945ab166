"""How much the long random tests try: all of it in `make test` (and CI),
a slice in `make check` (`pytest --quick`), the fast loop run many times an
hour. The same tests run either way; only their number of tries changes."""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import product
from typing import Any

QUICK_ENV = "FIELDLOG_QUICK_TESTS"  # set by tests/conftest.py under --quick


def tries(full: int, quick: int) -> int:
    """`full` in a whole run, `quick` under --quick."""
    return quick if os.environ.get(QUICK_ENV) == "1" else full


def sweep(first: Sequence[Any], second: Sequence[Any]) -> list[tuple[Any, Any]]:
    """Every pair of the two in a whole run; under --quick, each of either taken
    at least once, paired round-robin (a sweep's slice, not its corners)."""
    if os.environ.get(QUICK_ENV) != "1":
        return list(product(first, second))
    longest = max(len(first), len(second))
    return [(first[i % len(first)], second[i % len(second)]) for i in range(longest)]
