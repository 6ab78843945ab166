"""One session of the app: the PIN gate, the idle lock, sync, and which screen
each route is. The screens themselves get only what they use.

Routes are in-app names (`home`, `employer_contact/<id>`), not URLs: screens
change without a round trip to the client, and a reload always starts at the
PIN screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flet as ft

from app.domain import FieldLogError, Record
from app.store import Store, StoreError, StoreLockedError, StoreState
from sync.client import SyncClient, SyncStatus
from sync.errors import SyncError
from sync.team import TeamClient

from .forms import FORMS
from .navigator import HOME, Navigator, Screen, Tab
from .pin_gate import Gate
from .syncing import SYNC_INTERVAL, ClientFactory, SyncLink, SyncSummary, default_client
from .text import auto_lock_label
from .views.billing import billing_screen
from .views.common import TABS, TEAM, TEAM_TAB
from .views.fidelity import fidelity_item_screen, fidelity_screen
from .views.form import describe_saved, record_form_screen
from .views.home import home_screen
from .views.lists import employers_screen, history_screen, merge_screen
from .views.lock import damaged_screen, erased_screen, setup_screen, unlock_screen
from .views.members import close_member_screen, member_screen, members_screen
from .views.settings import connect_screen, settings_screen
from .views.sync import sync_screen
from .views.team import team_due_screen, team_screen, team_week_screen

log = logging.getLogger("app.ui")
# Shipped in assets/fonts: the built-in font has Latin and Cyrillic only, and the
# offline web build cannot fetch Flutter's fallback fonts, so symbols (check
# marks, arrows, Greek) and emoji typed into notes would show as boxes.
FONTS = {"DejaVu Sans": "fonts/DejaVuSans.ttf", "Noto Color Emoji": "fonts/NotoColorEmoji.ttf"}
TEXT_STYLES = ("display_large", "display_medium", "display_small", "headline_large",
               "headline_medium", "headline_small", "title_large", "title_medium",
               "title_small", "label_large", "label_medium", "label_small", "body_large",
               "body_medium", "body_small")
IDLE_CHECK_SECONDS = 5
LOCKED_NOTICE = "The app locked itself to protect the data. Enter your PIN to go on."


def _with_fallback() -> ft.TextTheme:
    """Every text style of the theme falls back on the shipped fonts."""
    def style() -> ft.TextStyle:
        return ft.TextStyle(font_family="Roboto", font_family_fallback=list(FONTS))

    return ft.TextTheme(**{name: style() for name in TEXT_STYLES})


class FieldLogApp:
    """One session of the app: one specialist on one screen."""

    def __init__(
        self,
        page: ft.Page,
        data_dir: Path,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        watch_idle: bool = True,
        sync_client: ClientFactory = default_client,
        sync_interval: float = SYNC_INTERVAL,
    ) -> None:
        self.page = page
        self._wall_now = now
        self.gate = Gate(data_dir, monotonic=monotonic,
                         wall_ms=lambda: int(now().timestamp() * 1000))
        self._notice: str | None = None
        self._starting_over = False  # after an erase, "Create a new PIN" was tapped
        self._damage: str | None = None  # why the store could not be opened
        self._watch_idle = watch_idle
        self.sync = SyncLink(self._status_changed, make_client=sync_client,
                             interval=sync_interval)
        self.nav = Navigator(page, build=self._build, tabs=self._tabs,
                             before_event=self._count_use, on_error=self._handled)

    # ----- what the screens are given ---------------------------------------------------

    def now(self) -> datetime:
        """The time the app goes by: the store's clock (corrected by the server's)
        once it is open."""
        store = self.gate.store
        return store.now() if store is not None and not store.locked else self._wall_now()

    @property
    def store(self) -> Store:
        if self.gate.store is None:
            raise StoreLockedError("The app is locked: enter your PIN.")
        return self.gate.store

    @property
    def sync_client(self) -> SyncClient:
        return self.sync.attach(self.store)

    @property
    def account(self) -> dict[str, Any] | None:
        """The enrolled user and team, or None before Connect to server."""
        client = self.sync_client
        return client.account if client.enrolled else None

    @property
    def route(self) -> str:
        """The route on screen (a PIN screen when locked)."""
        return self.nav.shown

    def _tabs(self) -> tuple[Tab, ...]:
        """The tab bar: Team only for a supervisor."""
        if self._is_supervisor:
            return (*TABS[:-1], TEAM_TAB, TABS[-1])
        return TABS

    def sync_summary(self) -> SyncSummary:
        client = self.sync_client
        status = client.status if client.enrolled else None
        return SyncSummary.of(status, self.store.outbox.pending_by_kind(), self.now())

    # ----- routes -----------------------------------------------------------------------

    def _build(self, route: str) -> Screen:
        if self._locked:
            return self._gate_screen()
        name, _, arg = route.partition("/")
        nav, store = self.nav, self.store
        if name in FORMS:
            return record_form_screen(nav, store, self.now, name, arg,
                                      saved=self._saved, delete=self._delete_with_undo)
        match name:
            case "home":
                return home_screen(nav, store, self.now, self.sync_summary)
            case "history":
                return history_screen(nav, store, self._delete_with_undo)
            case "members":
                return members_screen(nav, store)
            case "member_page":
                return member_screen(nav, store, arg)
            case "close_member":
                return close_member_screen(nav, store, arg)
            case "employers":
                return employers_screen(nav, store, self.now)
            case "merge_employer":
                return merge_screen(nav, store, arg)
            case "settings":
                client = self.sync_client
                return settings_screen(nav, store, self.account, client.server_url, self.lock)
            case "sync":
                return sync_screen(nav, store, self.account is not None, self.sync_summary,
                                   self.sync_now)
            case "connect":
                return connect_screen(nav, self.sync_client.enroll, self._connected)
            case "team":
                if not self._is_supervisor:
                    raise LookupError("The Team screen is for supervisors.")
                return team_screen(nav, TeamClient(self.sync_client), self.now, store.today)
            case "billing":
                if not self._is_supervisor:
                    raise LookupError("The Billing screen is for supervisors.")
                return billing_screen(nav, TeamClient(self.sync_client), store.payers,
                                      self._member_here, self.now, store.today, arg)
            case "fidelity":
                return fidelity_screen(nav, TeamClient(self.sync_client), store.today, arg)
            case "fidelity_item":
                return fidelity_item_screen(nav, TeamClient(self.sync_client), arg)
            case "team_due":
                return team_due_screen(nav, TeamClient(self.sync_client), store.today, arg)
            case "team_week":
                return team_week_screen(nav, TeamClient(self.sync_client), store.settings,
                                        store.today, arg)
        raise LookupError(f"There is no screen {name!r}.")

    def _member_here(self, member_id: str) -> bool:
        """Whether a member the server named is on this phone (a supervisor's
        phone holds only the supervisor's own caseload)."""
        try:
            record = self.store.get(member_id)
        except FieldLogError:  # not an id this phone could hold
            return False
        return record is not None and record.kind == "member"

    @property
    def _locked(self) -> bool:
        return self.gate.store is None or self.gate.store.locked

    def _gate_screen(self) -> Screen:
        nav, gate = self.nav, self.gate
        state = gate.state
        if self._starting_over or state is StoreState.NEW:
            return setup_screen(nav, gate, self._opened)
        if state is StoreState.ERASED:
            return erased_screen(nav, gate, self._start_over)
        if state is StoreState.DAMAGED or self._damage:
            return damaged_screen(nav, self._damage, self._start_over)
        return unlock_screen(nav, gate, self._take_notice(), self._opened, self._closed_out)

    def start(self) -> None:
        page = self.page
        page.title = "IPS Field Log"
        page.theme_mode = ft.ThemeMode.LIGHT
        page.fonts = dict(FONTS)
        page.theme = ft.Theme(color_scheme_seed=ft.Colors.TEAL, text_theme=_with_fallback(),
                              primary_text_theme=_with_fallback())
        # A closed tab must not leave the key in memory, and a reload (which
        # reconnects to this same session) must ask for the PIN again.
        page.on_disconnect = lambda _e: self._forget_key()
        page.on_connect = lambda _e: self._reconnected()
        page.on_close = lambda _e: self.close()
        self.nav.show()
        if self._watch_idle:
            page.run_task(self._idle_watch)

    # ----- the gate ---------------------------------------------------------------------

    def _opened(self) -> None:
        """After the PIN: start syncing and show the screen the specialist was on."""
        if self._starting_over:
            self._starting_over = False
            self.nav.stack = [HOME]
        self.sync.attach(self.store)
        self.sync.start()
        if self.nav.stack == [HOME] and self._is_supervisor:
            self.nav.switch_tab(TEAM)  # a supervisor's day starts with the team
        else:
            self.nav.show()

    @property
    def _is_supervisor(self) -> bool:
        account = self.account
        return bool(account and account["user"]["role"] == "supervisor")

    def _closed_out(self, damage: str | None = None) -> None:
        """The store was erased (the last wrong PIN) or found damaged at unlock."""
        self.gate.store = None
        self._damage = damage
        self.nav.reset()

    def _start_over(self) -> None:
        """A new PIN after an erase or damage: what cannot be used goes first."""
        self.gate.start_fresh()
        self._damage = None
        self._starting_over = True
        self.nav.show()

    def _take_notice(self) -> str | None:
        notice, self._notice = self._notice, None
        return notice

    # ----- what the screens share ---------------------------------------------------------

    def _count_use(self) -> None:
        """Every event counts as use for the idle lock (it raises StoreLockedError
        when the store locked itself meanwhile)."""
        if self.gate.store is not None and not self.gate.store.locked:
            self.gate.store.touch()

    def _handled(self, error: Exception) -> bool:
        """The failures a screen can explain; anything else gets the navigator's notice."""
        if isinstance(error, StoreLockedError):
            self._notice = LOCKED_NOTICE
            self.nav.show()
            return True
        if isinstance(error, FieldLogError | SyncError | StoreError):
            self.nav.notify(str(error))
            return True
        return False

    def _saved(self, record: Record) -> None:
        self.nav.leave()
        store = self.store
        when = record.occurred_at
        tally = store.week_tally(datetime.fromisoformat(when) if when else self.now())
        this_week = store.settings.week_of(store.settings.local_date(self.now()))
        self.nav.notify(describe_saved(record, tally, this_week))

    def _delete_with_undo(self, record: Record) -> None:
        self.store.delete(record.id)
        if self.nav.top.startswith(f"{record.kind}/"):
            self.nav.leave()
        else:
            self.nav.show()

        def undo(_e: Any) -> None:
            self.store.put(record.kind, dict(record.data), id=record.id)
            self.nav.show()

        self.nav.notify("Deleted.", undo=undo)

    # ----- sync -------------------------------------------------------------------------

    def sync_now(self) -> None:
        self.sync.start()

    def _connected(self) -> None:
        """After Connect to server: sync at once and say who this is."""
        account = self.account
        assert account is not None
        self.sync.start()
        if self._is_supervisor:
            self.nav.switch_tab(TEAM)
        else:
            self.nav.leave()
        user, team = account["user"], account["team"]
        self.nav.notify(f"Connected as {user['name']} ({user['role']}), team {team['name']}. "
                        "Syncing now.")

    def _status_changed(self, _status: SyncStatus) -> None:
        """From the sync thread (or this one): redraw on the UI's own loop.

        A plain callback, not a coroutine: one scheduled while the session
        closes would be left never awaited."""
        loop = self.page.session.connection.loop
        with contextlib.suppress(RuntimeError):  # the session is gone: nothing to show
            loop.call_soon_threadsafe(self._show_sync)

    def _show_sync(self) -> None:
        try:
            if self.gate.store is not None and Store.was_erased(self.gate.data_dir):
                # An administrator revoked this device: the client erased the store.
                self.sync.close()
                self.gate.store = None
                self.nav.reset()
            elif not self._locked:
                self.nav.refresh_in_place()
        except Exception as error:  # noqa: BLE001 — a redraw must never end the session
            if not self._handled(error):
                log.exception("Redrawing after a sync change failed", exc_info=error)

    # ----- locking ------------------------------------------------------------------

    def _forget_key(self) -> None:
        self.sync.stop()
        if self.gate.store is not None:
            self.gate.store.lock()

    def _reconnected(self) -> None:
        if self.gate.store is not None:
            self.lock()

    def close(self) -> None:
        self.sync.close()
        self.gate.close()

    def lock(self, reason: str | None = None) -> None:
        self._forget_key()
        self._notice = reason
        self.nav.show()

    def check_idle(self) -> None:
        """Lock when the store has not been used for the auto-lock delay."""
        store = self.gate.store
        if store is None or store.locked or store.idle_seconds() <= store.auto_lock_seconds:
            return
        minutes = auto_lock_label(store.auto_lock_seconds)
        self.lock(f"Locked after {minutes} without use, to protect the data. "
                  "Enter your PIN to go on.")

    async def _idle_watch(self) -> None:
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS)
            self.check_idle()
