"""The PIN screens: first run (create), unlock, and after the data was erased."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from app.store import MIN_PIN_DIGITS, StoreDamagedError, StoreErasedError
from app.ui.navigator import Navigator, Screen
from app.ui.pin_gate import Gate, PinProblem
from app.ui.widgets import icon_button

from .common import BIG, muted


def pin_field(label: str, key: str, *, autofocus: bool = False, on_submit=None) -> ft.TextField:
    """A PIN box with its own Show/Hide button (the built-in one has no name for
    screen readers)."""
    field = ft.TextField(
        label=label,
        key=key,
        password=True,
        keyboard_type=ft.KeyboardType.NUMBER,
        input_filter=ft.NumbersOnlyInputFilter(),
        autofocus=autofocus,
        on_submit=on_submit,
        text_size=22,
        error_max_lines=4,
    )

    def reveal(_e) -> None:
        field.password = not field.password
        field.suffix = show_button()

    def show_button() -> ft.IconButton:
        hidden = field.password
        return icon_button(ft.Icons.VISIBILITY if hidden else ft.Icons.VISIBILITY_OFF,
                           f"{'Show' if hidden else 'Hide'} {label}", reveal,
                           key=f"reveal:{key}")

    field.suffix = show_button()
    return field


def _gate_screen(route: str, title: str, lines: list[ft.Control],
                 body: list[ft.Control]) -> Screen:
    column = ft.Column(
        [
            ft.Icon(ft.Icons.LOCK_OUTLINE, size=56, color=ft.Colors.PRIMARY),
            ft.Semantics(identifier=f"screen-{route}",
                         content=ft.Text(title, theme_style=ft.TextThemeStyle.HEADLINE_SMALL,
                                         text_align=ft.TextAlign.CENTER, key="screen_title")),
            *lines,
            *body,
        ],
        spacing=16,
        alignment=ft.MainAxisAlignment.CENTER,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        scroll=ft.ScrollMode.AUTO,
    )
    return Screen(route=route, title=None, body=[ft.SafeArea(column, expand=True)],
                  centered=True)


def _button(label: str, on_click, key: str) -> ft.FilledButton:
    return ft.FilledButton(content=label, on_click=on_click, key=key, height=BIG)


def setup_screen(nav: Navigator, gate: Gate, opened: Callable[[], None]) -> Screen:
    pin = pin_field("PIN", "pin", autofocus=True)
    confirm = pin_field("Confirm PIN", "confirm_pin")

    def create() -> bool:
        pin.error = confirm.error = None
        try:
            gate.create(pin.value or "", confirm.value or "")
        except PinProblem as problem:
            (pin if problem.field == "pin" else confirm).error = problem.message
            return False
        opened()
        return True

    confirm.on_submit = nav.submit(create)
    return _gate_screen(
        "setup",
        "Create a PIN",
        [muted(f"The PIN protects the data on this phone. Use {MIN_PIN_DIGITS} or more "
               "digits that others cannot guess.", text_align=ft.TextAlign.CENTER)],
        [pin, confirm, _button("Create", nav.submit(create), "create")],
    )


def unlock_screen(nav: Navigator, gate: Gate, notice: str | None, opened: Callable[[], None],
                  closed_out: Callable[[str | None], None]) -> Screen:
    """`closed_out(damage)`: the last wrong PIN erased the store (damage None),
    or the store turned out damaged."""
    def unlock() -> bool:
        pin.error = None
        if not (pin.value or "").strip():
            pin.error = f"Enter your PIN ({MIN_PIN_DIGITS} or more digits)."
            return False  # maybe still on its way from the client
        try:
            gate.unlock(pin.value or "")
        except PinProblem as problem:
            pin.error = problem.message
            pin.value = ""
        except StoreErasedError:
            closed_out(None)
        except StoreDamagedError as damage:
            closed_out(str(damage))
        else:
            opened()
        return True  # a wrong PIN was counted: never try it twice

    pin = pin_field("PIN", "pin", autofocus=True, on_submit=nav.submit(unlock))
    return _gate_screen(
        "lock",
        "IPS Field Log",
        [muted(notice or "Enter your PIN to open your field log.",
               text_align=ft.TextAlign.CENTER, key="notice")],
        [pin, _button("Unlock", nav.submit(unlock), "unlock")],
    )


def erased_screen(nav: Navigator, gate: Gate, start_over: Callable[[], None]) -> Screen:
    return _gate_screen(
        "erased",
        "Data erased",
        [ft.Text(gate.erased_reason(), text_align=ft.TextAlign.CENTER, key="erased_message")],
        [_button("Create a new PIN", nav.guard(lambda _e: start_over()), "new_pin")],
    )


DAMAGED = ("The data on this phone is damaged and cannot be opened. Start fresh with a new "
           "PIN: records that were synced come back at the next sync; records that were not "
           "synced are lost.")


def damaged_screen(nav: Navigator, damage: str | None, start_over: Callable[[], None]) -> Screen:
    return _gate_screen(
        "damaged",
        "Data damaged",
        [ft.Text(damage or DAMAGED, text_align=ft.TextAlign.CENTER, key="damaged_message")],
        [_button("Start fresh", nav.guard(lambda _e: start_over()), "start_fresh")],
    )
