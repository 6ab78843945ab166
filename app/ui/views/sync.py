"""Sync: records waiting, progress, the last successful sync, and the records
the server refused with its reason (tap one to fix it; saving sends it again)."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from app.store import Store
from app.ui.navigator import Navigator, Screen
from app.ui.syncing import SyncSummary
from app.ui.text import choice_label, record_title

from .common import big_button, heading, muted, sub_screen


def sync_screen(nav: Navigator, store: Store, connected: bool,
                summary: Callable[[], SyncSummary], sync_now: Callable[[], None]) -> Screen:
    body = ft.Column(spacing=14, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def fill() -> None:
        body.controls = _content(nav, store, connected, summary(), sync_now)

    fill()
    return sub_screen("sync", "Sync", [body], refresh=fill)


def _content(nav: Navigator, store: Store, connected: bool, summary: SyncSummary,
             sync_now: Callable[[], None]) -> list[ft.Control]:
    if not connected:
        return [
            ft.Text("Not connected to a server", size=18, key="sync_state"),
            muted("Your records stay on this phone until you connect to your team's server."),
            *_waiting(summary),
            big_button("Connect to server", ft.Icons.CLOUD_OUTLINED,
                       nav.opener("connect"), key="connect_to_server"),
        ]
    controls: list[ft.Control] = [
        ft.Text(summary.waiting, size=24, weight=ft.FontWeight.BOLD, key="sync_waiting"),
        ft.ProgressBar(value=summary.progress, visible=summary.running, key="sync_progress"),
        muted(summary.progress_text, visible=bool(summary.progress_text),
              key="sync_progress_text"),
        *_waiting(summary),
    ]
    if summary.detail != summary.last_sync:  # idle and fine: the detail is the last sync
        controls.insert(1, ft.Text(summary.detail, size=16, key="sync_detail"))
    controls.append(muted(summary.last_sync, key="sync_last"))
    if summary.offline_reason:
        controls.append(muted(summary.offline_reason, key="sync_offline_reason"))
    if summary.problem:
        controls.append(ft.Text(summary.problem, color=ft.Colors.ERROR, key="sync_problem"))
    if summary.enroll_again:
        controls.append(big_button("Connect again", ft.Icons.CLOUD_OUTLINED,
                                   nav.opener("connect"),
                                   key="connect_again"))
    controls.append(big_button("Sync now", ft.Icons.SYNC, nav.guard(lambda _e: sync_now()),
                               key="sync_now"))
    refused = store.outbox.rejections()
    controls += _section(
        f"Refused by the server ({len(refused)})",
        "These stay on this phone and are not sent again until you change them. Tap one to "
        "fix it; saving sends it again.",
        [ft.ListTile(
            leading=ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ERROR),
            title=ft.Text(record_title(r.record)),
            subtitle=ft.Text(r.message or "Refused by the server.", max_lines=4),
            on_click=None if r.record.deleted else nav.opener(f"{r.record.kind}/{r.record.id}"),
            key=f"refused:{r.record.id}",
            content_padding=ft.Padding.only(left=8),
        ) for r in refused])
    kept_aside = store.inbox.set_aside()
    controls += _section(
        f"Not stored on this phone ({len(kept_aside)})",
        "The server sent these but this phone cannot store them; the server keeps them. "
        "Updating the app usually fixes this. Tell your supervisor if it stays.",
        [ft.ListTile(leading=ft.Icon(ft.Icons.INFO_OUTLINE), title=ft.Text(choice_label(a.kind)),
                     subtitle=ft.Text(a.reason, max_lines=4), key=f"set_aside:{a.id}",
                     content_padding=ft.Padding.only(left=8)) for a in kept_aside])
    return controls


def _waiting(summary: SyncSummary) -> list[ft.Control]:
    if not summary.waiting_list:
        return []
    return [ft.Text(f"Waiting on this phone: {summary.waiting_list}.", key="sync_waiting_list")]


def _section(title: str, explanation: str, rows: list[ft.Control]) -> list[ft.Control]:
    """A titled list under the sync state; nothing when there is nothing to list."""
    if not rows:
        return []
    return [ft.Divider(), heading(title), muted(explanation), *rows]

