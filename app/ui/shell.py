"""The app around the screens: routes, the PIN gate, the idle lock, messages.

Routes are in-app names (`home`, `employer_contact/<id>`), not URLs: screens
change without a round trip to the client, and a reload always starts at
the PIN screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flet as ft

from app.domain import Record
from app.store import Store, StoreError, StoreLockedError
from sync.client import SyncClient, SyncStatus

from .state import Gate, auto_lock_label
from .syncing import SYNC_INTERVAL, ClientFactory, SyncLink, SyncSummary, default_client
from .views.common import TABS, TEAM_TAB, Tab
from .views.form import describe_saved, record_form_view
from .views.home import home_view
from .views.lists import employers_view, history_view, members_view
from .views.lock import erased_view, setup_view, unlock_view
from .views.settings import connect_view, settings_view
from .views.sync import sync_view
from .views.team import team_view, team_week_view

ViewBuilder = Callable[["FieldLogApp", str], ft.View]

GATE_ROUTES: dict[str, ViewBuilder] = {
    "setup": setup_view,
    "lock": unlock_view,
    "erased": erased_view,
}
TAB_VIEWS: dict[str, ViewBuilder] = {
    "home": home_view,
    "history": history_view,
    "members": members_view,
    "employers": employers_view,
    "settings": settings_view,
    "team": team_view,
}
# Screens opened from a tab, on top of it: name -> (builder, the tab underneath).
SUB_SCREENS: dict[str, tuple[ViewBuilder, str]] = {
    "sync": (sync_view, "home"),
    "connect": (connect_view, "settings"),
    "team_week": (team_week_view, "team"),
}
FORM_KINDS = ("employer_contact", "member_visit", "member", "employer")
SHORTCUTS = {"contact": "employer_contact", "visit": "member_visit"}
# Where a finished form goes back to when it was opened from nowhere else.
HOME_OF_KIND = {
    "employer_contact": "home",
    "member_visit": "home",
    "member": "members",
    "employer": "employers",
}
IDLE_CHECK_SECONDS = 5


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
        self.gate = Gate(data_dir, monotonic=monotonic)
        self.now = now
        self.route = ""
        self.back_route = "home"  # the screen under the open form
        self._resume_route = "home"
        self._notice: str | None = None
        self._watch_idle = watch_idle
        self.sync = SyncLink(self._status_changed, make_client=sync_client,
                             interval=sync_interval)
        self._refresh: Callable[[], None] | None = None  # redraws the shown screen in place

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
    def tabs(self) -> tuple[Tab, ...]:
        """The tab bar: Team only for a supervisor."""
        account = self.account
        if account and account["user"]["role"] == "supervisor":
            return (*TABS[:-1], TEAM_TAB, TABS[-1])
        return TABS

    def sync_summary(self) -> SyncSummary:
        client = self.sync_client
        status = client.status if client.enrolled else None
        return SyncSummary.of(status, self.store.pending_count(), self.now())

    def start(self) -> None:
        page = self.page
        page.title = "IPS Field Log"
        page.theme_mode = ft.ThemeMode.LIGHT
        # Screens switch at once: after Save the new tally must show without
        # waiting for a slide animation (and the phone feels quicker).
        instant = ft.PageTransitionTheme.NONE
        page.theme = ft.Theme(
            color_scheme_seed=ft.Colors.TEAL,
            page_transitions=ft.PageTransitionsTheme(
                android=instant, ios=instant, linux=instant, macos=instant, windows=instant
            ),
        )
        page.on_view_pop = lambda _e: self._popped()
        # A closed tab must not leave the key in memory, and a reload (which
        # reconnects to this same session) must ask for the PIN again.
        page.on_disconnect = lambda _e: self._forget_key()
        page.on_connect = lambda _e: self._reconnected()
        page.on_close = lambda _e: self.close()
        self.go(self._gate_route())
        if self._watch_idle:
            page.run_task(self._idle_watch)

    # ----- routing -----------------------------------------------------------------

    def _gate_route(self) -> str:
        if self.gate.erased:
            return "erased"
        return "setup" if self.gate.first_run else "lock"

    def _popped(self) -> None:
        """The phone's back gesture (or the back arrow) closed the top screen."""
        views = self.page.views
        if len(views) < 2:
            self.go(self.route)
            return
        # The client has already taken the top View away: it must not come
        # back as the next screen (see `_keep_top`).
        views.pop()
        self.go(views[-1].route or "home")

    def go(self, route: str) -> None:
        """Show `route`; a locked app shows the PIN screen first."""
        route = SHORTCUTS.get(route, route)
        name, _, arg = route.partition("/")
        if name not in GATE_ROUTES and (self.gate.store is None or self.gate.store.locked):
            self._resume_route = route
            name, arg = self._gate_route(), ""
        problem = None
        self._refresh = None
        try:
            views = self._views(name, arg)
        except LookupError as gone:
            problem = str(gone)
            fallback = self.back_route if self.back_route.partition("/")[0] != name else "home"
            name, _, arg = fallback.partition("/")
            views = self._views(name, arg)
        self.route = f"{name}/{arg}" if arg else name
        # A message or picker belongs to the screen it was opened on: left open
        # it would cover the next screen's buttons (or show over the PIN screen).
        while self.page.pop_dialog() is not None:
            pass
        self._keep_top(views)
        self.page.views.clear()
        self.page.views.extend(views)
        self.page.update()
        if problem:
            self.notify(problem)

    def _keep_top(self, views: list[ft.View]) -> None:
        """Show the new top screen in the View already on top.

        Flet's client turns a different View on top into a route transition of
        300 ms, even with PageTransitionTheme.NONE (that only removes the
        visuals): closing a form (Save) would leave it on screen, unusable,
        for 300 ms before Home shows. Filled with the new screen instead, the
        same View changes in place at once. The screens under it are
        replaced as before (no transition: they are not shown)."""
        if not self.page.views:
            return
        top = self.page.views[-1]
        for field in dataclasses.fields(ft.View):
            if field.init:
                setattr(top, field.name, getattr(views[-1], field.name))
        views[-1] = top

    def _views(self, name: str, arg: str) -> list[ft.View]:
        if name in GATE_ROUTES:
            return [GATE_ROUTES[name](self, arg)]
        if name in TAB_VIEWS:
            if name not in (t[0] for t in self.tabs):
                raise LookupError("The Team screen is for supervisors.")
            self.back_route = name
            return [TAB_VIEWS[name](self, arg)]
        if name in SUB_SCREENS:
            builder, tab = SUB_SCREENS[name]
            under = self._views(tab, "")
            self.back_route = f"{name}/{arg}" if arg else name
            return [*under, builder(self, arg)]
        if name in FORM_KINDS:
            if self.route.partition("/")[0] in (*TAB_VIEWS, *SUB_SCREENS):
                self.back_route = self.route
            elif self.route in GATE_ROUTES:
                self.back_route = HOME_OF_KIND[name]
            # The screen stays underneath, so the phone's back gesture returns to it.
            back_name, _, back_arg = self.back_route.partition("/")
            return [*self._views(back_name, back_arg), record_form_view(self, name, arg)]
        raise LookupError(f"There is no screen {name!r}.")

    def opened(self, route: str | None = None) -> None:
        """After the PIN: start syncing, and go to `route` or back to where the
        specialist was."""
        self.sync.attach(self.store)
        self.sync.start()
        self.go(route or self._resume_route)

    # ----- actions the screens share ------------------------------------------------------

    def guard(self, handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Wrap an event handler (plain or async): the event counts as use for
        the idle lock, a lock in the meantime shows the PIN screen, and a store
        problem becomes a message instead of a crash."""
        if inspect.iscoroutinefunction(handler):

            async def run_async(e: Any = None) -> None:
                try:
                    self.store.touch()
                    await handler(e)
                except StoreError as error:
                    self._store_problem(error)

            return run_async

        def run(e: Any = None) -> None:
            try:
                self.store.touch()
                handler(e)
            except StoreError as error:
                self._store_problem(error)

        return run

    def _store_problem(self, error: StoreError) -> None:
        if isinstance(error, StoreLockedError):
            self._notice = "The app locked itself to protect the data. Enter your PIN to go on."
            self.go(self.route)
        else:
            self.notify(str(error))

    def after_save(self, record: Record, was_new: bool) -> None:
        if was_new and record.kind in ("employer_contact", "member_visit"):
            self.back_route = "home"
        self.go(self.back_route)
        self.sync_client.refresh_counts()  # an edited refused record is queued again
        tally = self.store.week_tally(self.now())
        self.notify(describe_saved(record, f"{tally.count} of {tally.target}"))

    def delete_with_undo(self, record: Record) -> None:
        self.store.delete(record.id)
        self.go(self.back_route)

        def undo(_e: Any) -> None:
            self.store.put(record.kind, dict(record.data), id=record.id)
            self.go(self.route)

        self.notify("Deleted.", undo=self.guard(undo))

    def notify(self, message: str, *, undo: Callable[[Any], None] | None = None) -> None:
        """A short message at the bottom; with `undo`, an Undo button."""
        # show_dialog() sends its own update, which would swallow the automatic
        # one after the handler: send the screen's changes first.
        self.page.update()
        self.page.show_dialog(ft.SnackBar(
            ft.Text(message, key="snack_text"),
            action="Undo" if undo else None,
            on_action=undo,
            persist=False,
            duration=ft.Duration(seconds=6 if undo else 4),
        ))

    def take_notice(self) -> str | None:
        """A one-off message for the PIN screen (why the app locked)."""
        notice, self._notice = self._notice, None
        return notice

    # ----- sync -------------------------------------------------------------------

    def on_refresh(self, refresh: Callable[[], None]) -> None:
        """The shown screen's way to redraw itself in place, when sync status or
        records change behind it (one screen at a time: the top one)."""
        self._refresh = refresh

    def sync_now(self) -> None:
        self.sync.start()

    def connected(self) -> None:
        """After Connect to server: sync at once and say who this is."""
        account = self.account
        assert account is not None
        self.sync.start()
        self.go("settings")
        user, team = account["user"], account["team"]
        self.notify(f"Connected as {user['name']} ({user['role']}), team {team['name']}. "
                    "Syncing now.")

    def _status_changed(self, _status: SyncStatus) -> None:
        """From the sync thread (or this one): redraw on the UI's own loop."""
        # Not page.run_task directly: on a loop closed meanwhile it would leave
        # a coroutine never awaited. This way nothing is made until it runs.
        loop = self.page.session.connection.loop
        with contextlib.suppress(RuntimeError):  # the session is gone: nothing to show
            loop.call_soon_threadsafe(self.page.run_task, self._show_sync)

    async def _show_sync(self) -> None:
        if self.gate.store is not None and self.gate.erased:
            # An administrator revoked this device: the client erased the store.
            self.sync.close()
            self.gate.store = None
            self._resume_route = "home"
            self.go("erased")
            return
        store = self.gate.store
        if self._refresh is not None and store is not None and not store.locked:
            self._refresh()
            self.page.update()

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
        self._resume_route = self.route
        self._notice = reason
        self.go("lock")

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
