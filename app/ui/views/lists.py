"""History (week by week), Members (the caseload) and Employers (the directory)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from app.domain import Record
from app.ui.state import caseload_line, history, member_detail

from .common import big_button, heading, muted, tab_view

if TYPE_CHECKING:
    from app.ui.shell import FieldLogApp


def _open(app: FieldLogApp, record: Record):
    return app.guard(lambda _e: app.go(f"{record.kind}/{record.id}"))


def _tile(app: FieldLogApp, record: Record, title: str, detail: str, icon: ft.IconData,
          *, deletable: bool = False) -> ft.ListTile:
    trailing = None
    if deletable:
        trailing = ft.IconButton(ft.Icons.DELETE_OUTLINE, tooltip=f"Delete {title}",
                                 on_click=app.guard(lambda _e: app.delete_with_undo(record)),
                                 key=f"delete:{record.id}")
    return ft.ListTile(
        leading=ft.Icon(icon),
        title=ft.Text(title, max_lines=1, overflow=ft.TextOverflow.ELLIPSIS),
        subtitle=ft.Text(detail, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
        trailing=trailing,
        on_click=_open(app, record),
        key=f"open:{record.id}",
        content_padding=ft.Padding.only(left=8),
    )


def history_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    weeks = history(app.store)
    controls: list[ft.Control] = []
    for week in weeks:
        controls.append(heading(week.heading))
        for item in week.items:
            icon = (ft.Icons.HANDSHAKE if item.counts else ft.Icons.HANDSHAKE_OUTLINED) \
                if item.record.kind == "employer_contact" else ft.Icons.PERSON_OUTLINE
            controls.append(_tile(app, item.record, item.title, item.detail, icon,
                                  deletable=True))
        controls.append(ft.Divider())
    if not weeks:
        controls.append(muted("Nothing logged yet. Contacts and visits you log appear here, "
                              "week by week; tap one to change it."))
    return tab_view(app, "history", "History", controls)


def members_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    members = sorted(
        app.store.list("member"),
        key=lambda m: (m.data["status"] != "active", m.data["display_name"].casefold()),
    )
    controls: list[ft.Control] = [
        ft.Text(caseload_line(members), size=18, weight=ft.FontWeight.BOLD, key="caseload"),
        big_button("Add member", ft.Icons.PERSON_ADD, app.guard(lambda _e: app.go("member")),
                   key="add_member", filled=False),
        *(_tile(app, m, m.data["display_name"], member_detail(m), ft.Icons.PERSON_OUTLINE)
          for m in members),
    ]
    if not members:
        controls.append(muted("Your caseload is empty. Add the members you work with."))
    return tab_view(app, "members", "Members", controls)


def employers_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    employers = sorted(app.store.list("employer"), key=lambda e: e.data["name"].casefold())
    controls: list[ft.Control] = [
        big_button("Add employer", ft.Icons.ADD_BUSINESS, app.guard(lambda _e: app.go("employer")),
                   key="add_employer", filled=False),
        *(_tile(app, e, e.data["name"],
                " · ".join(x for x in (e.data.get("industry"), e.data.get("phone")) if x),
                ft.Icons.STORE_OUTLINED)
          for e in employers),
    ]
    if not employers:
        controls.append(muted("No employers yet. Employers you add here are suggested "
                              "when you log a contact."))
    return tab_view(app, "employers", "Employers", controls)
