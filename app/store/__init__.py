"""The encrypted device store. Public names only; the implementation is private."""

from app.domain.errors import (
    RecordDamagedError,
    StoreDamagedError,
    StoreErasedError,
    StoreError,
    StoreExistsError,
    StoreLockedError,
    StoreNotFoundError,
    WrongPinError,
)

from ._files import MAX_PIN_ATTEMPTS, StoreState
from ._inbox import Merged, SetAside
from ._outbox import Outgoing, Rejection
from ._store import MIN_PIN_DIGITS, Store, check_pin

__all__ = [
    "MAX_PIN_ATTEMPTS",
    "MIN_PIN_DIGITS",
    "Merged",
    "Outgoing",
    "RecordDamagedError",
    "Rejection",
    "SetAside",
    "Store",
    "StoreDamagedError",
    "StoreErasedError",
    "StoreError",
    "StoreExistsError",
    "StoreLockedError",
    "StoreNotFoundError",
    "StoreState",
    "WrongPinError",
    "check_pin",
]
