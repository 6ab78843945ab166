"""Small controls the navigator and the screens share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft


def own_node(field: ft.TextField, *, expand: bool = False) -> ft.Semantics:
    """A text field that shares a column with other controls, in a semantics
    node of its own. Without it the web client's accessibility tree gives the
    field the column's whole area: a screen reader's tap (and a test's click)
    at the field's middle then lands on what sits under the field (the
    employer suggestions did)."""
    return ft.Semantics(container=True, content=field, expand=expand)


def icon_button(icon: ft.IconData, label: str, on_click: Callable[[Any], Any], *,
                key: str | None = None, **style: Any) -> ft.IconButton:
    """An icon button with its own name: screen readers (and tests) find it by
    `label`, and a long press shows it."""
    return ft.IconButton(ft.Icon(icon, semantics_label=label), tooltip=label,
                         on_click=on_click, key=key, **style)


class ErrorLine:
    """The red line under a control that has no error slot of its own
    (switches, chips, segments) or whose own is too short (a Dropdown's is one
    line, cut off on a phone). Put `text` under the control; `show` sets the
    message, or hides the line when there is none."""

    def __init__(self, *, key: str | None = None) -> None:
        self.text = ft.Text("", color=ft.Colors.ERROR, size=12, visible=False, key=key)

    def show(self, message: str | None) -> None:
        self.text.value = message or ""
        self.text.visible = bool(message)


class Choice:
    """A drop-down a screen reader can name. Flutter's web client announces a
    bare Dropdown as "button"; this one sits in a Semantics node that says the
    field, what is chosen and any error ("Member: Rowan Q." / "Member: none
    chosen. Choose the member..."), and announces a new error as it appears.
    Put `control` on screen; read `value`; `show_error` sets or clears the error."""

    def __init__(self, label: str, options: list[tuple[str, str]], *, key: str,
                 value: str | None = None, on_select: Callable[[Any], Any] | None = None,
                 expand: bool = True) -> None:
        self.label = label
        self._on_select = on_select
        self.dropdown = ft.Dropdown(label=label, key=key, value=value, expand=True,
                                    options=[ft.DropdownOption(key=k, text=t) for k, t in options],
                                    on_select=self._selected)
        self.named = ft.Semantics(content=self.dropdown, live_region=True)
        self.error = ErrorLine(key=f"{key}:error")
        self.control = ft.Column([self.named, self.error.text], spacing=4, expand=expand,
                                 horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._name()

    @property
    def value(self) -> str | None:
        return self.dropdown.value

    @value.setter
    def value(self, chosen: str | None) -> None:
        self.dropdown.value = chosen
        self._name()

    def show_error(self, message: str | None) -> None:
        self.error.show(message)
        self.dropdown.border = (ft.OutlineInputBorder(side=ft.BorderSide(1, ft.Colors.ERROR))
                                if message else None)
        self._name()

    def _selected(self, e: Any) -> None:
        self._name()
        if self._on_select is not None:
            self._on_select(e)

    def _name(self) -> None:
        chosen = next((o.text for o in self.dropdown.options or []
                       if o.key == self.dropdown.value), None)
        said = f"{self.label}: {chosen or 'none chosen'}"
        error = self.error.text.value
        self.named.label = f"{said}. {error}" if error else said


def labelled(toggle: ft.Switch | ft.Checkbox, label: str,
             on_change: Callable[[Any], Any]) -> ft.Control:
    """A switch or checkbox with a label that wraps (the built-in label is cut
    off at the screen's edge on a phone). The label is the toggle's name for
    screen readers, and tapping it flips the toggle, as the built-in one does."""
    toggle.on_change = on_change

    def flip(e: Any) -> None:
        toggle.value = not toggle.value
        e.control = toggle  # the handler reads the toggle, as from a tap on it
        on_change(e)

    return ft.Row(
        [ft.Semantics(label=label, content=toggle),
         ft.Container(ft.Semantics(exclude_semantics=True,
                                   content=ft.Text(label, size=16)),
                      on_click=flip, expand=True, padding=ft.Padding.symmetric(vertical=8))],
        spacing=4)
