"""The central store: teams, users, devices and records, over SQLAlchemy Core.

`CentralStore` holds the parts the HTTP routes and the command line call, each
on the one `StoreCore` (the engine, the write transaction, the audit log) and
given the parts it reads: `admin`, `devices`, `records` (push and pull),
`payers` (each health plan's billing rule), `due` (the timed rules, given the
payers), `team` (tallies, weeks, reviews; counts due items with
`due`), `fidelity` (reads when specialists started from `team`) and
`billing` (the monthly worksheet, given the payers). Each
part's calls live in their own module of `storage/`; they speak in domain
terms and raise ProtocolError (for devices) or AdminError (for the command
line). Every rule about records comes from `app.domain`.
"""

from __future__ import annotations

from .storage.admin import ROLES, AdminStore
from .storage.billing import BillingStore, Worksheet
from .storage.core import Caller, StoreCore, Team, hash_secret
from .storage.devices import DeviceStore
from .storage.due import DueStore
from .storage.fidelity import FidelityStore, TeamFidelity
from .storage.payers import PayerStore
from .storage.records import RecordStore
from .storage.team import SpecialistWeek, TeamStore

__all__ = [
    "ROLES",
    "AdminStore",
    "BillingStore",
    "Caller",
    "CentralStore",
    "DeviceStore",
    "DueStore",
    "FidelityStore",
    "PayerStore",
    "RecordStore",
    "SpecialistWeek",
    "StoreCore",
    "Team",
    "TeamFidelity",
    "TeamStore",
    "Worksheet",
    "hash_secret",
]


class CentralStore:
    """The parts of the central store, on one core."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core
        self.admin = AdminStore(core)
        self.devices = DeviceStore(core)
        self.records = RecordStore(core)
        self.payers = PayerStore(core)
        self.due = DueStore(core, self.payers)
        self.team = TeamStore(core, self.due)
        self.fidelity = FidelityStore(core, self.team)
        self.billing = BillingStore(core, self.payers)
        # What tests and benchmarks call to set up teams, people and devices
        # on a store of their own (tests/server_harness.py hands them one).
        self.engine = core.engine
        self.writing = core.writing
        self.add_team = self.admin.add_team
        self.add_user = self.admin.add_user
        self.user_id_named = self.admin.user_id_named
        self.make_enrollment_code = self.admin.make_enrollment_code
        self.revoke_device = self.admin.revoke_device

    @classmethod
    def open(cls, database_url: str) -> CentralStore:
        """Connect and bring the schema up to date."""
        return cls(StoreCore.open(database_url))

    def close(self) -> None:
        """Commit the pushes queued, then close."""
        self.records.close()
        self.core.close()
