"""Payers on the central store: the list every device takes at sync
(`GET /v1/payers`), and what an admin adds or changes (`add-payer`,
`set-payer`). The rules that read them are the domain's (app.domain.payers)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.domain import ValidationError
from app.domain.payers import Payer

from ..db import payers
from ..errors import AdminError
from .core import StoreCore


class PayerStore:
    """The payers, by id."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def listed(self, conn: Connection | None = None) -> dict[str, Payer]:
        """Every payer, by id, in order of id (with `conn`, within its transaction)."""
        if conn is None:
            with self.core.engine.connect() as own:
                return self.listed(own)
        rows = conn.execute(sa.select(payers).order_by(payers.c.id)).mappings()
        return {row["id"]: Payer(**row) for row in rows}

    def add(self, payer: dict[str, Any]) -> Payer:
        """A new payer; AdminError when its id is taken or a field is wrong."""
        added = _checked(payer)
        with self.core.writing() as (conn, _):
            if conn.execute(sa.select(payers.c.id).where(payers.c.id == added.id)).first():
                raise AdminError(f"A payer {added.id!r} exists already; change it with set-payer.")
            conn.execute(payers.insert().values(**added.to_wire()))
            self.core.audit(conn, "add_payer", detail=_described(added))
        return added

    def change(self, payer_id: str, **fields: Any) -> Payer:
        """The payer with the fields given changed; AdminError for an unknown id
        or a wrong field."""
        if not fields:
            raise AdminError("Give at least one field to change; `payers` lists them.")
        with self.core.writing() as (conn, _):
            old = self.listed(conn).get(payer_id)
            if old is None:
                raise AdminError(f"There is no payer {payer_id!r}; `payers` lists them.")
            try:
                new = replace(old, **fields)
            except ValidationError as error:
                raise AdminError(f"--{error.field.replace('_', '-')}: {error.problem}") from None
            conn.execute(payers.update().where(payers.c.id == payer_id).values(**new.to_wire()))
            self.core.audit(conn, "set_payer", detail=_described(new))
        return new


def _checked(fields: dict[str, Any]) -> Payer:
    try:
        return Payer.from_wire(fields)
    except ValidationError as error:
        raise AdminError(f"--{error.field.replace('_', '-')}: {error.problem}") from None


def _described(payer: Payer) -> str:
    return ", ".join(f"{k}={v}" for k, v in payer.to_wire().items() if v is not None)
