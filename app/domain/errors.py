"""Every error the app raises on purpose, in one tree.

    FieldLogError
    ├── ValidationError (also a ValueError)  bad input; .field names the field
    │   └── UnknownKindError                 a record kind PROTOCOL.md does not define
    └── StoreError                           the encrypted device store
        ├── StoreNotFoundError               no store at that path yet: create one
        ├── StoreExistsError                 create() where a store already is
        ├── WrongPinError                    .attempts_left before the data is erased
        ├── StoreErasedError                 erased after too many wrong PINs
        ├── StoreLockedError                 the key was forgotten (closed or idle): unlock
        ├── StoreDamagedError                the store file cannot be used: start fresh
        └── RecordDamagedError               a sealed body failed authentication

Messages are plain English a specialist can act on.
"""

from __future__ import annotations

SHOWN_LENGTH = 40


def shown(value: object) -> str:
    """A value as a message quotes it: short, and never the whole of a huge or
    deeply nested input (a message is read by a person and sent back in JSON)."""
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "an object"
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


class FieldLogError(Exception):
    """Base of every error raised on purpose by IPS Field Log."""


class ValidationError(FieldLogError, ValueError):
    """Input that breaks a rule; `field` names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class UnknownKindError(ValidationError):
    def __init__(self, kind: object, known: tuple[str, ...]) -> None:
        super().__init__(
            "kind", f"{shown(kind)} is not a record kind; expected one of {', '.join(known)}"
        )


class StoreError(FieldLogError):
    """Base of the device store's errors."""


class StoreNotFoundError(StoreError):
    pass


class StoreExistsError(StoreError):
    pass


class WrongPinError(StoreError):
    def __init__(self, attempts_left: int) -> None:
        self.attempts_left = attempts_left
        tries = "1 try" if attempts_left == 1 else f"{attempts_left} tries"
        super().__init__(f"Wrong PIN. {tries} left before the data on this device is erased.")


class StoreErasedError(StoreError):
    pass


class StoreLockedError(StoreError):
    pass


class StoreDamagedError(StoreError):
    """The store file is damaged or incomplete (cut short, overwritten, a store
    whose making was interrupted); `detail` says what was found."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"The data on this phone cannot be opened: {detail}. Start fresh to use the "
            "app again. Records that were synced come back at the next sync; records "
            "not yet synced cannot be recovered."
        )


class RecordDamagedError(StoreError):
    """A stored body failed its integrity check (altered or damaged on disk)."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(
            f"{what} failed its integrity check: it was altered or damaged on this device "
            "and cannot be read. Other records are not affected; if it was synced, the "
            "server still holds it."
        )
