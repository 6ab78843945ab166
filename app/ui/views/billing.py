"""Billing (supervisors): the month's billing worksheet, a card per member and
payer with the encounters and the claim lines or, in red, why it cannot be
billed yet; the totals by payer on top; the month above the list and the
worksheet as CSV or PDF for the billing clerk below it, both always in view
(the files where the thumb is).

It opens on last month (billing is done at month end, see app/ui/billing.py).
The last worksheets fetched are kept sealed on the phone and shown, with
their age, when the server cannot be reached.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Literal

import flet as ft

from app.domain.billing import Month
from app.domain.errors import ValidationError
from app.domain.payers import Payer
from app.ui import text
from app.ui.billing import Row, Sheet, default_month, file_problem, month_label, problem_text
from app.ui.navigator import Navigator, Screen
from app.ui.widgets import icon_button
from sync.errors import SyncError
from sync.team import TeamBilling, TeamClient

from .common import BIG, heading, muted, scrolling


def billing_screen(nav: Navigator, team: TeamClient, payers: Mapping[str, Payer],
                   on_phone: Callable[[str], bool], now: Callable[[], datetime],
                   today: Callable[[], date], arg: str) -> Screen:
    """The worksheet of the month `arg` ("2026-11"; last month when empty): the
    one kept at once, then a fresh one, fetched whenever the screen opens and
    on Refresh."""
    current = Month.of(today())
    try:
        month = Month.parse(arg) if arg else default_month(today())
    except ValidationError:
        raise LookupError("There is no such month.") from None
    month = min(month, current)
    label = month_label(month)
    body = ft.Column(spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    # busy: a fetch is on its way (from the start: the screen opens fetching).
    state: dict[str, Any] = {"kept": team.cached_billing(str(month)), "note": None,
                             "busy": True, "fetching": False}

    def fill() -> None:
        kept: TeamBilling | None = state["kept"]
        controls: list[ft.Control] = []
        if state["busy"]:
            controls += [ft.ProgressBar(key="billing_progress"),
                         muted(f"Fetching the worksheet for {label}…" if kept is None
                               else "Updating…", key="billing_loading")]
        if state["note"]:
            controls.append(ft.Text(state["note"], key="billing_note",
                                    color=ft.Colors.ON_SURFACE_VARIANT))
        if month == current:
            controls.append(muted(f"{label} is still running: visits logged later this month "
                                  "join it.", key="billing_running"))
        if kept is not None:
            controls += _content(nav, Sheet.of(kept.body, payers), on_phone,
                                 kept.fetched_at, now())
        body.controls = controls

    async def fetch() -> None:
        if state["fetching"]:
            return
        state["fetching"] = state["busy"] = True
        state["note"] = None
        fill()
        nav.update()
        try:
            state["kept"] = await asyncio.to_thread(team.billing, str(month))
        except SyncError as error:
            kept: TeamBilling | None = state["kept"]
            state["note"] = problem_text(error, kept.fetched_at if kept else None, now())
        finally:
            state["fetching"] = state["busy"] = False
        fill()
        nav.update()

    def step(to: Month):
        return nav.guard(lambda _e: nav.replace(f"billing/{to}"))

    later = month.next()
    chooser = ft.Row([
        icon_button(ft.Icons.CHEVRON_LEFT, f"Month before ({month_label(month.previous())})",
                    step(month.previous()), key="month_before"),
        ft.Text(label, size=18, weight=ft.FontWeight.BOLD, key="billing_month"),
        icon_button(ft.Icons.CHEVRON_RIGHT, f"Month after ({month_label(later)})",
                    step(later), key="month_after", disabled=later > current),
    ], alignment=ft.MainAxisAlignment.SPACE_BETWEEN)

    def saver(kind: Literal["csv", "pdf"]) -> ft.OutlinedButton:
        async def save(_e: Any) -> None:
            name = f"billing-{month}.{kind}"
            button.disabled = True
            nav.notify(f"Making the worksheet for {label} ({kind.upper()})…")
            try:
                document = await asyncio.to_thread(team.billing_document, str(month), kind)
            except SyncError as error:
                nav.notify(file_problem(error))
                return
            finally:
                button.disabled = False
                nav.update()
            await nav.save_file(name, document)
            nav.notify(f"Worksheet ready: {name} ({len(document) // 1024 + 1} KB).")

        button = ft.OutlinedButton(
            content=f"Save {kind.upper()}", icon=ft.Icons.DOWNLOAD, key=f"billing_{kind}",
            height=BIG, expand=True, on_click=nav.guard(save),
            tooltip=f"Save the worksheet for {label} as {kind.upper()}, for the billing clerk")
        return button

    refresh = icon_button(ft.Icons.REFRESH, "Refresh the worksheet",
                          nav.guard(lambda _e: nav.run(fetch)), key="billing_refresh")
    fill()
    nav.run(fetch)
    footer = ft.Container(ft.Row([saver("csv"), saver("pdf")], spacing=12),
                          padding=ft.Padding.only(left=16, right=16, top=8, bottom=12))
    # The month stays in view above the list, the files below it.
    return Screen(route=f"billing/{arg}" if arg else "billing", title="Billing",
                  body=[ft.Container(chooser, padding=ft.Padding.symmetric(horizontal=8)),
                        scrolling([body]), footer], actions=[refresh])


def _content(nav: Navigator, sheet: Sheet, on_phone: Callable[[str], bool],
             fetched_at: datetime, now: datetime) -> list[ft.Control]:
    label = month_label(sheet.month)
    if not sheet.rows:
        return [muted(f"No encounters with a payer in {label}. Fetched "
                      f"{text.ago(fetched_at, now)}.", key="billing_empty")]
    controls: list[ft.Control] = [
        muted(f"As the server had it {text.ago(fetched_at, now)}: records still on a "
              "specialist's phone are not counted yet. Tap a member for what to do.", size=13,
              key="billing_age"),
    ]
    if sheet.blocked:
        controls.append(ft.Row([
            ft.Icon(ft.Icons.ERROR, color=ft.Colors.ERROR),
            ft.Text(f"{text.plural(sheet.blocked, 'row')} cannot be billed yet: fix "
                    f"{'it' if sheet.blocked == 1 else 'them'} before you bill.",
                    color=ft.Colors.ERROR, expand=True, key="billing_blocked"),
        ], spacing=8))
    controls.append(heading("Totals by payer"))
    controls += [_total_card(total.payer, total.payer_name, total.summary, total.lines)
                 for total in sheet.totals]
    controls.append(heading("Members"))
    controls += [_row_card(nav, sheet.month, row, on_phone) for row in sheet.rows]
    return controls


def _total_card(payer: str, name: str, summary: str, lines: str) -> ft.Control:
    return ft.Container(ft.Column([
        ft.Text(name, weight=ft.FontWeight.BOLD),
        ft.Text(summary, key=f"billing_total:{payer}"),
        ft.Text(lines, key=f"billing_total_lines:{payer}"),
    ], spacing=2), padding=12, border_radius=8, bgcolor=ft.Colors.SURFACE_CONTAINER_LOW)


def _row_card(nav: Navigator, month: Month, row: Row,
              on_phone: Callable[[str], bool]) -> ft.Control:
    def opened(_e: Any) -> None:
        if on_phone(row.member_id):
            nav.open(f"member_page/{row.member_id}")
            return
        title, detail = row.not_here(month)
        nav.ask(title, detail, [("OK", "billing_ok", None)])

    if row.billable:
        verdict: list[ft.Control] = [ft.Row([
            ft.Icon(ft.Icons.CHECK_CIRCLE, color=ft.Colors.GREEN_800, size=18),
            ft.Text(row.lines, weight=ft.FontWeight.BOLD, expand=True,
                    key=f"billing_lines:{row.key}"),
        ], spacing=6)]
    else:
        verdict = [ft.Row([
            ft.Icon(ft.Icons.ERROR, color=ft.Colors.ERROR, size=18),
            ft.Text(row.blocked_text, color=ft.Colors.ERROR, expand=True,
                    key=f"billing_blockers:{row.key}"),
        ], spacing=6, vertical_alignment=ft.CrossAxisAlignment.START)]
    return ft.Card(ft.Container(ft.Row([
        ft.Column([
            ft.Text(row.member, size=16, weight=ft.FontWeight.BOLD),
            muted(f"{row.specialist} · {row.payer_name}", size=13),
            ft.Row([ft.Text(row.encounters_text, key=f"billing_encounters:{row.key}"),
                    muted(row.days, size=12, key=f"billing_days:{row.key}")],
                   spacing=8, wrap=True),
            *verdict,
        ], spacing=3, expand=True),
        ft.Icon(ft.Icons.CHEVRON_RIGHT),
    ]), padding=12, key=f"billing_row:{row.key}", on_click=nav.guard(opened)))
