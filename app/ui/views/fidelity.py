"""Fidelity (supervisors): the IPS Fidelity Scale items the log can evidence,
over a quarter, each with its value, its rating as a 1-5 bar and its evidence,
a tap to the records behind it; and the employment rate against the IPS
benchmarks over the last quarters."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

import flet as ft
import flet_charts as fch

from app.domain import Quarter
from app.ui import text
from app.ui.fidelity import item_title, rate_text, record_lines, value_text
from app.ui.navigator import Navigator, Screen
from app.ui.widgets import icon_button
from sync.errors import SyncError
from sync.protocol import Benchmarks, FidelityItemInfo, FidelityResponse, QuarterOutcomes
from sync.team import TeamClient

from .common import heading, muted, sub_screen

CHART_QUARTERS = 4


def fidelity_screen(nav: Navigator, team: TeamClient, today: Callable[[], date],
                    arg: str) -> Screen:
    current = Quarter.of(today())
    quarter = Quarter.parse(arg) if arg else current
    body = ft.Column(spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    body.controls = [ft.ProgressBar(), muted("Working out the fidelity items…")]

    async def load() -> None:
        try:
            answer = await asyncio.to_thread(team.fidelity, str(quarter),
                                             quarters=CHART_QUARTERS)
        except SyncError as error:
            body.controls = [ft.Text(str(error), key="fidelity_problem")]
        else:
            body.controls = _content(nav, quarter, answer)
        nav.update()

    def step(by: int):
        return nav.guard(lambda _e: nav.replace(f"fidelity/{quarter.shifted(by)}"))

    later = quarter.shifted(1)
    chooser = ft.Row([
        icon_button(ft.Icons.CHEVRON_LEFT, f"Quarter before ({quarter.shifted(-1)})", step(-1),
                    key="quarter_before"),
        ft.Text(f"{quarter} · {quarter.start:%b} to {quarter.end:%b %Y}", size=16,
                weight=ft.FontWeight.BOLD, key="quarter"),
        icon_button(ft.Icons.CHEVRON_RIGHT, f"Quarter after ({later})", step(1),
                    key="quarter_after", disabled=later > current),
    ], alignment=ft.MainAxisAlignment.SPACE_BETWEEN)
    async def save_report(_e) -> None:
        name = f"fidelity-evidence-{quarter}.pdf"
        report.disabled = True
        nav.notify(f"Making the evidence report for {quarter}: this takes a few seconds...")
        try:
            pdf = await asyncio.to_thread(team.fidelity_report, str(quarter))
        finally:
            report.disabled = False
            nav.update()
        await nav.save_file(name, pdf)
        nav.notify(f"Evidence report ready: {name} ({len(pdf) // 1024 + 1} KB).")

    report = icon_button(ft.Icons.PICTURE_AS_PDF_OUTLINED,
                         f"Save the evidence report for {quarter} (PDF)",
                         nav.guard(save_report), key="fidelity_report")
    nav.run(load)
    return sub_screen(f"fidelity/{arg}" if arg else "fidelity", "Fidelity", [chooser, body],
                      actions=[report])


def _content(nav: Navigator, quarter: Quarter, answer: FidelityResponse) -> list[ft.Control]:
    controls: list[ft.Control] = [
        muted(f"From the log as it stood on {answer['as_of']}: every number can be traced "
              "to records (tap an item). Ratings marked * use anchors not checked against "
              "the published scale.", size=13),
    ]
    for item in answer["items"]:
        controls.append(_item_card(nav, quarter, item))
    outcomes = answer["outcomes"]
    controls += [
        heading("Employment"),
        ft.Text(f"Employment rate: {rate_text(outcomes['employment_rate'])} "
                f"({outcomes['worked']} of {text.plural(outcomes['served'], 'member')} served "
                f"worked a competitive job); {text.plural(outcomes['job_starts'], 'job start')}.",
                key="employment_rate"),
        _rate_chart(answer["outcomes_by_quarter"], outcomes["benchmarks"]),
    ]
    return controls


def _item_card(nav: Navigator, quarter: Quarter, item: FidelityItemInfo) -> ft.Control:
    name, rating = item["item"], item["rating"]
    unverified = any(not a["verified"] for a in item.get("anchors", []) if a["rating"] < 5)
    bar = ft.Row([ft.Container(width=28, height=10, border_radius=3,
                               bgcolor=ft.Colors.PRIMARY if rating and n <= rating
                               else ft.Colors.SURFACE_CONTAINER_HIGHEST)
                  for n in range(1, 6)], spacing=3)
    rated = (f"{rating} of 5{' *' if unverified else ''}" if rating is not None
             else "Not rated: the log cannot tell")
    return ft.Card(ft.Container(ft.Column([
        ft.Text(item_title(name), weight=ft.FontWeight.BOLD, size=16),
        ft.Text(value_text(name, item["value"])),
        ft.Row([bar, ft.Text(rated, key=f"rating:{name}")], spacing=10),
        muted(item["evidence"], size=13),
    ], spacing=6), padding=12, key=f"fidelity:{name}",
        on_click=nav.opener(f"fidelity_item/{quarter}/{name}")))


def _rate_chart(quarters: list[QuarterOutcomes], benchmarks: Benchmarks) -> ft.Control:
    labels = [fch.ChartAxisLabel(value=i, label=ft.Text(q["quarter"], size=10))
              for i, q in enumerate(quarters)]
    last = max(len(quarters) - 1, 1)
    lines = [
        fch.LineChartData(points=[fch.LineChartDataPoint(-0.5, value * 100),
                                  fch.LineChartDataPoint(last + 0.5, value * 100)],
                          color=colour, stroke_width=1, dash_pattern=[4, 4])
        for value, colour in ((benchmarks["minimum"], ft.Colors.RED_300),
                              (benchmarks["average"], ft.Colors.AMBER_700),
                              (benchmarks["excellent"], ft.Colors.GREEN_700))
    ]
    rates = [(i, q["employment_rate"]) for i, q in enumerate(quarters)
             if q["employment_rate"] is not None]
    return ft.Semantics(
        identifier="employment_chart",
        label="Employment rate by quarter: " + ", ".join(
            f"{q['quarter']} {rate_text(q['employment_rate'])}" for q in quarters),
        content=ft.Column([
            fch.LineChart(
                data_series=[fch.LineChartData(
                    points=[fch.LineChartDataPoint(i, round(r * 100, 1)) for i, r in rates],
                    color=ft.Colors.PRIMARY, stroke_width=3, point=True), *lines],
                # Half a step of room at each end: the first and last labels are
                # drawn whole, clear of the left axis's numbers.
                min_y=0, max_y=100, min_x=-0.5, max_x=last + 0.5, height=180,
                interactive=False,
                bottom_axis=fch.ChartAxis(labels=labels, label_size=24),
                left_axis=fch.ChartAxis(label_size=40, label_spacing=25),
                border=ft.Border.all(0, ft.Colors.TRANSPARENT)),
            muted(f"Solid: the team's employment rate (%). Dashed: the IPS benchmarks, "
                  f"{round(benchmarks['minimum'] * 100)}% minimum, "
                  f"{round(benchmarks['average'] * 100)}% average, "
                  f"{round(benchmarks['excellent'] * 100)}% excellent.", size=12),
        ], spacing=4))


def fidelity_item_screen(nav: Navigator, team: TeamClient, arg: str) -> Screen:
    """The records behind one item: what a reviewer would check."""
    quarter_text, _, name = arg.partition("/")
    try:
        quarter = Quarter.parse(quarter_text)
        title = item_title(name)
    except (ValueError, KeyError):
        raise LookupError("There is no such fidelity item.") from None
    body = ft.Column(spacing=4, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    body.controls = [ft.ProgressBar()]

    async def load() -> None:
        try:
            answer = await asyncio.to_thread(team.fidelity, str(quarter))
        except SyncError as error:
            body.controls = [ft.Text(str(error))]
        else:
            item = next(i for i in answer["items"] if i["item"] == name)
            lines = record_lines(name, item["records"])
            body.controls = [
                muted(str(quarter), key="fidelity_item_quarter"),
                ft.Text(value_text(name, item["value"]), weight=ft.FontWeight.BOLD),
                muted(item["evidence"], size=13),
                *(ft.ListTile(title=ft.Text(line.title), subtitle=ft.Text(line.detail,
                              max_lines=3, color=ft.Colors.ERROR if line.flagged else None),
                              leading=ft.Icon(ft.Icons.ERROR_OUTLINE if line.flagged
                                              else ft.Icons.CHECK_CIRCLE_OUTLINE,
                                              color=ft.Colors.ERROR if line.flagged else None),
                              key=f"fidelity_row:{n}", content_padding=ft.Padding.only(left=4))
                  for n, line in enumerate(lines)),
            ] if lines else [muted("No records behind this item in the quarter.")]
        nav.update()

    nav.run(load)
    return sub_screen(f"fidelity_item/{arg}", title, [body])
