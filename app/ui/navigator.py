"""One View and one back stack: every move between screens goes through here.

The app keeps a single `ft.View` for its whole life and puts each screen's
content into it. Flet's client animates a different View coming on top for
300 ms (even with no page transition), which kept a closed form on screen
after Save; and mixing pushed Views with content swaps once left the client
waiting for good after the second Back. With one View there is no route
transition at all, and the back stack is ours alone: the app-bar arrow, the
phone's back gesture (the View refuses the pop and asks us instead), the tab
bar and every button go through `open`, `back` and `switch_tab`.

Every event handler is wrapped by `guard` (or `submit` for forms), so nothing
a user does can end in an exception the screen does not show.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import flet as ft

from .widgets import icon_button

log = logging.getLogger("app.ui")

# (route, label, icon, icon when selected): the bottom tab bar, thumb-reachable.
Tab = tuple[str, str, ft.IconData, ft.IconData]
Handler = Callable[[Any], Any]
HOME = "home"
LONG_TITLE = 22  # characters: past this a title is set smaller, on up to two lines
# The browser history entries the app keeps on top of the page's own (see
# Navigator): /app1 to /app3, so Backs pressed faster than the app can put
# entries back still land on one of its own.
IN_APP_ENTRIES = 3
# How long a form's Save that found a problem waits for field values still on
# their way from the client (a paste or a password manager filling a field
# just before the tap) before it judges again.
SETTLE_SECONDS = 0.3
UNEXPECTED = ("Something went wrong on this screen: {problem}. Nothing you saved is lost; "
              "try again, and tell your supervisor if it keeps happening.")


@dataclass
class Screen:
    """What one screen puts into the View. Built fresh each time it is shown."""

    route: str
    title: str | None  # None: no app bar (the PIN screens)
    body: Sequence[ft.Control]
    tab: str | None = None  # a top-level screen: the tab bar shows, with this tab chosen
    actions: list[ft.Control] = field(default_factory=list)
    # Redraws the screen in place when data changed behind it (sync); the
    # navigator sends the update.
    refresh: Callable[[], None] | None = None
    centered: bool = False  # the PIN screens: content in the middle, no bars
    # A form: what Back asks ("Discard this contact?") while `unsaved()` says
    # the fields hold something not saved.
    unsaved: Callable[[], bool] | None = None
    discard_question: str = "Discard your changes?"

    def has_unsaved(self) -> bool:
        return self.unsaved is not None and self.unsaved()


class Navigator:
    """The back stack and the one View showing its top.

    `build(route)` makes the Screen of a route (raising LookupError when the
    thing it shows is gone); `tabs()` lists the tab bar; `before_event` runs
    before every handler (the idle lock counts it as use); `on_error` turns
    an exception into what the user sees and returns True when it handled it.
    """

    def __init__(
        self,
        page: ft.Page,
        *,
        build: Callable[[str], Screen],
        tabs: Callable[[], Sequence[Tab]],
        before_event: Callable[[], None] = lambda: None,
        on_error: Callable[[Exception], bool] = lambda _e: False,
    ) -> None:
        self.page = page
        self.stack: list[str] = [HOME]
        self._build = build
        self._tabs = tabs
        self._before_event = before_event
        self._on_error = on_error
        self.screen: Screen | None = None
        self._shows = 0  # screens put into the View so far (keys each one apart)
        self._files: ft.FilePicker | None = None  # made the first time a file is saved
        self._asking: ft.AlertDialog | None = None  # "Discard this contact?" while shown
        self._held: Screen | None = None  # a form with input, under the PIN screen
        # What a screen keeps across its rebuilds in this session (a list's
        # filter), so a save or a Back never resets what the user chose.
        self.kept: dict[str, Any] = {}
        # The page's own first View is the one: a View swapped in at start is a
        # route change to the client, with a transition the first screen races.
        if not page.views:
            page.views.append(ft.View(route="/"))
        del page.views[1:]
        self.view = page.views[0]
        self.view.spacing = 0
        self.view.can_pop = False
        self.view.on_confirm_pop = self._back_gesture
        # A client that pops the View anyway (an older one) lands here too.
        page.on_view_pop = lambda _e: self.back()
        self._in_app = 0  # how many of the app's history entries are in place
        if page.web:
            # The browser's Back button is not the phone's back gesture: it goes
            # back in the page's history, which would leave the app. The app
            # keeps entries of its own on top of the history: a Back lands on
            # one under the top, the app takes each entry gone as one Back of
            # its own, and puts them on top again.
            page.on_route_change = self._browser_route
            page.run_task(self._restore_entries)

    # ----- the stack ---------------------------------------------------------------

    @property
    def top(self) -> str:
        return self.stack[-1]

    @property
    def shown(self) -> str:
        """The route on screen: the top of the stack, or a PIN screen over it."""
        return self.screen.route if self.screen else self.top

    def open(self, route: str) -> None:
        """Show `route` on top of the current screen (Back returns here)."""
        if route != self.top:
            self.stack.append(route)
        self.show()

    def back(self) -> None:
        """The screen underneath; Home stays where it is. A form holding what
        was not saved asks first."""
        screen = self.screen
        if screen is not None and screen.centered:
            return  # the PIN screens have nothing underneath
        if screen is not None and screen.has_unsaved():
            self._ask_discard(screen)
            return
        self.leave()

    def leave(self) -> None:
        """The screen underneath, without asking (after Save, or Discard)."""
        if len(self.stack) > 1:
            self.stack.pop()
        self.show()

    def switch_tab(self, tab: str) -> None:
        """A tab's own screen; Back from any tab but Home goes Home."""
        self.stack = [HOME] if tab == HOME else [HOME, tab]
        self.show()

    def replace(self, route: str) -> None:
        """Show `route` instead of the current screen (Back skips the current one)."""
        self.stack[-1] = route
        self.show()

    def reset(self, routes: Sequence[str] = (HOME,)) -> None:
        self.stack = list(routes) or [HOME]
        self.show()

    def show(self) -> None:
        """Build the top screen and put it into the View. A screen that can no
        longer be shown (its record was deleted meanwhile) is left, with a notice."""
        problem = None
        while True:
            try:
                screen = self._build(self.top)
                break
            except LookupError as gone:
                problem = str(gone)
                if len(self.stack) == 1:
                    self.stack = [HOME]
                    screen = self._build(HOME)
                    break
                self.stack.pop()
        screen = self._held_over(screen)
        self._close_dialogs()
        self._put(screen)
        self.page.update()
        if problem:
            self.notify(problem)

    def _held_over(self, screen: Screen) -> Screen:
        """A form holding unsaved input when the PIN screen comes over it (the
        app locked itself) is kept as it is, in memory only, and shown again
        once unlocked, so what was typed is not lost to the lock."""
        shown = self.screen
        if screen.centered:
            if shown is not None and not shown.centered and shown.has_unsaved():
                self._held = shown
            return screen
        held, self._held = self._held, None
        return held if held is not None and held.route == screen.route else screen

    def refresh_in_place(self) -> None:
        """Let the shown screen update its own controls (sync status changed)."""
        if self.screen is not None and self.screen.refresh is not None:
            self.screen.refresh()
            self.page.update()

    # ----- what every screen shares ------------------------------------------------

    def notify(self, message: str, *, undo: Handler | None = None) -> None:
        """A short message at the bottom; with `undo`, an Undo button."""
        # show_dialog() sends its own update, which would swallow the automatic
        # one after the handler: send the screen's changes first.
        self.page.update()
        self.page.show_dialog(ft.SnackBar(
            ft.Text(message, key="snack_text"),
            action="Undo" if undo else None,
            on_action=self.guard(undo) if undo else None,
            persist=False,
            duration=ft.Duration(seconds=6 if undo else 4),
        ))

    def show_dialog(self, dialog: ft.DialogControl) -> None:
        self.page.show_dialog(dialog)

    def opener(self, route: str) -> Handler:
        """A handler that opens `route` (a tile's or a button's tap)."""
        return self.guard(lambda _e: self.open(route))

    def ask(self, question: str, detail: str,
            answers: Sequence[tuple[str, str, Callable[[], None] | None]]) -> ft.AlertDialog:
        """A question over the screen, answered by one of its buttons: (label,
        key, what it does; None only closes it). An answer counts once: a
        second tap while the question fades out does nothing."""
        def answer(action: Callable[[], None] | None) -> Handler:
            def answered(_e: Any) -> None:
                if not asking.open:
                    return
                asking.open = False
                asking.update()
                if action is not None:
                    action()

            return self.guard(answered)

        asking = ft.AlertDialog(
            modal=True, title=ft.Text(question), content=ft.Text(detail),
            actions=[ft.TextButton(label, key=key, on_click=answer(action))
                     for label, key, action in answers])
        self.show_dialog(asking)
        return asking

    async def save_file(self, name: str, content: bytes) -> None:
        """Offer `content` as a file: a download in a browser, the phone's own
        save dialog on a phone."""
        if self._files is None:
            self._files = ft.FilePicker()  # a service: it joins the current page itself
        await self._files.save_file(file_name=name, src_bytes=content)

    def run(self, work: Callable[[], Awaitable[None]]) -> None:
        """Background work of the shown screen (a fetch), on the UI's loop."""
        self.page.run_task(self._guarded_task(work))

    def update(self) -> None:
        self.page.update()

    def guard(self, handler: Handler) -> Handler:
        """Wrap an event handler (plain or async): the event counts as use for
        the idle lock, and any exception becomes a message instead of a crash."""
        if inspect.iscoroutinefunction(handler):
            async def run_async(e: Any = None) -> None:
                try:
                    self._before_event()
                    await handler(e)
                except Exception as error:  # noqa: BLE001 — every failure is shown
                    self._failed(error)

            return run_async

        def run(e: Any = None) -> None:
            try:
                self._before_event()
                handler(e)
            except Exception as error:  # noqa: BLE001 — every failure is shown
                self._failed(error)

        return run

    def submit(self, attempt: Callable[[], bool | Awaitable[bool]]) -> Handler:
        """A form's Save, acting on what is in the fields at the moment of the tap.

        `attempt` reads the fields and returns True when done, False when it
        found a problem (and put messages on the fields). The web client can
        deliver a value filled just before the tap after the tap itself, so a
        problem is judged again once those values are in; nothing is shown in
        between, and a form that was right the first time costs no wait.
        """
        async def settled(_e: Any = None) -> None:
            if not await _result(attempt()):
                await asyncio.sleep(SETTLE_SECONDS)
                await _result(attempt())

        return self.guard(settled)

    # ----- internals -------------------------------------------------------------

    def _guarded_task(self, work: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        async def task() -> None:
            try:
                await work()
            except Exception as error:  # noqa: BLE001 — every failure is shown
                self._failed(error)

        return task

    def _failed(self, error: Exception) -> None:
        if self._on_error(error):
            return
        log.exception("Unexpected error on screen %s", self.shown, exc_info=error)
        self.notify(UNEXPECTED.format(problem=_plain(error)))

    async def _browser_route(self, e: ft.RouteChangeEvent) -> None:
        at = _entry_number(e.route)
        if at >= self._in_app:
            return  # the app's own entry arriving
        backs, self._in_app = self._in_app - at, at
        # The entries go back on top before the screen changes, so more Backs
        # right after land on them too.
        await self._restore_entries()
        for _ in range(backs):
            self.guard(lambda _e: self.back())(e)

    async def _restore_entries(self) -> None:
        while self._in_app < IN_APP_ENTRIES:
            self._in_app += 1
            await self.page.push_route(f"/app{self._in_app}")

    async def _back_gesture(self, e: ft.Event[ft.View]) -> None:
        """The phone's back gesture: the stack decides, and the View refuses the
        client's own pop (the client waits for that answer)."""
        self.guard(lambda _e: self.back())(e)
        await self.view.confirm_pop(False)

    def _ask_discard(self, screen: Screen) -> None:
        if self._asking is not None and self._asking.open:
            return  # already asking (Back tapped twice)

        def discard() -> None:
            if self.screen is screen:
                self.leave()

        self._asking = self.ask(
            screen.discard_question, "What you entered on this screen has not been saved.",
            [("Keep editing", "keep_editing", None), ("Discard", "discard", discard)])

    def _close_dialogs(self) -> None:
        # A message or picker belongs to the screen it was opened on: left open
        # it would cover the next screen's buttons (or show over the PIN screen).
        while self.page.pop_dialog() is not None:
            pass

    def _put(self, screen: Screen) -> None:
        """Put the screen into the View as a whole new subtree. Each show gets its
        own key: Flet matches controls with equal keys across two renders and
        freezes the new ones (a later change to them raises), and a matched text
        field would carry over what was typed on the screen before."""
        self.screen = screen
        self._shows += 1
        view = self.view
        view.controls = [ft.Column(list(screen.body), key=f"show-{self._shows}", expand=True,
                                   spacing=0,
                                   horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                                   alignment=(ft.MainAxisAlignment.CENTER if screen.centered
                                              else ft.MainAxisAlignment.START))]
        view.appbar = self._appbar(screen)
        view.navigation_bar = self._tab_bar(screen.tab) if screen.tab else None
        if screen.centered:
            view.padding = ft.Padding.symmetric(horizontal=24, vertical=32)
            view.vertical_alignment = ft.MainAxisAlignment.CENTER
            view.horizontal_alignment = ft.CrossAxisAlignment.STRETCH
        else:
            view.padding = 0
            view.vertical_alignment = ft.MainAxisAlignment.START
            view.horizontal_alignment = ft.CrossAxisAlignment.STRETCH

    def _appbar(self, screen: Screen) -> ft.AppBar | None:
        if screen.title is None:
            return None
        leading = None
        if screen.tab is None and len(self.stack) > 1:
            leading = icon_button(ft.Icons.ARROW_BACK, "Back", self.guard(lambda _e: self.back()),
                                  key="back")
        # A long title (a member's full name) wraps onto a second, smaller line
        # rather than being cut off on a narrow phone.
        long = len(screen.title) > LONG_TITLE
        title = ft.Semantics(identifier=f"screen-{screen.route.partition('/')[0]}", header=True,
                             content=ft.Text(screen.title, key="screen_title", max_lines=2,
                                             size=16 if long else None))
        return ft.AppBar(title=title, leading=leading, automatically_imply_leading=False,
                         actions=screen.actions, key=f"bar-{self._shows}")

    def _tab_bar(self, selected: str) -> ft.NavigationBar:
        tabs = list(self._tabs())
        routes = [t[0] for t in tabs]
        return ft.NavigationBar(
            key=f"tabs-{self._shows}",
            selected_index=routes.index(selected) if selected in routes else 0,
            destinations=[
                ft.NavigationBarDestination(icon=icon, selected_icon=chosen, label=label)
                for _, label, icon, chosen in tabs
            ],
            on_change=self.guard(lambda e: self.switch_tab(routes[e.control.selected_index])),
            label_behavior=ft.NavigationBarLabelBehavior.ALWAYS_SHOW,
        )


def _entry_number(route: str) -> int:
    """/app2 -> 2; any other route (the page's own "/") -> 0."""
    number = route.removeprefix("/app")
    return int(number) if number != route and number.isdigit() else 0


async def _result(value: bool | Awaitable[bool]) -> bool:
    return await value if inspect.isawaitable(value) else value


def _plain(error: Exception) -> str:
    text = str(error).strip().rstrip(".")
    return text or type(error).__name__
