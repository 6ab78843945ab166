"""The FastAPI application: `create_app(settings)`."""

from __future__ import annotations

import gc
import logging
import socket
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol import API_PREFIX, MAX_BODY_BYTES, PROTOCOL_VERSION, ErrorCode, error_body

from .errors import AdminError, ProtocolError
from .models import WireRecord
from .routes import ROUTERS
from .settings import Settings
from .store import Caller, CentralStore

log = logging.getLogger("sync.server")

CLOSE = {"Connection": "close"}
STATUS_CODES = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.TOKEN_INVALID,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.BODY_TOO_LARGE,
}


def create_app(settings: Settings, *, store: CentralStore | None = None) -> FastAPI:
    """The central store's app; opens (and migrates) the database unless given a store."""
    app = FastAPI(
        title="IPS Field Log central store",
        version=f"protocol {PROTOCOL_VERSION}",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    app.state.store = store or CentralStore.open(settings.database_url)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.add_middleware(BodyLimits, size=MAX_BODY_BYTES, timeout=settings.body_timeout)
    app.add_exception_handler(ProtocolError, _protocol_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def serving_app(settings: Settings) -> FastAPI:
    """The app as a server process runs it, with the garbage collector set
    for bursts: what starting made (modules, routes, schemas) is frozen out of
    its scans, and it runs after 50,000 allocations instead of 700. A burst of
    1,000 pushes keeps several hundred thousand objects alive at once, and
    collecting them over and over took 1.2 s of its 4; refcounting frees what
    a request made either way."""
    app = create_app(settings)
    gc.freeze()
    gc.set_threshold(50_000, *gc.get_threshold()[1:])
    return app


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port for uvicorn to serve on; port 0 picks a free
    one, which `getsockname()` then tells."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise AdminError(f"Cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def _error(
    status: int,
    code: ErrorCode,
    message: str | None = None,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": error_body(code, message, field=field)}
    return JSONResponse(body, status_code=status, headers=headers)


# Answers that refuse a caller: each leaves a row in the audit log.
AUDITED_STATUSES = frozenset({401, 403, 410})


def _audit_refusal(
    request: Request,
    status: int,
    code: str,
    *,
    user_id: str | None = None,
    device_id: str | None = None,
) -> None:
    """Who was refused: the caller once known, else whom the error names."""
    if status not in AUDITED_STATUSES:
        return
    caller: Caller | None = getattr(request.state, "caller", None)
    store: CentralStore = request.app.state.store
    store.core.audit_refusal(
        status,
        code,
        f"{request.method} {request.url.path}",
        user_id=caller.user_id if caller else user_id,
        device_id=caller.device_id if caller else device_id,
    )


# The handlers that may write to the audit log are plain functions, which
# Starlette runs in a worker thread instead of blocking the event loop.
def _protocol_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProtocolError)
    _audit_refusal(request, exc.status, exc.code, user_id=exc.user_id, device_id=exc.device_id)
    return JSONResponse({"error": exc.body()}, status_code=exc.status, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    if first.get("type") == "json_invalid":
        return _error(400, ErrorCode.MALFORMED_JSON)
    where = [str(part) for part in first.get("loc", ()) if part not in ("body", "query")]
    field = ".".join(where) or "body"
    message = f"{field}: {first.get('msg', 'is not valid')}."
    return _error(422, ErrorCode.INVALID, message, field=field)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
        # FastAPI's answer to a body json.loads refused for a reason other than
        # syntax: not UTF-8, an integer over 4300 digits, nesting too deep.
        return _error(400, ErrorCode.MALFORMED_JSON)
    code = STATUS_CODES.get(exc.status_code)
    if code is None:
        code = ErrorCode.INTERNAL_ERROR if exc.status_code >= 500 else ErrorCode.BAD_REQUEST
    _audit_refusal(request, exc.status_code, code)
    response = _error(exc.status_code, code)
    response.headers.update(exc.headers or {})
    return response


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error(500, ErrorCode.INTERNAL_ERROR)


class BodyLimits:
    """Reads the whole request body first: 413 for a body over `size` bytes,
    declared or streamed; 408 when its next part takes more than `timeout`
    seconds to arrive (a client that declared a longer body than it sends would
    otherwise hold the request open for ever), closing the connection, whose
    rest can no longer be told apart from a next request."""

    def __init__(self, app: ASGIApp, size: int, timeout: float) -> None:
        self.app = app
        self.size = size
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.size:
            await _error(413, ErrorCode.BODY_TOO_LARGE)(scope, receive, send)
            return
        parts: list[bytes] = []
        received = 0
        while True:
            try:
                with anyio.fail_after(self.timeout):
                    message = await receive()
            except TimeoutError:
                await _error(408, ErrorCode.REQUEST_TIMEOUT, headers=CLOSE)(scope, receive, send)
                return
            if message["type"] != "http.request":  # the client went away
                return
            parts.append(message.get("body", b""))
            received += len(parts[-1])
            if received > self.size:
                await _error(413, ErrorCode.BODY_TOO_LARGE)(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        # A body in one part (most are) goes on as it came, not copied, and
        # this frame lets go of it once read: a burst of pushes waiting for
        # their group commit holds one copy of each body, not two.
        body: bytes | None = b"".join(parts)
        del parts

        async def replay() -> Message:
            nonlocal body
            if body is None:
                return await receive()
            message: Message = {"type": "http.request", "body": body, "more_body": False}
            body = None
            return message

        await self.app(scope, replay, send)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema plus the generated record models a push's changes refer to."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        record = TypeAdapter(WireRecord).json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(record.pop("$defs", {}))
        components["WireRecord"] = record
        app.openapi_schema = schema
    return app.openapi_schema
