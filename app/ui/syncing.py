"""The app's side of sync, as plain Python (no flet): one SyncClient per open
store, a SyncScheduler while the app is unlocked, and what the screens say
about it.

Status changes arrive on the sync thread; `on_status` must hand them to the
UI thread itself (the shell uses `page.run_task`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.store import Store
from sync.client import PROBE_INTERVAL, PUSH_DELAY, SyncClient, SyncScheduler, SyncStatus

from . import text

SYNC_INTERVAL = 180.0  # seconds between syncs while records wait
OFFLINE = "Offline — will sync when connected"

ClientFactory = Callable[[Store], SyncClient]


def default_client(store: Store) -> SyncClient:
    return SyncClient(store=store)


class SyncLink:
    """Keeps sync running while the app is unlocked and enrolled: a saved change
    goes out within `push_delay` seconds (the store announces each write), and
    the server is probed every `probe_interval` seconds (None: never) so the
    status shows offline, and back, within seconds."""

    def __init__(self, on_status: Callable[[SyncStatus], None], *,
                 make_client: ClientFactory = default_client,
                 interval: float = SYNC_INTERVAL, push_delay: float = PUSH_DELAY,
                 probe_interval: float | None = PROBE_INTERVAL) -> None:
        self._on_status = on_status
        self._make_client = make_client
        self._interval = interval
        self._push_delay = push_delay
        self._probe_interval = probe_interval
        self.client: SyncClient | None = None
        self._scheduler: SyncScheduler | None = None
        self._stop_listening: Callable[[], None] | None = None

    def attach(self, store: Store) -> SyncClient:
        """The client of `store` (made on first use of a newly opened store)."""
        if self.client is None or self.client.store is not store:
            self.close()
            self.client = self._make_client(store)
            self.client.add_listener(self._on_status)
            self._stop_listening = store.on_write(self._changed)
        return self.client

    def start(self) -> None:
        """Run the scheduler (if enrolled) and sync now."""
        client = self.client
        if client is None or not client.enrolled:
            return
        if self._scheduler is None:
            self._scheduler = SyncScheduler(
                client, interval=self._interval, push_delay=self._push_delay,
                probe_interval=self._probe_interval).start()
        self._scheduler.request()

    def _changed(self) -> None:
        """After each local save or delete: the counts follow at once, and the
        change is pushed within seconds."""
        if self.client is not None:
            self.client.refresh_counts()
        if self._scheduler is not None:
            self._scheduler.changed()

    def stop(self, *, wait: bool = False) -> None:
        """Stop the scheduler; without `wait` the UI does not wait for a sync
        under way to give up (its thread ends by itself)."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        if wait:
            scheduler.stop()
        else:
            threading.Thread(target=scheduler.stop, name="sync-stop", daemon=True).start()

    def close(self) -> None:
        """Stop syncing (when the app closes, or the store was erased: nothing of
        it may be used again)."""
        self.stop(wait=True)
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None
        self.client = None


# ----- what the screens say -------------------------------------------------------------


@dataclass(frozen=True)
class SyncSummary:
    """What Home's sync line and the Sync screen say: only what is true.

    Never connected: "On this phone only". Offline: said steadily, also while a
    retry is under way (a retry that fails changes nothing a user can act on).
    Waiting: what waits, by kind. Syncing, with progress once records move.
    Synced: "All synced", only from a phone that syncs."""

    waiting: str  # "All synced" / "1 employer contact waiting to sync"
    synced: bool
    detail: str  # one calm line: not connected, offline, syncing, last sync
    running: bool
    progress: float | None  # 0..1 while records move, None otherwise
    progress_text: str  # "Sending 3/10"
    last_sync: str  # "Last successful sync: 5 min ago"
    rejected: int
    problem: str | None  # why the last sync stopped (not for offline: that is normal)
    offline_reason: str | None = None  # why the server cannot be reached, while offline
    enroll_again: bool = False  # the server no longer knows this device: Connect again
    waiting_list: str = ""  # "2 employer contacts, 1 directory entry"; "" when none

    @classmethod
    def of(cls, status: SyncStatus | None, waiting: dict[str, int],
           now: datetime) -> SyncSummary:
        """`status` is None when the device is not connected to a server;
        `waiting` counts the changes waiting to be pushed, by kind."""
        pending = sum(waiting.values())
        listed = text.waiting_list(waiting)
        if status is None:
            return cls("On this phone only", False,
                       "Not connected to a server: connect in Settings to sync", False, None,
                       "", "", 0, None, waiting_list=listed)
        last = status.last_synced_at
        last_line = (f"Last successful sync: {text.ago(last, now)}" if last
                     else "Not synced yet")
        offline = status.online is False
        if offline:
            detail = OFFLINE
        elif status.running:
            detail = "Syncing now"
        elif status.rejected:
            detail = (f"{text.plural(status.rejected, 'record')} refused by the server: "
                      "open Sync to fix")
        elif status.enroll_again:
            detail = "Not syncing: this phone must be connected again"
        elif status.error:
            detail = "The last sync stopped: open Sync to see why"
        else:
            detail = last_line
        phase = {"pushing": "Sending", "pulling": "Receiving"}.get(status.phase, "")
        progress = None
        moving = status.running and not offline and status.total > 0
        if moving:
            progress = min(1.0, status.done / status.total)
        progress_text = f"{phase} {status.done}/{status.total}" if moving else ""
        return cls(
            waiting=text.sync_text(waiting),
            synced=pending == 0,
            detail=detail,
            running=status.running and not offline,
            progress=progress,
            progress_text=progress_text,
            last_sync=last_line,
            rejected=status.rejected,
            problem=None if offline else status.error,
            offline_reason=status.offline_reason if offline else None,
            enroll_again=status.enroll_again,
            waiting_list=listed,
        )
