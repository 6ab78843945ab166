"""The central store's errors (the device's are `sync.errors`).

    CentralStoreError
    ├── ProtocolError   a PROTOCOL.md error: an ErrorCode, a message, maybe a field;
    │                   the HTTP layer turns it into {"error": {...}} with its status
    └── AdminError      a command-line mistake (unknown team, duplicate name ...)
"""

from __future__ import annotations

from sync.protocol import ERROR_MESSAGES, ErrorBody, ErrorCode, error_body

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.ENROLLMENT_CODE_INVALID: 400,
    ErrorCode.TOO_MANY_CHANGES: 400,
    ErrorCode.MALFORMED_JSON: 400,
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.TOKEN_INVALID: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.REQUEST_TIMEOUT: 408,
    ErrorCode.DEVICE_ID_TAKEN: 409,
    ErrorCode.DEVICE_REVOKED: 410,
    ErrorCode.BODY_TOO_LARGE: 413,
    ErrorCode.INVALID: 422,
    ErrorCode.TOO_MANY_ATTEMPTS: 429,
    ErrorCode.UNKNOWN_KIND: 422,
    ErrorCode.CLOCK_AHEAD: 422,
    ErrorCode.INTERNAL_ERROR: 500,
}


class CentralStoreError(Exception):
    """Base of the central store's errors."""


class ProtocolError(CentralStoreError):
    def __init__(
        self,
        code: ErrorCode,
        message: str | None = None,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,  # HTTP headers of the answer, like Retry-After
        user_id: str | None = None,  # whom it refuses, for the audit log, when
        device_id: str | None = None,  # known before a caller is (a revoked device)
    ):
        self.code = code
        self.field = field
        self.headers = headers
        self.user_id = user_id
        self.device_id = device_id
        self.message = message or ERROR_MESSAGES[code]
        super().__init__(self.message)

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.code]

    def body(self) -> ErrorBody:
        return error_body(self.code, self.message, field=self.field)


class AdminError(CentralStoreError):
    """A mistake on the command line, with a message saying how to fix it."""
