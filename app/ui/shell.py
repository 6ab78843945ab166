"""The app around the screens: routes, the PIN gate, the idle lock, messages.

Routes are in-app names (`home`, `employer_contact/<id>`), not URLs: screens
change without a round trip to the client, and a reload always starts at
the PIN screen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flet as ft

from app.domain import Record
from app.store import Store, StoreError, StoreLockedError

from .state import Gate, auto_lock_label
from .views.form import describe_saved, record_form_view
from .views.home import home_view
from .views.lists import employers_view, history_view, members_view
from .views.lock import erased_view, setup_view, unlock_view
from .views.settings import settings_view

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
    ) -> None:
        self.page = page
        self.gate = Gate(data_dir, monotonic=monotonic)
        self.now = now
        self.route = ""
        self.back_route = "home"  # the tab under the open form
        self._resume_route = "home"
        self._notice: str | None = None
        self._watch_idle = watch_idle

    @property
    def store(self) -> Store:
        if self.gate.store is None:
            raise StoreLockedError("The app is locked: enter your PIN.")
        return self.gate.store

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
        page.on_view_pop = lambda _e: self.go(self.back_route)
        # A closed tab must not leave the key in memory, and a reload (which
        # reconnects to this same session) must ask for the PIN again.
        page.on_disconnect = lambda _e: self.gate.store and self.gate.store.lock()
        page.on_connect = lambda _e: self.gate.store and self.lock()
        page.on_close = lambda _e: self.gate.close()
        self.go(self._gate_route())
        if self._watch_idle:
            page.run_task(self._idle_watch)

    # ----- routing -----------------------------------------------------------------

    def _gate_route(self) -> str:
        if self.gate.erased:
            return "erased"
        return "setup" if self.gate.first_run else "lock"

    def go(self, route: str) -> None:
        """Show `route`; a locked app shows the PIN screen first."""
        route = SHORTCUTS.get(route, route)
        name, _, arg = route.partition("/")
        if name not in GATE_ROUTES and (self.gate.store is None or self.gate.store.locked):
            self._resume_route = route
            name, arg = self._gate_route(), ""
        problem = None
        try:
            views = self._views(name, arg)
        except LookupError as gone:
            problem = str(gone)
            name, arg = self.back_route, ""
            views = [TAB_VIEWS[name](self, "")]
        self.route = f"{name}/{arg}" if arg else name
        # A message or picker belongs to the screen it was opened on: left open
        # it would cover the next screen's buttons (or show over the PIN screen).
        while self.page.pop_dialog() is not None:
            pass
        self.page.views.clear()
        self.page.views.extend(views)
        self.page.update()
        if problem:
            self.notify(problem)

    def _views(self, name: str, arg: str) -> list[ft.View]:
        if name in GATE_ROUTES:
            return [GATE_ROUTES[name](self, arg)]
        if name in TAB_VIEWS:
            self.back_route = name
            return [TAB_VIEWS[name](self, arg)]
        if name in FORM_KINDS:
            if self.route in TAB_VIEWS:
                self.back_route = self.route
            elif self.route in GATE_ROUTES:
                self.back_route = HOME_OF_KIND[name]
            # The tab stays underneath, so the phone's back gesture returns to it.
            return [TAB_VIEWS[self.back_route](self, ""), record_form_view(self, name, arg)]
        raise LookupError(f"There is no screen {name!r}.")

    def resume(self) -> None:
        """After unlocking: back to where the specialist was."""
        self.go(self._resume_route)

    # ----- actions the screens share ------------------------------------------------------

    def guard(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """Wrap an event handler: the event counts as use for the idle lock, a
        lock in the meantime shows the PIN screen, and a store problem becomes a
        message instead of a crash."""

        def run(e: Any = None) -> None:
            try:
                self.store.touch()
                handler(e)
            except StoreLockedError:
                self._notice = "The app locked itself to protect the data. Enter your PIN to go on."
                self.go(self.route)
            except StoreError as error:
                self.notify(str(error))

        return run

    def after_save(self, record: Record, was_new: bool) -> None:
        if was_new and record.kind in ("employer_contact", "member_visit"):
            self.back_route = "home"
        self.go(self.back_route)
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

    # ----- locking ------------------------------------------------------------------

    def lock(self, reason: str | None = None) -> None:
        if self.gate.store is not None:
            self.gate.store.lock()
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
