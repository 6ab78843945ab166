"""Team (supervisors): the specialists' weekly contact counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from .common import sub_view, tab_view

if TYPE_CHECKING:
    from app.ui.shell import FieldLogApp


def team_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    return tab_view(app, "team", "Team", [])


def team_week_view(app: FieldLogApp, arg: str = "") -> ft.View:
    return sub_view(f"team_week/{arg}", "Week", [])
