"""Devices: enrollment with a code, and the caller behind a token."""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from sync.protocol import (
    ENROLLMENT_FAILURE_WINDOW,
    ENROLLMENT_FAILURES_ALLOWED,
    EnrollResponse,
    ErrorCode,
    UserInfo,
)

from ..db import (
    devices,
    enrollment_codes,
    enrollment_failures,
    in_json_texts,
    iso,
    teams,
    users,
    utc_now,
)
from ..errors import ProtocolError
from .core import Caller, StoreCore, Team, hash_secret, team_of

_CALLERS = (
    sa.select(
        devices.c.token_hash,
        devices.c.id.label("device_id"),
        devices.c.revoked,
        users.c.id.label("user_id"),
        users.c.name.label("user_name"),
        users.c.role,
        teams,
    )
    .join(users, users.c.id == devices.c.user_id)
    .join(teams, teams.c.id == users.c.team_id)
)
_CALLER_BY_TOKEN = _CALLERS.where(devices.c.token_hash == sa.bindparam("token_hash"))
_CALLERS_BY_TOKENS = _CALLERS.where(in_json_texts(devices.c.token_hash, "token_hashes"))


OTHER_USERS_CODE = (
    "This phone holds another person's records, and this code is for someone else, "
    "so it was not used. Ask your administrator for a code for the person whose "
    "records are on this phone."
)
REVOKED_DEVICE = (
    "This device was disconnected by an administrator, so it cannot be connected "
    "again. Start afresh on the phone (erase the app's data), then enroll with your code."
)


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


