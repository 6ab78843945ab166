"""Settings: the PIN, the auto-lock delay, the team's week and target, and
the connection to the team's server (Connect to server)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import flet as ft

from app.domain import WEEKDAYS, ValidationError
from app.store import WrongPinError
from app.ui import text
from app.ui.forms import field_message
from app.ui.state import AUTO_LOCK_CHOICES, auto_lock_label
from sync.client import EnrollmentError, SyncError, normalise_server_url

from .common import BIG, big_button, heading, muted, sub_view, tab_view
from .lock import pin_field

if TYPE_CHECKING:
    from app.ui.shell import FieldLogApp


def settings_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    store = app.store
    settings = store.settings

    # ----- PIN
    old_pin = pin_field("Current PIN", "old_pin")
    new_pin = pin_field("New PIN", "new_pin")
    confirm = pin_field("Confirm new PIN", "confirm_new_pin")

    def change_pin(_e) -> None:
        old_pin.error = new_pin.error = confirm.error = None
        if new_pin.value != confirm.value:
            confirm.error = "The two new PINs differ. Type the same PIN in both boxes."
            return
        try:
            store.change_pin(old_pin.value or "", new_pin.value or "")
        except WrongPinError as error:
            old_pin.error = (f"That is not the current PIN. Try again: "
                             f"{text.plural(error.attempts_left, 'try', 'tries')} left.")
            return
        except ValidationError as error:
            target = old_pin if "enter your PIN" in error.problem else new_pin
            target.error = f"The PIN {error.problem}. Choose another."
            return
        old_pin.value = new_pin.value = confirm.value = ""
        app.notify("PIN changed. Use the new PIN from now on.")

    # ----- auto-lock: saved as soon as it is chosen
    def set_lock_delay(e) -> None:
        store.set_auto_lock_seconds(int(e.control.value))
        app.notify(f"The app now locks after {auto_lock_label(int(e.control.value))} unused.")

    lock_delay = ft.Dropdown(
        label="Lock after", key="auto_lock", value=str(store.auto_lock_seconds),
        options=[ft.DropdownOption(key=str(s), text=auto_lock_label(s)) for s in
                 sorted({*AUTO_LOCK_CHOICES, store.auto_lock_seconds})],
        on_select=app.guard(set_lock_delay), expand=True)

    # ----- team week and target
    week_start = ft.Dropdown(
        label="Week starts on", key="week_start", value=settings.week_start, expand=True,
        options=[ft.DropdownOption(key=d, text=d.capitalize()) for d in WEEKDAYS])
    zone = ft.TextField(label="Time zone", key="timezone", value=settings.timezone,
                        helper="Like America/Chicago", error_max_lines=3)
    target = ft.TextField(label="Face-to-face contacts a week", key="contact_target",
                          value=str(settings.contact_target),
                          keyboard_type=ft.KeyboardType.NUMBER, error_max_lines=3)
    text_fields = {"timezone": zone, "contact_target": target}

    def save_team(_e) -> None:
        week_start.error_text = zone.error = target.error = None
        try:
            number = int(target.value or "")
        except ValueError:
            target.error = field_message(ValidationError("contact_target", "not a number"))
            return
        try:
            store.update_settings(week_start=week_start.value, timezone=(zone.value or "").strip(),
                                  contact_target=number)
        except ValidationError as error:
            message = field_message(error)
            if error.field == "week_start":
                week_start.error_text = message
            else:
                text_fields.get(error.field, zone).error = message
            return
        app.notify("Team settings saved. Home and History follow them now.")

    controls: list[ft.Control] = [
        heading("Sync"),
        *_sync_section(app),
        ft.Divider(),
        heading("Your week"),
        muted("Set these to match your team, so the count matches your supervisor's."),
        week_start, zone, target,
        big_button("Save team settings", ft.Icons.SAVE_OUTLINED, app.guard(save_team),
                   key="save_team", filled=False),
        ft.Divider(),
        heading("Privacy"),
        lock_delay,
        big_button("Lock now", ft.Icons.LOCK_OUTLINE, app.guard(lambda _e: app.lock()),
                   key="lock_now", filled=False),
        ft.Divider(),
        heading("Change PIN"),
        old_pin, new_pin, confirm,
        big_button("Change PIN", ft.Icons.PIN_OUTLINED, app.guard(change_pin),
                   key="change_pin", filled=False),
    ]
    return tab_view(app, "settings", "Settings", controls)


def _sync_section(app: FieldLogApp) -> list[ft.Control]:
    account = app.account
    if account is None:
        return [
            muted("Connect to your team's server to keep a copy of your records there "
                  "and let your supervisor see your weekly count."),
            big_button("Connect to server", ft.Icons.CLOUD_OUTLINED,
                       app.guard(lambda _e: app.go("connect")), key="connect_to_server",
                       filled=False),
        ]
    user, team = account["user"], account["team"]
    return [
        ft.Text(f"Connected as {user['name']} ({user['role']}), team {team['name']}.",
                key="connected_as"),
        muted(f"Server: {app.sync_client.server_url}", size=13),
        big_button("Open sync", ft.Icons.SYNC, app.guard(lambda _e: app.go("sync")),
                   key="open_sync_settings", filled=False),
    ]


def connect_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    """Server address and one-time enrollment code, as the administrator gave them."""
    address = ft.TextField(label="Server address", key="server_address",
                           keyboard_type=ft.KeyboardType.URL, error_max_lines=4,
                           helper="Like https://fieldlog.example.org", autofocus=True)
    code = ft.TextField(label="Enrollment code", key="enrollment_code", error_max_lines=4,
                        helper="Single use, valid 72 hours")
    device = ft.TextField(label="Device name", key="device_name", value="Phone",
                          helper="So your administrator can tell your devices apart")
    busy = ft.ProgressBar(visible=False)

    async def connect(_e) -> None:
        address.error = code.error = None
        try:
            base = normalise_server_url(address.value or "")
        except EnrollmentError as error:
            address.error = str(error)
            return
        if not (code.value or "").strip():
            code.error = "Enter the enrollment code your administrator gave you."
            return
        button.disabled = busy.visible = True
        app.page.update()
        try:
            await asyncio.to_thread(app.sync_client.enroll, base, code.value or "",
                                    (device.value or "").strip() or "Phone")
        except EnrollmentError as error:
            code.error = str(error)
        except SyncError as error:
            address.error = str(error)
        else:
            app.connected()
            return
        button.disabled = busy.visible = False
        app.page.update()  # the update above turned off the automatic one

    button = ft.FilledButton(content="Connect", icon=ft.Icons.CLOUD_DONE_OUTLINED, key="connect",
                             height=BIG, on_click=app.guard(connect))
    return sub_view("connect", "Connect to server", [
        muted("Your administrator gives you the server address and a one-time code."),
        address, code, device, busy, button,
    ])
