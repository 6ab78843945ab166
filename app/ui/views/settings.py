"""Settings: the PIN, the auto-lock delay, the team's week and target, and
the connection to the team's server (Connect to server)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import flet as ft

from app.domain import WEEKDAYS, ValidationError
from app.store import Store, WrongPinError
from app.ui import text
from app.ui.forms import field_message
from app.ui.navigator import Navigator, Screen
from app.ui.widgets import Choice
from sync.client import normalise_server_url
from sync.errors import EnrollmentError, SyncError

from .common import BIG, big_button, heading, muted, sub_screen, tab_screen
from .lock import pin_field

Account = dict[str, Any]
AUTO_LOCK_CHOICES = (60, 120, 300, 600, 900, 1800, 3600)  # seconds, offered under Lock after


def settings_screen(nav: Navigator, store: Store, account: Account | None,
                    server_url: str | None, lock_now: Callable[[], None]) -> Screen:
    settings = store.settings

    # ----- PIN
    old_pin = pin_field("Current PIN", "old_pin")
    new_pin = pin_field("New PIN", "new_pin")
    confirm = pin_field("Confirm new PIN", "confirm_new_pin")

    def change_pin() -> bool:
        old_pin.error = new_pin.error = confirm.error = None
        if not old_pin.value:
            old_pin.error = "Enter your current PIN."
            return False
        if new_pin.value != confirm.value:
            confirm.error = "The two new PINs differ. Type the same PIN in both boxes."
            return False
        try:
            store.change_pin(old_pin.value or "", new_pin.value or "")
        except WrongPinError as error:
            old_pin.error = (f"That is not the current PIN. Try again: "
                             f"{text.plural(error.attempts_left, 'try', 'tries')} left.")
            return True  # a wrong PIN was counted: never try it twice
        except ValidationError as error:
            new_pin.error = f"The PIN {error.problem}. Choose another."
            return False
        old_pin.value = new_pin.value = confirm.value = ""
        nav.notify("PIN changed. Use the new PIN from now on.")
        return True

    # ----- auto-lock: saved as soon as it is chosen
    def set_lock_delay(e) -> None:
        store.set_auto_lock_seconds(int(e.control.value))
        nav.notify(f"The app now locks after {text.auto_lock_label(int(e.control.value))} unused.")

    lock_delay = Choice(
        "Lock after", [(str(s), text.auto_lock_label(s)) for s in
                       sorted({*AUTO_LOCK_CHOICES, store.auto_lock_seconds})],
        key="auto_lock", value=str(store.auto_lock_seconds), on_select=nav.guard(set_lock_delay))

    # ----- team week and target
    week_start = Choice("Week starts on", [(d, d.capitalize()) for d in WEEKDAYS],
                        key="week_start", value=settings.week_start)
    zone = ft.TextField(label="Time zone", key="timezone", value=settings.timezone,
                        helper="Like America/Chicago", error_max_lines=3)
    target = ft.TextField(label="Face-to-face contacts a week", key="contact_target",
                          value=str(settings.contact_target),
                          keyboard_type=ft.KeyboardType.NUMBER, error_max_lines=3)
    text_fields = {"timezone": zone, "contact_target": target}

    def save_team() -> bool:
        week_start.show_error(None)
        zone.error = target.error = None
        try:
            number = int(target.value or "")
        except ValueError:
            target.error = field_message(ValidationError("contact_target", "not a number"))
            return False
        try:
            store.update_settings(week_start=week_start.value, timezone=(zone.value or "").strip(),
                                  contact_target=number)
        except ValidationError as error:
            message = field_message(error)
            if error.field == "week_start":
                week_start.show_error(message)
            else:
                text_fields.get(error.field, zone).error = message
            return False
        nav.notify("Team settings saved. Home and History follow them now.")
        return True

    refresh = None
    if store.settings_from_server:
        team_section, refresh = _team_settings_from_server(store)
    else:
        team_section = [
            muted("Set these to match your team, so the count matches your supervisor's."),
            week_start.control, zone, target,
            big_button("Save team settings", ft.Icons.SAVE_OUTLINED, nav.submit(save_team),
                       key="save_team", filled=False),
        ]
    controls: list[ft.Control] = [
        heading("Sync"),
        *_sync_section(nav, account, server_url),
        ft.Divider(),
        heading("Your week"),
        *team_section,
        ft.Divider(),
        heading("Privacy"),
        lock_delay.control,
        big_button("Lock now", ft.Icons.LOCK_OUTLINE, nav.guard(lambda _e: lock_now()),
                   key="lock_now", filled=False),
        ft.Divider(),
        heading("Change PIN"),
        old_pin, new_pin, confirm,
        big_button("Change PIN", ft.Icons.PIN_OUTLINED, nav.submit(change_pin),
                   key="change_pin", filled=False),
    ]
    return tab_screen("settings", "Settings", controls, refresh=refresh)


def _team_settings_from_server(store: Store) -> tuple[list[ft.Control], Callable[[], None]]:
    """While connected the team's settings are the server's: shown, not edited,
    and kept current when a sync brings new ones."""
    line = ft.Text(key="team_settings")

    def show() -> None:
        settings = store.settings
        line.value = (f"Weeks start on {settings.week_start.capitalize()}, in "
                      f"{settings.timezone}; the target is {settings.contact_target} "
                      "face-to-face employer contacts a week.")

    show()
    return [line, muted("Set for your whole team on the server by your administrator; this "
                        "phone takes any change at its next sync.",
                        key="team_settings_owner")], show


def _sync_section(nav: Navigator, account: Account | None,
                  server_url: str | None) -> list[ft.Control]:
    if account is None:
        return [
            muted("Connect to your team's server to keep a copy of your records there "
                  "and let your supervisor see your weekly count."),
            big_button("Connect to server", ft.Icons.CLOUD_OUTLINED,
                       nav.opener("connect"), key="connect_to_server",
                       filled=False),
        ]
    user, team = account["user"], account["team"]
    return [
        ft.Text(f"Connected as {user['name']} ({user['role']}), team {team['name']}.",
                key="connected_as"),
        muted(f"Server: {server_url}", size=13),
        big_button("Open sync", ft.Icons.SYNC, nav.opener("sync"),
                   key="open_sync_settings", filled=False),
    ]


Enroll = Callable[[str, str, str], Any]  # (server address, code, device name), blocking


def connect_screen(nav: Navigator, enroll: Enroll, connected: Callable[[], None]) -> Screen:
    """Server address and one-time enrollment code, as the administrator gave them."""
    address = ft.TextField(label="Server address", key="server_address",
                           keyboard_type=ft.KeyboardType.URL, error_max_lines=4,
                           helper="Like https://fieldlog.example.org", autofocus=True)
    code = ft.TextField(label="Enrollment code", key="enrollment_code", error_max_lines=4,
                        helper="Single use, valid 72 hours")
    device = ft.TextField(label="Device name", key="device_name", value="Phone",
                          helper="So your administrator can tell your devices apart")
    busy = ft.ProgressBar(visible=False)

    async def connect() -> bool:
        address.error = code.error = None
        try:
            normalise_server_url(address.value or "")
        except EnrollmentError as error:
            address.error = str(error)
            return False
        if not (code.value or "").strip():
            code.error = "Enter the enrollment code your administrator gave you."
            return False
        button.disabled = busy.visible = True
        nav.update()
        try:
            await asyncio.to_thread(enroll, address.value or "", code.value or "",
                                    (device.value or "").strip() or "Phone")
        except EnrollmentError as error:
            code.error = str(error)
        except SyncError as error:
            address.error = str(error)
        else:
            connected()
            return True
        finally:
            button.disabled = busy.visible = False
        nav.update()  # the update above turned off the automatic one
        return True  # the server answered: trying again would spend nothing new

    button = ft.FilledButton(content="Connect", icon=ft.Icons.CLOUD_DONE_OUTLINED, key="connect",
                             height=BIG, on_click=nav.submit(connect))
    screen = sub_screen("connect", "Connect to server", [
        muted("Your administrator gives you the server address and a one-time code."),
        address, code, device, busy, button,
    ])
    screen.unsaved = lambda: bool((address.value or "").strip() or (code.value or "").strip())
    screen.discard_question = "Leave without connecting?"
    return screen