class DeviceStore:
    """Devices: enrollment, and the caller behind a token."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def enroll(
        self,
        code: str,
        device_id: str,
        device_name: str,
        *,
        client: str,
        holder: tuple[str | None, str | None] = (None, None),
        now: datetime | None = None,
    ) -> EnrollResponse:
        """Spend an enrollment code on a device: the device's token, its user and team.

        A device id belongs to the user who first enrolled it: that user may
        enroll it again (a new token), nobody else may take it over, and a
        revoked device stays revoked. A refusal changes nothing but the audit
        log, which records it with the client's address, and the client's
        count of failures: too many, and it may not try for a while. A device
        that says whose records it holds (`holder`: their id and name) takes no
        other user's code.
        """
        now = now or utc_now()
        token = secrets.token_urlsafe(32)  # 256 bits
        with self.core.writing() as (conn, _):
            code_row = conn.execute(
                sa.select(enrollment_codes).where(
                    enrollment_codes.c.code_hash == hash_secret(_normalise_code(code))
                )
            ).first()
            device = conn.execute(sa.select(devices).where(devices.c.id == device_id)).first()
            refusal = _too_many_failures(conn, client, now) or _refusal(
                code_row, device, _for_another(conn, code_row, holder), now
            )
            if refusal is None:
                assert code_row is not None
                user, team = self._spend(conn, code_row, device_id, device_name, device, token, now)
            else:
                if refusal.code != ErrorCode.TOO_MANY_ATTEMPTS:  # held off is not a failure
                    _count_failure(conn, client, now)
                self.core.audit(
                    conn,
                    "enroll_refused",
                    user_id=code_row.user_id if code_row else None,
                    device_id=device_id,
                    detail=f"{refusal.code} from {client}",
                )
        if refusal is not None:
            raise refusal
        return {"token": token, "user": user, "team": team.info()}

    def _spend(
        self,
        conn: Connection,
        code_row: Row[Any],
        device_id: str,
        device_name: str,
        device: Row[Any] | None,  # the device's row if it was enrolled before
        token: str,
        now: datetime,
    ) -> tuple[UserInfo, Team]:
        """Use the code on the device (new, or its own user's): returns user info and team."""
        user = conn.execute(sa.select(users).where(users.c.id == code_row.user_id)).one()
        team = team_of(conn.execute(sa.select(teams).where(teams.c.id == user.team_id)).one())
        conn.execute(
            enrollment_codes.update()
            .where(enrollment_codes.c.code_hash == code_row.code_hash)
            .values(used_at=iso(now), device_id=device_id)
        )
        fresh = {"name": device_name, "token_hash": hash_secret(token)}
        if device is None:
            conn.execute(
                devices.insert().values(
                    id=device_id,
                    user_id=user.id,
                    revoked=False,
                    enrolled_at=iso(now),
                    pending=0,
                    **fresh,
                )
            )
        else:  # its own user again: the old token stops working
            conn.execute(
                devices.update()
                .where(devices.c.id == device_id)
                .values(enrolled_at=iso(now), **fresh)
            )
        self.core.audit(conn, "enroll", user_id=user.id, device_id=device_id, detail=device_name)
        return {"id": user.id, "name": user.name, "role": user.role}, team

    def name_of(self, device_id: str) -> str:
        with self.core.engine.connect() as conn:
            name = conn.execute(sa.select(devices.c.name).where(devices.c.id == device_id))
            return str(name.scalar_one())

    def authenticate(self, token: str) -> Caller:
        with self.core.engine.connect() as conn:
            row = conn.execute(_CALLER_BY_TOKEN, {"token_hash": hash_secret(token)}).first()
        return caller_of(row)


def callers_by_token(conn: Connection, token_hashes: Iterable[str]) -> dict[str, Row[Any]]:
    """The rows `caller_of` takes, by token hash, for many tokens in one query."""
    hashes = {"token_hashes": json.dumps(list(token_hashes))}
    return {row.token_hash: row for row in conn.execute(_CALLERS_BY_TOKENS, hashes)}


def caller_of(row: Row[Any] | None) -> Caller:
    """The caller behind a token's row; raises ProtocolError for a token refused."""
    if row is None:
        raise ProtocolError(ErrorCode.TOKEN_INVALID)
    if row.revoked:
        raise ProtocolError(ErrorCode.DEVICE_REVOKED, user_id=row.user_id, device_id=row.device_id)
    return Caller(row.user_id, row.user_name, row.role, team_of(row), row.device_id)


def _for_another(
    conn: Connection, code: Row[Any] | None, holder: tuple[str | None, str | None]
) -> bool:
    """Whether the code is another person's than the one whose records the
    device holds: by id, or by name for a user this store does not know (a
    restore lost them, and the administrator made them again)."""
    holder_id, holder_name = holder
    if code is None or holder_id is None:
        return False
    known = conn.execute(sa.select(users.c.id).where(users.c.id == holder_id)).first()
    if known is not None:
        return holder_id != code.user_id
    name = conn.execute(sa.select(users.c.name).where(users.c.id == code.user_id)).scalar()
    return holder_name is not None and name != holder_name


def _refusal(
    code: Row[Any] | None, device: Row[Any] | None, for_another: bool, now: datetime
) -> ProtocolError | None:
    """Why this code cannot enroll this device, or None when it can."""
    if code is None or code.used_at is not None or code.expires_at <= iso(now):
        return ProtocolError(ErrorCode.ENROLLMENT_CODE_INVALID)
    if for_another:
        return ProtocolError(ErrorCode.DEVICE_ID_TAKEN, OTHER_USERS_CODE)
    if device is not None and device.revoked:
        return ProtocolError(ErrorCode.DEVICE_ID_TAKEN, REVOKED_DEVICE)
    if device is not None and device.user_id != code.user_id:
        return ProtocolError(ErrorCode.DEVICE_ID_TAKEN)
    return None


def _too_many_failures(conn: Connection, client: str, now: datetime) -> ProtocolError | None:
    """429 while the client has ENROLLMENT_FAILURES_ALLOWED failures in the
    window, with the seconds until the oldest that counts leaves it."""
    failures = (
        conn.execute(
            sa.select(enrollment_failures.c.at)
            .where(
                enrollment_failures.c.client == client,
                enrollment_failures.c.at > iso(now - ENROLLMENT_FAILURE_WINDOW),
            )
            .order_by(enrollment_failures.c.at)
        )
        .scalars()
        .all()
    )
    if len(failures) < ENROLLMENT_FAILURES_ALLOWED:
        return None
    oldest_counted = datetime.fromisoformat(failures[-ENROLLMENT_FAILURES_ALLOWED])
    wait = (oldest_counted + ENROLLMENT_FAILURE_WINDOW - now).total_seconds()
    return ProtocolError(
        ErrorCode.TOO_MANY_ATTEMPTS, headers={"Retry-After": str(max(1, math.ceil(wait)))}
    )


def _count_failure(conn: Connection, client: str, now: datetime) -> None:
    conn.execute(
        enrollment_failures.delete().where(
            enrollment_failures.c.at <= iso(now - ENROLLMENT_FAILURE_WINDOW)
        )
    )
    conn.execute(enrollment_failures.insert().values(client=client, at=iso(now)))
