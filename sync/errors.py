"""The errors of the device's side of sync, one small tree; every message is
plain English and says what to do next (the central store's are
`sync.server.errors`):

    SyncError
    ├── OfflineError          the server could not be reached (the normal case in the field)
    ├── ServerFailedError     the server failed or did not answer per the protocol
    ├── NotEnrolledError      this device is not connected to a server yet
    ├── EnrollmentError       the enrollment code was refused
    ├── TokenInvalidError     the server no longer knows this device: enroll again
    ├── DeviceRevokedError    an administrator revoked the device; local data erased
    └── RequestError          any other refusal, with the server's code and message
"""

from __future__ import annotations

__all__ = [
    "DeviceRevokedError",
    "EnrollmentError",
    "NotEnrolledError",
    "OfflineError",
    "RequestError",
    "ServerFailedError",
    "SyncError",
    "TokenInvalidError",
]


class SyncError(Exception):
    """Base of the sync client's errors; str() is a message for the specialist."""


class OfflineError(SyncError):
    pass


class ServerFailedError(SyncError):
    pass


class NotEnrolledError(SyncError):
    pass


class EnrollmentError(SyncError):
    pass


class TokenInvalidError(SyncError):
    pass


class DeviceRevokedError(SyncError):
    pass


class RequestError(SyncError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)
