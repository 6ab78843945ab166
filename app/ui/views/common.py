"""Pieces every screen shares: the tab list, screen layouts, big buttons, text."""

from __future__ import annotations

from datetime import date

import flet as ft

from app.ui import text as words
from app.ui.navigator import Screen, Tab

TABS: tuple[Tab, ...] = (
    ("home", "Home", ft.Icons.HOME_OUTLINED, ft.Icons.HOME),
    ("history", "History", ft.Icons.HISTORY, ft.Icons.HISTORY),
    ("members", "Members", ft.Icons.PEOPLE_OUTLINE, ft.Icons.PEOPLE),
    ("employers", "Employers", ft.Icons.STORE_OUTLINED, ft.Icons.STORE),
    ("settings", "Settings", ft.Icons.SETTINGS_OUTLINED, ft.Icons.SETTINGS),
)
TEAM = "team"
TEAM_TAB: Tab = (TEAM, "Team", ft.Icons.GROUPS_OUTLINED, ft.Icons.GROUPS)
BIG = 60  # height of primary buttons: well above the 48 px touch minimum
PAD = ft.Padding.symmetric(horizontal=16, vertical=8)


def scrolling(controls: list[ft.Control], on_scroll=None) -> ft.ListView:
    return ft.ListView(controls=controls, expand=True, spacing=14, padding=PAD,
                       on_scroll=on_scroll)


def tab_screen(route: str, title: str, controls: list[ft.Control], *,
               actions: list[ft.Control] | None = None, refresh=None,
               on_scroll=None) -> Screen:
    """A top-level screen: title bar, scrolling content, the tab bar."""
    return Screen(route=route, title=title, body=[scrolling(controls, on_scroll)], tab=route,
                  actions=actions or [], refresh=refresh)


def sub_screen(route: str, title: str, controls: list[ft.Control], *,
               actions: list[ft.Control] | None = None, refresh=None) -> Screen:
    """A screen opened from another: title bar with a back arrow, scrolling content."""
    return Screen(route=route, title=title, body=[scrolling(controls)],
                  actions=actions or [], refresh=refresh)


def big_button(label: str, icon: ft.IconData, on_click, *, key: str,
               filled: bool = True) -> ft.FilledButton | ft.OutlinedButton:
    kind: type[ft.FilledButton | ft.OutlinedButton] = (
        ft.FilledButton if filled else ft.OutlinedButton)
    return kind(
        content=label,
        icon=icon,
        on_click=on_click,
        key=key,
        height=BIG,
        style=ft.ButtonStyle(text_style=ft.TextStyle(size=18, weight=ft.FontWeight.W_600)),
    )


def heading(text: str) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD)


def muted(text: str, **kwargs) -> ft.Text:
    return ft.Text(text, color=ft.Colors.ON_SURFACE_VARIANT, **kwargs)


def due_tile(says: str, due: date, on: date, *, overdue: bool, key: str,
             on_click=None) -> ft.ListTile:
    """One timed rule not met yet: overdue in red, with its own icon (never
    colour alone), and when it is due as seen on `on`."""
    color = ft.Colors.ERROR if overdue else None
    return ft.ListTile(
        leading=ft.Icon(ft.Icons.ERROR if overdue else ft.Icons.SCHEDULE, color=color),
        title=ft.Text(says, max_lines=3),
        subtitle=ft.Text(words.sentence(words.due_text(due, on)), color=color),
        on_click=on_click, key=key, content_padding=ft.Padding.only(left=8))
