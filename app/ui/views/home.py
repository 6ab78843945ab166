"""Home: this week's face-to-face employer contacts at a glance, and the two
buttons of the common path."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft
import flet_charts as fch

from app.ui import text
from app.ui.state import HomeSummary

from .common import big_button, muted, tab_view

if TYPE_CHECKING:
    from app.ui.shell import FieldLogApp

RING = 168


def home_view(app: FieldLogApp, _arg: str = "") -> ft.View:
    summary = HomeSummary.of(app.store, app.now())
    met_color = ft.Colors.GREEN_700 if summary.progress >= 1 else ft.Colors.PRIMARY
    ring = ft.Stack(
        [
            # The ring repeats the number for the eye only; screen readers get the text.
            ft.Semantics(
                content=ft.ProgressRing(value=summary.progress, width=RING, height=RING,
                                        stroke_width=14, color=met_color,
                                        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST),
                exclude_semantics=True,
            ),
            ft.Container(
                ft.Column(
                    [
                        ft.Semantics(
                            content=ft.Text(summary.tally, size=44, weight=ft.FontWeight.BOLD,
                                            key="tally"),
                            identifier="tally",
                            container=True,
                        ),
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
    sync_icon = ft.Icons.CLOUD_DONE_OUTLINED if summary.synced else ft.Icons.CLOUD_UPLOAD_OUTLINED
    controls = [
        ft.Container(ring, alignment=ft.Alignment.CENTER, padding=ft.Padding.only(top=8)),
        ft.Text(summary.status, text_align=ft.TextAlign.CENTER, size=16, key="status"),
        muted(summary.days_left, text_align=ft.TextAlign.CENTER, key="days_left"),
        big_button("Log employer contact", ft.Icons.HANDSHAKE_OUTLINED,
                   app.guard(lambda _e: app.go("contact")), key="log_contact"),
        big_button("Log member visit", ft.Icons.PERSON_OUTLINE,
                   app.guard(lambda _e: app.go("visit")), key="log_visit", filled=False),
        ft.Row(
            [ft.Icon(sync_icon, size=20, color=ft.Colors.ON_SURFACE_VARIANT),
             muted(summary.sync, key="sync")],
            alignment=ft.MainAxisAlignment.CENTER,
        ),
        ft.Text("Last 8 weeks", weight=ft.FontWeight.BOLD),
        _weeks_chart(summary),
        muted(f"Dashed line: the target of {summary.target} a week", size=12),
    ]
    return tab_view(app, "home", "This week", controls)


def _weeks_chart(summary: HomeSummary) -> ft.Control:
    counts = [count for _, count in summary.weeks]
    # Grid lines every `target` units, with the top kept below twice the
    # target unless a week passed it, draw the target as one dashed line.
    top = max(summary.target + 1, max(counts, default=0) + 1)
    groups = [
        fch.BarChartGroup(
            x=i,
            rods=[fch.BarChartRod(
                to_y=count,
                width=18,
                color=ft.Colors.GREEN_600 if count >= summary.target else ft.Colors.PRIMARY,
                border_radius=4,
                tooltip=f"{count} of {summary.target}",
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
