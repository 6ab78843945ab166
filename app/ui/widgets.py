"""Small controls the navigator and the screens share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft


def icon_button(icon: ft.IconData, label: str, on_click: Callable[[Any], Any], *,
                key: str | None = None, **style: Any) -> ft.IconButton:
    """An icon button with its own name: screen readers (and tests) find it by
    `label`, and a long press shows it."""
    return ft.IconButton(ft.Icon(icon, semantics_label=label), tooltip=label,
                         on_click=on_click, key=key, **style)
