"""Dependencies the routes inject: the part of the store each uses, and the
authenticated caller. Every part comes from the one CentralStore on app.state."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync.protocol import API_PREFIX, ErrorCode

from .errors import ProtocolError
from .store import (
    BillingStore,
    Caller,
    CentralStore,
    DeviceStore,
    DueStore,
    FidelityStore,
    PayerStore,
    RecordStore,
    TeamStore,
)

# What FastAPI is told a JSON answer is, where a route returns one of the
# protocol's TypedDicts (which mypy checks): pydantic builds no model of a
# typing.TypedDict before Python 3.12, and checking the answer against one
# would send a whole number in a float field as 6.0. The answer goes as returned.
JSON_OBJECT = dict[str, Any]

_bearer = HTTPBearer(auto_error=False, description="The device token from enrollment.")


async def get_store(request: Request) -> CentralStore:
    store: CentralStore = request.app.state.store
    return store


StoreDep = Annotated[CentralStore, Depends(get_store)]


# The part each route uses (async, for the reason get_token gives).
async def get_devices(store: StoreDep) -> DeviceStore:
    return store.devices


async def get_records(store: StoreDep) -> RecordStore:
    return store.records


async def get_due(store: StoreDep) -> DueStore:
    return store.due


async def get_team(store: StoreDep) -> TeamStore:
    return store.team


async def get_fidelity(store: StoreDep) -> FidelityStore:
    return store.fidelity


async def get_payers(store: StoreDep) -> PayerStore:
    return store.payers


async def get_billing(store: StoreDep) -> BillingStore:
    return store.billing


DevicesDep = Annotated[DeviceStore, Depends(get_devices)]
RecordsDep = Annotated[RecordStore, Depends(get_records)]
DueDep = Annotated[DueStore, Depends(get_due)]
TeamDep = Annotated[TeamStore, Depends(get_team)]
FidelityDep = Annotated[FidelityStore, Depends(get_fidelity)]
PayersDep = Annotated[PayerStore, Depends(get_payers)]
BillingDep = Annotated[BillingStore, Depends(get_billing)]


# Async: a plain function dependency would cost a trip to a worker thread.
async def get_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The bearer token as sent, not yet checked (a push has it checked with its group)."""
    if credentials is None or not credentials.credentials.strip():
        raise ProtocolError(ErrorCode.TOKEN_INVALID)
    return credentials.credentials.strip()


TokenDep = Annotated[str, Depends(get_token)]


def get_caller(request: Request, devices: DevicesDep, token: TokenDep) -> Caller:
    caller = devices.authenticate(token)
    request.state.caller = caller  # for the audit of a refusal further on
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def client_address(request: Request) -> str:
    """The client's address (behind a proxy on this host, the one it forwards)."""
    return request.client.host if request.client else "unknown"


def route(path: str) -> str:
    """A protocol path relative to the /v1 prefix the routers are mounted under."""
    return path.removeprefix(API_PREFIX)
