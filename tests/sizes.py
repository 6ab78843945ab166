"""How much the long random tests try: all of it in `make test` (and CI),
a slice in `make check` (`pytest --quick`), the fast loop run many times an
hour. The same tests run either way; only their number of tries changes."""

from __future__ import annotations

import os

QUICK_ENV = "FIELDLOG_QUICK_TESTS"  # set by tests/conftest.py under --quick


def tries(full: int, quick: int) -> int:
    """`full` in a whole run, `quick` under --quick."""
    return quick if os.environ.get(QUICK_ENV) == "1" else full
