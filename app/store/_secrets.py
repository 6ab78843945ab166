"""Sealed settings of the sync link (server address, device token, account)."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag

from ._sealed import SealedRows, aad, secret_description


class Secrets:
    """Named texts sealed like records; a damaged one reads as None and is
    reported with the store's damage."""

    def __init__(self, core: SealedRows):
        self._core = core

    def get(self, name: str) -> str | None:
        """The text saved under `name`, or None."""
        core = self._core
        with core.unlocked(touch=False) as keys:
            row = core.db.execute("SELECT body FROM secrets WHERE name = ?", [name]).fetchone()
            if row is None:
                return None
            try:
                return keys.open_bytes(row[0], aad(name, "secret", "", False)).decode()
            except (InvalidTag, TypeError, ValueError):
                core.note_damage("secrets", name, secret_description(name))
                return None

    def set(self, name: str, value: str | None) -> None:
        """Save `value` under `name`; None removes it."""
        core = self._core
        with core.unlocked(touch=False) as keys:
            if value is None:
                core.db.execute("DELETE FROM secrets WHERE name = ?", [name])
                return
            body = keys.seal_bytes(value.encode(), aad(name, "secret", "", False))
            core.db.table("secrets").insert({"name": name, "body": body}, replace=True)
            core.forget_damage("secrets", name)
