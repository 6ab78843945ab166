"""History (week by week), Members (the caseload) and Employers (the directory)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import flet as ft

from app.domain import Record
from app.store import Store
from app.ui import text
from app.ui.directory import DirectoryEntry, directory, entry_for, merge
from app.ui.history import ALL_KINDS, HISTORY_KINDS, history
from app.ui.navigator import Navigator, Screen
from app.ui.widgets import icon_button

from .common import big_button, heading, muted, sub_screen, tab_screen

Delete = Callable[[Record], None]


def _tile(nav: Navigator, record: Record, title: str, detail: str, icon: ft.IconData,
          *, delete: Delete | None = None) -> ft.Control:
    """A record in a list: tap to open it; a delete button of its own beside it
    (outside the tile, so the tile's name is the record's, not "Delete ...")."""
    tile = ft.ListTile(
        leading=ft.Icon(icon),
        title=ft.Text(title),
        subtitle=ft.Text(detail, max_lines=4, overflow=ft.TextOverflow.ELLIPSIS),
        on_click=nav.opener(f"{record.kind}/{record.id}"),
        key=f"open:{record.id}",
        content_padding=ft.Padding.only(left=8),
        expand=True,
    )
    if delete is None:
        return tile
    remove = icon_button(ft.Icons.DELETE_OUTLINE, f"Delete {title}",
                         nav.guard(lambda _e: delete(record)), key=f"delete:{record.id}")
    return ft.Row([tile, remove], spacing=0)


def history_screen(nav: Navigator, store: Store, delete: Delete) -> Screen:
    listing = ft.Column(spacing=14, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    search = ft.TextField(label="Search", key="history_search", prefix_icon=ft.Icons.SEARCH,
                          hint_text="Employer, member, person, notes",
                          value=nav.kept.get("history_search", ""))
    kinds = ft.SegmentedButton(
        key="history_kind",
        segments=[ft.Segment(value=key, label=ft.Text(label))
                  for key, label in HISTORY_KINDS.items()],
        selected=[nav.kept.get("history_kind", ALL_KINDS)],
        show_selected_icon=False,
    )

    def fill(_e=None) -> None:
        chosen = kinds.selected[0] if kinds.selected else ALL_KINDS
        nav.kept.update(history_search=search.value or "", history_kind=chosen)
        weeks = history(store, search=search.value or "", kind=chosen)
        controls: list[ft.Control] = []
        for week in weeks:
            controls.append(heading(week.heading))
            for item in week.items:
                icon = (ft.Icons.HANDSHAKE if item.counts else ft.Icons.HANDSHAKE_OUTLINED) \
                    if item.record.kind == "employer_contact" else ft.Icons.PERSON_OUTLINE
                controls.append(_tile(nav, item.record, item.title, item.detail, icon,
                                      delete=delete))
            controls.append(ft.Divider())
        if not weeks:
            controls.append(muted(
                "Nothing matches. Clear the search or choose All."
                if search.value or chosen != ALL_KINDS
                else "Nothing logged yet. Contacts and visits you log appear here, "
                     "week by week; tap one to change it."))
        listing.controls = controls

    search.on_change = nav.guard(fill)
    kinds.on_change = nav.guard(fill)
    fill()
    return tab_screen("history", "History", [search, kinds, listing])


def employers_screen(nav: Navigator, store: Store, now: Callable[[], datetime]) -> Screen:
    zone = store.settings.zone

    def detail(entry: DirectoryEntry) -> str:
        if not entry.contacts:
            return "Not met yet"
        when = text.when_label(datetime.fromisoformat(entry.last_met or "").astimezone(zone),
                               today=store.today())
        met = f"Met {text.plural(entry.contacts, 'time')}, last {when}"
        return met if entry.record else f"{met} · tap to add to your directory"

    def add(entry: DirectoryEntry):
        def made(_e) -> None:
            nav.open(f"employer/{entry_for(store, entry.name).id}")

        return nav.guard(made)

    controls: list[ft.Control] = [
        big_button("Add employer", ft.Icons.ADD_BUSINESS,
                   nav.opener("employer"), key="add_employer", filled=False),
    ]
    for entry in directory(store):
        if entry.record is not None:
            controls.append(_tile(nav, entry.record, entry.name, detail(entry),
                                  ft.Icons.STORE_OUTLINED))
        else:
            controls.append(ft.ListTile(
                leading=ft.Icon(ft.Icons.ADD_BUSINESS_OUTLINED), title=ft.Text(entry.name),
                subtitle=ft.Text(detail(entry), max_lines=3), on_click=add(entry),
                key=f"met:{entry.name}", content_padding=ft.Padding.only(left=8)))
    if len(controls) == 1:
        controls.append(muted("No employers yet. Employers you meet are added here when you "
                              "log the contact, and suggested the next time."))
    return tab_screen("employers", "Employers", controls)


def merge_screen(nav: Navigator, store: Store, employer_id: str) -> Screen:
    """Two entries for one employer: choose the one to keep."""
    duplicate = store.get(employer_id)
    if duplicate is None or duplicate.kind != "employer":
        raise LookupError("That employer was deleted meanwhile: nothing to merge.")
    name = duplicate.data["name"]

    def choose(keep: Record):
        def ask(_e) -> None:
            nav.ask("Merge employers?",
                    f"Contacts with {name} will name {keep.data['name']}, and {name} leaves "
                    "the directory.",
                    [("Cancel", "merge_cancel", None),
                     ("Merge", "merge_confirm", lambda: merged(keep))])

        return nav.guard(ask)

    def merged(keep: Record) -> None:
        changed = merge(store, duplicate, keep)
        nav.reset(["home", "employers"])
        nav.notify(f"Merged: {text.plural(changed, 'contact')} now name {keep.data['name']}.")

    others = [e for e in store.list("employer") if e.id != duplicate.id]
    others.sort(key=lambda e: e.data["name"].casefold())
    controls: list[ft.Control] = [
        ft.Text(f"Which employer is the same as {name}? Its contacts move to the one you "
                "choose.", key="merge_help"),
        *(ft.ListTile(leading=ft.Icon(ft.Icons.STORE_OUTLINED), title=ft.Text(e.data["name"]),
                      on_click=choose(e), key=f"merge_into:{e.id}",
                      content_padding=ft.Padding.only(left=8)) for e in others),
    ]
    if not others:
        controls.append(muted("There is no other employer in your directory to merge with."))
    return sub_screen(f"merge_employer/{employer_id}", f"Merge {name}", controls)
