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

from ._store import (
    MAX_PIN_ATTEMPTS,
    MIN_PIN_DIGITS,
    Merged,
    Outgoing,
    Rejection,
    SetAside,
    Store,
    StoreState,
    check_pin,
)

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
