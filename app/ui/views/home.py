"""Home: this week's face-to-face employer contacts at a glance, and the two
buttons of the common path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import flet as ft
import flet_charts as fch

from app.store import Store
from app.ui import text
from app.ui.caseload import due_route, due_soon
from app.ui.home import HomeSummary
from app.ui.navigator import Navigator, Screen
from app.ui.syncing import SyncSummary

from .common import big_button, due_tile, muted, tab_screen

RING = 168


def home_screen(nav: Navigator, store: Store, now: Callable[[], datetime],
                sync_summary: Callable[[], SyncSummary]) -> Screen:
    ring_bar = ft.ProgressRing(width=RING, height=RING, stroke_width=14,
                               bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST)
    tally = ft.Text(size=44, weight=ft.FontWeight.BOLD, key="tally")
    ring = ft.Stack(
        [
            # The ring repeats the number for the eye only; screen readers get the text.
            ft.Semantics(content=ring_bar, exclude_semantics=True),
            ft.Container(
                ft.Column(
                    [
                        ft.Semantics(content=tally, identifier="tally", container=True),
                        muted("face to face", size=14),
                    ],
                    spacing=0,
                    horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                    alignment=ft.MainAxisAlignment.CENTER,
                ),
                width=RING,
                height=RING,
                alignment=ft.Alignment.CENTER,
            ),
        ],
        width=RING,
        height=RING,
    )
    status = ft.Text(text_align=ft.TextAlign.CENTER, size=16, key="status")
    days_left = muted("", text_align=ft.TextAlign.CENTER, key="days_left")
    sync_icon = ft.Icon(ft.Icons.CLOUD_DONE_OUTLINED, color=ft.Colors.ON_SURFACE_VARIANT)
    sync_line = ft.Text(key="sync", weight=ft.FontWeight.W_500)
    sync_detail = muted("", size=13, key="sync_detail")
    chart = ft.Container()
    due = ft.Column(spacing=0, key="due_list")
    unreadable = ft.Text(color=ft.Colors.ERROR, key="unreadable", visible=False)
    target_note = muted("", size=12)

    def refresh() -> None:
        summary = HomeSummary.of(store, now())
        ring_bar.value = summary.progress
        ring_bar.color = ft.Colors.GREEN_700 if summary.progress >= 1 else ft.Colors.PRIMARY
        tally.value = summary.tally
        unreadable.value = summary.unreadable or ""
        unreadable.visible = summary.unreadable is not None
        status.value = summary.status
        days_left.value = summary.days_left
        sync = sync_summary()
        sync_icon.icon = (ft.Icons.SYNC if sync.running else ft.Icons.CLOUD_DONE_OUTLINED
                          if sync.synced else ft.Icons.CLOUD_UPLOAD_OUTLINED)
        sync_line.value = sync.waiting
        sync_detail.value = sync.detail
        chart.content = _weeks_chart(summary)
        due.controls = _due_rows(nav, store)
        target_note.value = (f"Dashed line: the target of {summary.target} a week. "
                             "The outlined bar is this week so far.")

    refresh()
    controls: list[ft.Control] = [
        ft.Container(ring, alignment=ft.Alignment.CENTER, padding=ft.Padding.only(top=8)),
        status,
        days_left,
        unreadable,
        big_button("Log employer contact", ft.Icons.HANDSHAKE_OUTLINED,
                   nav.opener("employer_contact"), key="log_contact"),
        big_button("Log member visit", ft.Icons.PERSON_OUTLINE,
                   nav.opener("member_visit"), key="log_visit",
                   filled=False),
        # One tap from here to the Sync screen.
        ft.ListTile(leading=sync_icon, title=sync_line, subtitle=sync_detail,
                    trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT), key="open_sync",
                    on_click=nav.opener("sync"),
                    content_padding=ft.Padding.only(left=8)),
        ft.Text("Overdue and due in the next 7 days", weight=ft.FontWeight.BOLD,
                key="due_heading"),
        due,
        ft.Text("Last 8 weeks", weight=ft.FontWeight.BOLD),
        chart,
        target_note,
    ]
    return tab_screen("home", "This week", controls, refresh=refresh)


def _due_rows(nav: Navigator, store: Store) -> list[ft.Control]:
    """The IPS timed rules overdue (first, in red) and due in the next 7 days; one
    tap to the member's page, or to the form that meets the item."""
    today = store.today()
    items = due_soon(store.due_items(today))
    if not items:
        return [muted("Nothing overdue or due in the next 7 days.", key="nothing_due")]
    return [
        due_tile(item.says, item.due, today, overdue=item.status == "overdue",
                 key=f"due:{item.rule}:{item.member_id}",
                 on_click=nav.opener(due_route(item)))
        for item in items
    ]



def _weeks_chart(summary: HomeSummary) -> ft.Control:
    counts = [count for _, count in summary.weeks]
    # Grid lines every `target` units, with the top kept below twice the
    # target unless a week passed it, draw the target as one dashed line.
    top = max(summary.target + 1, max(counts, default=0) + 1)
    running = len(counts) - 1  # this week: not over, so no verdict yet
    groups = [
        fch.BarChartGroup(
            x=i,
            rods=[fch.BarChartRod(
                to_y=count,
                width=18,
                # This week so far: outlined, not filled like a finished week.
                color=(ft.Colors.SURFACE_CONTAINER_HIGHEST if i == running
                       else ft.Colors.GREEN_600 if count >= summary.target
                       else ft.Colors.PRIMARY),
                border_side=(ft.BorderSide(2, ft.Colors.PRIMARY) if i == running else None),
                border_radius=4,
                tooltip=f"{count} of {summary.target}" + (" so far" if i == running else ""),
            )],
        )
        for i, count in enumerate(counts)
    ]
    labels = [
        fch.ChartAxisLabel(value=i, label=ft.Text(text.chart_label(week), size=11))
        for i, (week, _) in enumerate(summary.weeks)
    ]
    return ft.Semantics(
        identifier="weeks_chart",
        label="Face-to-face employer contacts per week: "
        + ", ".join(str(c) for c in counts),
        content=fch.BarChart(
            groups=groups,
            max_y=top,
            min_y=0,
            height=180,
            interactive=False,
            horizontal_grid_lines=fch.ChartGridLines(
                interval=summary.target, color=ft.Colors.RED_400, width=2, dash_pattern=[6, 4]
            ),
            bottom_axis=fch.ChartAxis(labels=labels, label_size=24),
            left_axis=fch.ChartAxis(label_size=28, label_spacing=summary.target),
            border=ft.Border.all(0, ft.Colors.TRANSPARENT),
        ),
    )
