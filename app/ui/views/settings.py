"""Settings: the PIN, the auto-lock delay and the team's week and target."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from app.domain import WEEKDAYS, ValidationError
from app.store import WrongPinError
from app.ui import text
from app.ui.forms import field_message
from app.ui.state import AUTO_LOCK_CHOICES, auto_lock_label

from .common import big_button, heading, muted, tab_view
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
    team_fields = {"week_start": week_start, "timezone": zone, "contact_target": target}

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
            control = team_fields.get(error.field, zone)
            message = field_message(error)
            if isinstance(control, ft.Dropdown):
                control.error_text = message
            else:
                control.error = message
            return
        app.notify("Team settings saved. Home and History follow them now.")

    controls: list[ft.Control] = [
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
        ft.Divider(),
        heading("Sync"),
        muted("Connecting to your team's server comes in a later version. Until then, "
              "Home shows how many records wait to sync."),
    ]
    return tab_view(app, "settings", "Settings", controls)
