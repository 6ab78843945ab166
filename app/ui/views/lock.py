"""The PIN screens: first run (create), unlock, and after the data was erased."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from app.store import MIN_PIN_DIGITS, StoreErasedError
from app.ui.state import PinProblem

from .common import BIG, muted

if TYPE_CHECKING:
    from app.ui.shell import FieldLogApp


def pin_field(label: str, key: str, *, autofocus: bool = False, on_submit=None) -> ft.TextField:
    return ft.TextField(
        label=label,
        key=key,
        password=True,
        can_reveal_password=True,
        keyboard_type=ft.KeyboardType.NUMBER,
        input_filter=ft.NumbersOnlyInputFilter(),
        autofocus=autofocus,
        on_submit=on_submit,
        text_size=22,
    )


def _gate_view(route: str, title: str, lines: list[ft.Control], body: list[ft.Control]) -> ft.View:
    return ft.View(
        route=route,
        controls=[
            ft.SafeArea(
                ft.Column(
                    [
                        ft.Icon(ft.Icons.LOCK_OUTLINE, size=56, color=ft.Colors.PRIMARY),
                        ft.Text(title, theme_style=ft.TextThemeStyle.HEADLINE_SMALL,
                                text_align=ft.TextAlign.CENTER),
                        *lines,
                        *body,
                    ],
                    spacing=16,
                    alignment=ft.MainAxisAlignment.CENTER,
                    horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                    scroll=ft.ScrollMode.AUTO,
                ),
                expand=True,
            )
        ],
        padding=ft.Padding.symmetric(horizontal=24, vertical=32),
        vertical_alignment=ft.MainAxisAlignment.CENTER,
    )


def _button(label: str, on_click, key: str) -> ft.FilledButton:
    return ft.FilledButton(content=label, on_click=on_click, key=key, height=BIG)


def setup_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    pin = pin_field("PIN", "pin", autofocus=True)
    confirm = pin_field("Confirm PIN", "confirm_pin")

    def create(_e=None) -> None:
        pin.error = confirm.error = None
        try:
            app.gate.create(pin.value, confirm.value)
        except PinProblem as problem:
            (pin if problem.field == "pin" else confirm).error = problem.message
            return
        app.opened("home")

    confirm.on_submit = create
    return _gate_view(
        "setup",
        "Create a PIN",
        [muted(f"The PIN protects the data on this phone. Use {MIN_PIN_DIGITS} or more "
               "digits that others cannot guess.", text_align=ft.TextAlign.CENTER)],
        [pin, confirm, _button("Create", create, "create")],
    )


def unlock_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    def unlock(_e=None) -> None:
        pin.error = None
        try:
            app.gate.unlock(pin.value)
        except PinProblem as problem:
            pin.error = problem.message
            pin.value = ""
            return
        except StoreErasedError:
            app.go("erased")
            return
        app.opened()

    pin = pin_field("PIN", "pin", autofocus=True, on_submit=unlock)
    notice = app.take_notice() or "Enter your PIN to open your field log."
    return _gate_view(
        "lock",
        "IPS Field Log",
        [muted(notice, text_align=ft.TextAlign.CENTER, key="notice")],
        [pin, _button("Unlock", unlock, "unlock")],
    )


def erased_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    message = app.gate.erased_reason()
    return _gate_view(
        "erased",
        "Data erased",
        [ft.Text(message, text_align=ft.TextAlign.CENTER, key="erased_message")],
        [_button("Create a new PIN", lambda _e: app.go("setup"), "new_pin")],
    )
