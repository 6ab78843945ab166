"""The PIN gate as plain Python (no flet): creating, opening and re-opening
the encrypted store of one data directory, what a PIN must fix and on which
box, and where that directory is.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from app.domain import ValidationError, wall_clock_ms
from app.store import (
    MIN_PIN_DIGITS,
    Store,
    StoreDamagedError,
    StoreErasedError,
    StoreNotFoundError,
    StoreState,
    WrongPinError,
    check_pin,
)

from . import text


class PinProblem(Exception):
    """A PIN the specialist must fix; `field` is the PIN box to show it on."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


class Gate:
    """Creates, opens and re-opens the store of one data directory."""

    def __init__(self, data_dir: Path, *, monotonic: Callable[[], float] = time.monotonic,
                 wall_ms: Callable[[], int] = wall_clock_ms):
        self.data_dir = data_dir
        self.monotonic = monotonic
        self.wall_ms = wall_ms
        self.store: Store | None = None

    @property
    def state(self) -> StoreState:
        """What the data directory holds (read only when nothing is open)."""
        if self.store is not None:
            return StoreState.READY
        return Store.state(self.data_dir)

    def erased_reason(self) -> str:
        """Why the data here was erased (too many wrong PINs, a revoked device)
        and what to do, as the store recorded it."""
        try:
            Store.open(self.data_dir, "")  # refuses at once, with the recorded reason
        except StoreErasedError as erased:
            return str(erased)
        return ""

    def start_fresh(self) -> None:
        """Remove what cannot be used (damaged, half made, erased), for a new PIN."""
        self.store = None
        Store.start_fresh(self.data_dir)

    def create(self, pin: str, confirm: str) -> Store:
        if not pin:
            raise PinProblem("pin", f"Choose a PIN of {MIN_PIN_DIGITS} or more digits and "
                             "type it here.")
        try:
            check_pin(pin)
        except ValidationError as error:
            raise PinProblem("pin", f"The PIN {error.problem}. Choose another.") from None
        if not confirm:
            raise PinProblem("confirm", "Type the same PIN again here to confirm it.")
        if pin != confirm:
            raise PinProblem("confirm", "The two PINs differ. Type the same PIN in both boxes.")
        if Store.state(self.data_dir) is not StoreState.NEW:
            Store.start_fresh(self.data_dir)  # an erase notice, or remains of a cut create
        self.store = Store.create(self.data_dir, pin, monotonic=self.monotonic,
                                  wall_ms=self.wall_ms)
        return self.store

    def unlock(self, pin: str) -> Store:
        """Open the store, or bring back the key of the one that auto-locked.

        Raises PinProblem for a wrong PIN, StoreErasedError after the last try,
        StoreDamagedError when the file cannot be used.
        """
        if not pin.strip():
            raise PinProblem("pin", f"Enter your PIN ({MIN_PIN_DIGITS} or more digits).")
        try:
            if self.store is None:
                self.store = Store.open(self.data_dir, pin, monotonic=self.monotonic,
                                        wall_ms=self.wall_ms)
            else:
                self.store.unlock(pin)
        except WrongPinError as error:
            tries = text.plural(error.attempts_left, "try", "tries")
            raise PinProblem(
                "pin",
                f"Wrong PIN. Check it and try again: {tries} left before "
                "the data on this phone is erased.",
            ) from None
        except StoreNotFoundError:
            raise PinProblem("pin", "There is no data here yet: create a PIN first.") from None
        except (StoreErasedError, StoreDamagedError):
            self.store = None
            raise
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def default_data_dir() -> Path:
    """Where the encrypted store lives: the phone's app storage under Flet, else
    the per-user data directory (XDG on Linux)."""
    phone = os.environ.get("FLET_APP_STORAGE_DATA")
    if phone:
        return Path(phone) / "field-log"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ips-field-log"
