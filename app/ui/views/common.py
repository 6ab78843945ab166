"""Pieces every screen shares: the tab bar, big buttons, headings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

if TYPE_CHECKING:
    from app.ui.shell import FieldLogApp

# (route, label, icon, icon when selected): the bottom tab bar, thumb-reachable.
Tab = tuple[str, str, ft.IconData, ft.IconData]
TABS: tuple[Tab, ...] = (
    ("home", "Home", ft.Icons.HOME_OUTLINED, ft.Icons.HOME),
    ("history", "History", ft.Icons.HISTORY, ft.Icons.HISTORY),
    ("members", "Members", ft.Icons.PEOPLE_OUTLINE, ft.Icons.PEOPLE),
    ("employers", "Employers", ft.Icons.STORE_OUTLINED, ft.Icons.STORE),
    ("settings", "Settings", ft.Icons.SETTINGS_OUTLINED, ft.Icons.SETTINGS),
)
TEAM_TAB: Tab = ("team", "Team", ft.Icons.GROUPS_OUTLINED, ft.Icons.GROUPS)
BIG = 60  # height of primary buttons: well above the 48 px touch minimum
PAD = ft.Padding.symmetric(horizontal=16, vertical=8)


def tab_view(app: FieldLogApp, route: str, title: str, controls: list[ft.Control],
             *, actions: list[ft.Control] | None = None) -> ft.View:
    """A top-level screen: title bar, scrolling content, the tab bar."""
    tabs = app.tabs
    routes = [t[0] for t in tabs]
    bar = ft.NavigationBar(
        selected_index=routes.index(route),
        destinations=[
            ft.NavigationBarDestination(icon=icon, selected_icon=selected, label=label)
            for _, label, icon, selected in tabs
        ],
        on_change=app.guard(lambda e: app.go(routes[e.control.selected_index])),
        label_behavior=ft.NavigationBarLabelBehavior.ALWAYS_SHOW,
    )
    return ft.View(
        route=route,
        appbar=ft.AppBar(title=ft.Text(title), actions=actions or []),
        controls=[ft.ListView(controls=controls, expand=True, spacing=14, padding=PAD)],
        navigation_bar=bar,
        padding=0,
    )


def sub_view(route: str, title: str, controls: list[ft.Control]) -> ft.View:
    """A screen opened from a tab: title bar with a back arrow, scrolling content."""
    return ft.View(
        route=route,
        appbar=ft.AppBar(title=ft.Text(title)),
        controls=[ft.ListView(controls=controls, expand=True, spacing=14, padding=PAD)],
        padding=0,
    )


def big_button(label: str, icon: ft.IconData, on_click, *, key: str,
               filled: bool = True) -> ft.Control:
    kind = ft.FilledButton if filled else ft.OutlinedButton
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
