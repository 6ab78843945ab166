"""Team (supervisors): each specialist's face-to-face employer contacts over
the last 8 weeks against the target, the team average and fidelity rating,
and one specialist's week to review.

Numbers always show in the cells: the colours only repeat them. The last grid
fetched is kept sealed on the phone and shown, with its age, when offline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import flet as ft
import flet_charts as fch

from app.domain import TeamSettings
from app.ui import text
from app.ui.navigator import Navigator, Screen
from app.ui.state import Level, TeamGrid, contact_line, level_ranges
from app.ui.widgets import icon_button
from sync.client import SyncError
from sync.team import TeamClient, TeamTallies

from .common import big_button, heading, muted, sub_screen, tab_screen

FRESH = timedelta(minutes=1)  # a grid younger than this is not fetched again
NAME_WIDTH = 96
CELL = 33
# (background, text) per level: dark text on light colour, readable either way.
COLOURS = {
    Level.MET: (ft.Colors.GREEN_100, ft.Colors.GREEN_900),
    Level.SHORT: (ft.Colors.AMBER_100, ft.Colors.BROWN_900),
    Level.FAR: (ft.Colors.RED_100, ft.Colors.RED_900),
}
LEVEL_WORDS = {Level.MET: "target met", Level.SHORT: "one or two short",
               Level.FAR: "further short"}


# ----- the grid -------------------------------------------------------------------------


def team_screen(nav: Navigator, team: TeamClient, now: Callable[[], datetime],
                today: Callable[[], date]) -> Screen:
    body = ft.Column(spacing=14, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    state: dict[str, Any] = {"kept": team.cached_tallies(), "note": None}

    def fill() -> None:
        kept: TeamTallies | None = state["kept"]
        body.controls = _grid_content(nav, kept, state["note"], now())

    async def fetch() -> None:
        state["note"] = "Updating…"
        fill()
        nav.update()
        try:
            state["kept"] = await asyncio.to_thread(team.tallies, today())
            state["note"] = None
        except SyncError as error:
            state["note"] = _offline_note(state["kept"], error, now())
        fill()
        nav.update()

    fill()
    kept = state["kept"]
    if kept is None or now() - kept.fetched_at > FRESH:
        nav.run(fetch)
    refresh = icon_button(ft.Icons.REFRESH, "Refresh the team's counts",
                          nav.guard(lambda _e: nav.run(fetch)), key="team_refresh")
    return tab_screen("team", "Team", [body], actions=[refresh])


def _offline_note(kept: TeamTallies | None, error: SyncError, now: datetime) -> str:
    if kept is None:
        return f"The team's counts cannot be fetched now. {error}"
    return (f"Offline — showing the counts fetched {text.ago(kept.fetched_at, now)}.")


def _grid_content(nav: Navigator, kept: TeamTallies | None, note: str | None,
                  now: datetime) -> list[ft.Control]:
    controls: list[ft.Control] = []
    if note:
        controls.append(ft.Text(note, key="team_note", color=ft.Colors.ON_SURFACE_VARIANT))
    if kept is None:
        return controls
    grid = TeamGrid.of(kept.body)
    controls += [
        ft.Text(f"Team average: {grid.average:.1f} a week (target {grid.target})",
                size=18, weight=ft.FontWeight.BOLD, key="team_average"),
        ft.Text(f"Fidelity rating, frequent employer contact: {grid.rating} of 5",
                key="team_rating"),
        muted(f"Counts as of {text.ago(kept.fetched_at, now)}. "
              "Tap a cell to see and review that week.", size=13, key="team_age"),
        _grid(nav, grid),
        _legend(grid.target),
    ]
    if not grid.rows:
        controls.append(muted("No specialists on this team yet."))
    controls += [heading("Team average by week"), _trend(grid)]
    return controls


def _grid(nav: Navigator, grid: TeamGrid) -> ft.Control:
    header = ft.Row(
        [ft.Container(width=NAME_WIDTH),
         *(ft.Container(ft.Text(text.chart_label(w), size=10), width=CELL,
                        alignment=ft.Alignment.CENTER) for w in grid.weeks)],
        spacing=2,
    )
    rows: list[ft.Control] = [header]
    for row in grid.rows:
        name: list[ft.Control] = [ft.Text(row.name, size=13, max_lines=2,
                                          overflow=ft.TextOverflow.ELLIPSIS)]
        if row.pending:
            name.append(ft.Text(f"{row.pending} unsynced", size=11, color=ft.Colors.ORANGE_900,
                                key=f"pending:{row.user_id}"))
        cells = [
            _cell(nav, row.name, cell.user_id, cell.week, cell.count, cell.level)
            for cell in row.cells
        ]
        rows.append(ft.Row([ft.Container(ft.Column(name, spacing=0), width=NAME_WIDTH),
                            *cells], spacing=2))
    rows.append(ft.Row(
        [ft.Container(ft.Text("Average", size=13, weight=ft.FontWeight.BOLD), width=NAME_WIDTH),
         *(ft.Container(ft.Text(f"{a:.1f}", size=11, weight=ft.FontWeight.BOLD), width=CELL,
                        alignment=ft.Alignment.CENTER) for a in grid.week_averages)],
        spacing=2,
    ))
    return ft.Column(rows, spacing=2, key="team_grid")


def _cell(nav: Navigator, name: str, user_id: str, week: date, count: int,
          level: Level) -> ft.Control:
    background, colour = COLOURS[level]
    return ft.Semantics(
        label=f"{name}, week of {text.chart_label(week)}: {count}, {LEVEL_WORDS[level]}",
        button=True,
        content=ft.Container(
            ft.Text(str(count), size=15, weight=ft.FontWeight.BOLD, color=colour),
            width=CELL, height=38, bgcolor=background, alignment=ft.Alignment.CENTER,
            border_radius=4, key=f"cell:{user_id}:{week.isoformat()}",
            on_click=nav.guard(lambda _e: nav.open(f"team_week/{user_id}/{week.isoformat()}")),
        ),
    )


def _legend(target: int) -> ft.Control:
    items: list[ft.Control] = []
    for lvl, counts in level_ranges(target).items():
        background, colour = COLOURS[lvl]
        items.append(ft.Row([
            ft.Container(width=14, height=14, bgcolor=background, border_radius=3,
                         border=ft.Border.all(1, colour)),
            ft.Text(f"{counts}: {LEVEL_WORDS[lvl]}", size=12),
        ], spacing=4, tight=True))
    return ft.Row(items, wrap=True, spacing=12, run_spacing=4)


def _trend(grid: TeamGrid) -> ft.Control:
    top = max(grid.target + 1, int(max(grid.week_averages, default=0)) + 1)
    labels = [fch.ChartAxisLabel(value=i, label=ft.Text(text.chart_label(w), size=10))
              for i, w in enumerate(grid.weeks)]
    last = max(len(grid.weeks) - 1, 0)
    return ft.Semantics(
        identifier="team_trend",
        label="Team average by week: " + ", ".join(f"{a:.1f}" for a in grid.week_averages)
        + f"; target {grid.target}",
        content=ft.Column([
            fch.LineChart(
                data_series=[
                    fch.LineChartData(
                        points=[fch.LineChartDataPoint(i, round(a, 2))
                                for i, a in enumerate(grid.week_averages)],
                        color=ft.Colors.PRIMARY, stroke_width=3, point=True),
                    fch.LineChartData(
                        points=[fch.LineChartDataPoint(0, grid.target),
                                fch.LineChartDataPoint(last, grid.target)],
                        color=ft.Colors.RED_400, stroke_width=2, dash_pattern=[6, 4]),
                ],
                min_y=0, max_y=top, min_x=0, max_x=last, height=180, interactive=False,
                bottom_axis=fch.ChartAxis(labels=labels, label_size=24),
                left_axis=fch.ChartAxis(label_size=28, label_spacing=2),
                border=ft.Border.all(0, ft.Colors.TRANSPARENT),
            ),
            muted(f"Solid line: the team's average. Dashed: the target of {grid.target}.",
                  size=12),
        ], spacing=4),
    )


# ----- one specialist's week ----------------------------------------------------------------


def team_week_screen(nav: Navigator, team: TeamClient, settings: TeamSettings,
                     arg: str) -> Screen:
    user_id, _, day = arg.partition("/")
    try:
        week = date.fromisoformat(day)
    except ValueError:
        raise LookupError("There is no such week.") from None
    body = ft.Column(spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    body.controls = [ft.ProgressBar(), muted("Fetching the week…")]

    async def load() -> None:
        try:
            answer = await asyncio.to_thread(team.week, user_id, week)
        except SyncError as error:
            body.controls = [ft.Text(str(error), key="week_problem")]
        else:
            body.controls = _week_content(nav, team, settings, answer)
        nav.update()

    nav.run(load)
    return sub_screen(f"team_week/{arg}", "Specialist's week", [body])


def _week_content(nav: Navigator, team: TeamClient, settings: TeamSettings,
                  answer: dict[str, Any]) -> list[ft.Control]:
    week = date.fromisoformat(answer["week_start"])
    user = answer["user"]
    review_line = ft.Text(key="review_line")

    def show_review(review: dict[str, Any] | None) -> None:
        if review is None:
            review_line.value = "Not reviewed yet."
            return
        when = datetime.fromisoformat(review["at"]).astimezone(settings.zone)
        review_line.value = f"Reviewed by {review['by']['name']}, {text.when_label(when)}."
        button.visible = False

    async def mark_reviewed(_e: Any) -> None:
        button.disabled = True
        nav.update()
        try:
            review = await asyncio.to_thread(team.review, user["id"], week)
        except SyncError as error:
            review_line.value = str(error)
        else:
            show_review(review)
        button.disabled = False
        nav.update()  # the update above turned off the automatic one

    button = big_button("Reviewed", ft.Icons.TASK_ALT, nav.guard(mark_reviewed), key="review")
    show_review(answer["review"])
    contacts: list[ft.Control] = [
        ft.ListTile(
            leading=ft.Icon(ft.Icons.HANDSHAKE if c["data"].get("face_to_face")
                            else ft.Icons.HANDSHAKE_OUTLINED),
            title=ft.Text(c["data"]["employer"]),
            subtitle=ft.Text(contact_line(c["data"], settings), max_lines=3),
            content_padding=ft.Padding.only(left=8),
        )
        for c in answer["contacts"]
    ] or [muted("No employer contacts synced for this week.")]
    return [
        ft.Text(user["name"], size=20, weight=ft.FontWeight.BOLD),
        muted(text.week_label(week)),
        ft.Text(f"{answer['count']} of {answer['target']} face to face", size=18,
                key="week_count"),
        *contacts,
        ft.Divider(),
        review_line,
        button,
    ]
