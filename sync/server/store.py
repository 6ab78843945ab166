"""The central store: teams, users, devices and records, over SQLAlchemy Core.

`CentralStore` is what the HTTP routes and the command line call; it speaks in
domain terms and raises ProtocolError (for devices) or AdminError (for the
command line). Every rule about records comes from `app.domain`. Each
resource's calls live in their own module of `storage/`.
"""

from __future__ import annotations

from .storage.admin import ROLES, AdminStore
from .storage.core import Caller, Team, hash_secret
from .storage.devices import DeviceStore
from .storage.fidelity import FidelityStore, TeamFidelity
from .storage.records import RecordStore
from .storage.team import SpecialistWeek

__all__ = [
    "ROLES",
    "Caller",
    "CentralStore",
    "SpecialistWeek",
    "Team",
    "TeamFidelity",
    "hash_secret",
]


class CentralStore(AdminStore, DeviceStore, RecordStore, FidelityStore):
    """Every call of the central store, on one engine."""
