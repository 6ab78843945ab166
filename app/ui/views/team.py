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
from app.ui.team import (
    Level,
    Review,
    TeamCell,
    TeamGrid,
    average_text,
    contact_line,
    level_ranges,
    rating_text,
    review_line,
)
from app.ui.widgets import icon_button
from sync.errors import SyncError
from sync.team import TeamClient, TeamTallies

from .common import (
    big_button,
    due_tile,
    heading,
    muted,
    scrolling,
    sub_screen,
    tab_screen,
)

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
    """The grid: the last one fetched at once (offline too), then fresh counts,
    fetched whenever the screen opens, on Refresh and on pulling the list down."""
    body = ft.Column(spacing=14, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    state: dict[str, Any] = {"kept": team.cached_tallies(), "note": None, "busy": False}

    def fill() -> None:
        kept: TeamTallies | None = state["kept"]
        body.controls = _grid_content(nav, kept, state["note"], now(), today())

    async def fetch() -> None:
        if state["busy"]:
            return
        state["busy"], state["note"] = True, "Updating…"
        fill()
        nav.update()
        try:
            state["kept"] = await asyncio.to_thread(team.tallies, today())
            state["note"] = None
        except SyncError as error:
            state["note"] = _offline_note(state["kept"], error, now())
        finally:
            state["busy"] = False
        fill()
        nav.update()

    def pulled(e: ft.OnScrollEvent) -> None:
        if e.event_type is ft.ScrollType.OVERSCROLL and (e.overscroll or 0) < 0:
            nav.run(fetch)

    fill()
    nav.run(fetch)
    refresh = icon_button(ft.Icons.REFRESH, "Refresh the team's counts",
                          nav.guard(lambda _e: nav.run(fetch)), key="team_refresh")
    fidelity = big_button("Fidelity and outcomes", ft.Icons.INSIGHTS,
                          nav.opener("fidelity"), key="open_fidelity",
                          filled=False)
    billing = big_button("Billing", ft.Icons.RECEIPT_LONG_OUTLINED, nav.opener("billing"),
                         key="open_billing", filled=False)
    return tab_screen("team", "Team", [body, fidelity, billing], actions=[refresh],
                      on_scroll=nav.guard(pulled))


def _offline_note(kept: TeamTallies | None, error: SyncError, now: datetime) -> str:
    if kept is None:
        return f"The team's counts cannot be fetched now. {error}"
    return (f"Offline — showing the counts fetched {text.ago(kept.fetched_at, now)}.")


def _grid_content(nav: Navigator, kept: TeamTallies | None, note: str | None,
                  now: datetime, today: date) -> list[ft.Control]:
    controls: list[ft.Control] = []
    if note:
        controls.append(ft.Text(note, key="team_note", color=ft.Colors.ON_SURFACE_VARIANT))
    if kept is None:
        return controls
    grid = TeamGrid.of(kept.body, today)
    controls += [
        ft.Text(f"Team average: {average_text(grid.average)} (target {grid.target})",
                size=18, weight=ft.FontWeight.BOLD, key="team_average"),
        ft.Text(f"Fidelity rating, frequent employer contact: {rating_text(grid.rating)}",
                key="team_rating"),
        muted("Averages count finished weeks since each specialist started. "
              f"Counts as of {text.ago(kept.fetched_at, now)}; pull down to refresh. "
              "Tap a cell to see and review that week.", size=13, key="team_age"),
        _grid(nav, grid),
        _legend(grid.target),
    ]
    if not grid.rows:
        controls.append(muted("No specialists on this team yet."))
    controls += [heading("Due on the caseloads"), *_due_rows(nav, grid),
                 heading("Team average by week"), _trend(grid)]
    return controls


def _due_rows(nav: Navigator, grid: TeamGrid) -> list[ft.Control]:
    """Each specialist's IPS timed rules past due and due in the next 7 days; one tap to
    the list."""
    rows: list[ft.Control] = []
    for row in grid.rows:
        parts = [f"{row.overdue} overdue" if row.overdue else "",
                 f"{row.due_soon} due in the next 7 days" if row.due_soon else ""]
        said = " · ".join(p for p in parts if p) or "Nothing overdue or due in the next 7 days"
        rows.append(ft.ListTile(
            title=ft.Text(row.name), subtitle=ft.Text(
                said, color=ft.Colors.ERROR if row.overdue else None),
            leading=ft.Icon(ft.Icons.ERROR if row.overdue else ft.Icons.EVENT_AVAILABLE,
                            color=ft.Colors.ERROR if row.overdue else None),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT), key=f"team_due:{row.user_id}",
            on_click=nav.opener(f"team_due/{row.user_id}"),
            content_padding=ft.Padding.only(left=8)))
    return rows


def team_due_screen(nav: Navigator, team: TeamClient, today: Callable[[], date],
                    user_id: str) -> Screen:
    """What is due on one specialist's caseload, read only (as the server has it)."""
    body = ft.Column(spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    body.controls = [ft.ProgressBar(), muted("Fetching what is due…")]

    async def load() -> None:
        try:
            answer = await asyncio.to_thread(team.due, user_id)
        except SyncError as error:
            body.controls = [ft.Text(str(error), key="due_problem")]
        else:
            on = date.fromisoformat(answer["on"])
            items = answer["items"]
            body.controls = [
                ft.Text(answer["user"]["name"], size=20, weight=ft.FontWeight.BOLD),
                muted("As the server has it: records still on the specialist's phone are not "
                      "counted yet."),
                *(due_tile(item.get("says") or item["rule"], date.fromisoformat(item["due"]),
                           on, overdue=item["status"] == "overdue", key=f"team_due_item:{n}")
                  for n, item in enumerate(items)),
            ] if items else [muted("Nothing is due on this caseload.", key="team_nothing_due")]
        nav.update()

    nav.run(load)
    return sub_screen(f"team_due/{user_id}", "What is due", [body])


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
        cells = [_cell(nav, row.name, cell) for cell in row.cells]
        rows.append(ft.Row([ft.Container(ft.Column(name, spacing=0), width=NAME_WIDTH),
                            *cells], spacing=2))
    rows.append(ft.Row(
        [ft.Container(ft.Text("Average", size=13, weight=ft.FontWeight.BOLD), width=NAME_WIDTH),
         *(ft.Container(ft.Text("" if a is None else f"{a:.1f}", size=11,
                                weight=ft.FontWeight.BOLD),
                        width=CELL, alignment=ft.Alignment.CENTER) for a in grid.week_averages)],
        spacing=2,
    ))
    return ft.Column(rows, spacing=2, key="team_grid")


def _cell(nav: Navigator, name: str, cell: TeamCell) -> ft.Control:
    label = f"{name}, week of {text.chart_label(cell.week)}: "
    key = f"cell:{cell.user_id}:{cell.week.isoformat()}"
    if cell.count is None or cell.level is None:  # before the specialist started: blank
        return ft.Semantics(label=label + "before this specialist started", content=ft.Container(
            width=CELL, height=38, border_radius=4, key=key,
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT)))
    background, colour = COLOURS[cell.level]
    marks: list[ft.Control] = []
    words = [str(cell.count), LEVEL_WORDS[cell.level]]
    if cell.running:  # not a verdict yet: the colour only outlines the count so far
        background, words = ft.Colors.SURFACE, [str(cell.count), "so far this week"]
    review = cell.review
    if review is not None:
        icon, tint, said = ((ft.Icons.ERROR, ft.Colors.DEEP_ORANGE_800, "changed since review")
                            if review.changed else
                            (ft.Icons.CHECK_CIRCLE, ft.Colors.GREEN_900, "reviewed"))
        marks.append(ft.Container(ft.Icon(icon, size=11, color=tint), right=1, top=1,
                                  key=f"{'changed' if review.changed else 'reviewed'}:{key}"))
        words.append(said)
    user_id, week = cell.user_id, cell.week.isoformat()
    return ft.Semantics(
        label=label + ", ".join(words),
        button=True,
        content=ft.Container(
            ft.Stack([
                ft.Container(ft.Text(str(cell.count), size=15, weight=ft.FontWeight.BOLD,
                                     color=colour), alignment=ft.Alignment.CENTER,
                             width=CELL, height=38),
                *marks,
            ], width=CELL, height=38),
            width=CELL, height=38, bgcolor=background, border_radius=4, key=key,
            border=ft.Border.all(2, colour) if cell.running else None,
            on_click=nav.opener(f"team_week/{user_id}/{week}"),
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
    items += [
        ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE, size=14, color=ft.Colors.GREEN_900),
                ft.Text("reviewed", size=12)], spacing=4, tight=True),
        ft.Row([ft.Icon(ft.Icons.ERROR, size=14, color=ft.Colors.DEEP_ORANGE_800),
                ft.Text("changed since review", size=12)], spacing=4, tight=True),
        ft.Row([ft.Container(width=14, height=14, border_radius=3,
                             border=ft.Border.all(2, ft.Colors.GREY_700)),
                ft.Text("this week so far", size=12)], spacing=4, tight=True),
        ft.Row([ft.Container(width=14, height=14, border_radius=3,
                             border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT)),
                ft.Text("before the specialist started", size=12)], spacing=4, tight=True),
    ]
    return ft.Row(items, wrap=True, spacing=12, run_spacing=4)


def _trend(grid: TeamGrid) -> ft.Control:
    known = [(i, a) for i, a in enumerate(grid.week_averages) if a is not None]
    # The week still running is not a verdict: drawn apart, dotted from the last
    # finished week, so a Monday never looks like a collapse.
    finished = [(i, a) for i, a in known if not grid.running[i]]
    so_far = [(i, a) for i, a in known if grid.running[i]]
    top = max(grid.target + 1, int(max((a for _, a in known), default=0)) + 1)
    labels = [fch.ChartAxisLabel(value=i, label=ft.Text(text.chart_label(w), size=10))
              for i, w in enumerate(grid.weeks)]
    last = max(len(grid.weeks) - 1, 0)
    return ft.Semantics(
        identifier="team_trend",
        label="Team average by week: "
        + ", ".join("none" if a is None else f"{a:.1f}" for a in grid.week_averages)
        + f"; target {grid.target}",
        content=ft.Column([
            fch.LineChart(
                data_series=[
                    fch.LineChartData(
                        points=[fch.LineChartDataPoint(i, round(a, 2)) for i, a in finished],
                        color=ft.Colors.PRIMARY, stroke_width=3, point=True),
                    fch.LineChartData(
                        points=[fch.LineChartDataPoint(i, round(a, 2))
                                for i, a in [*finished[-1:], *so_far]],
                        color=ft.Colors.OUTLINE, stroke_width=2, dash_pattern=[2, 4],
                        point=True),
                    fch.LineChartData(
                        points=[fch.LineChartDataPoint(-0.5, grid.target),
                                fch.LineChartDataPoint(last + 0.5, grid.target)],
                        color=ft.Colors.RED_400, stroke_width=2, dash_pattern=[6, 4]),
                ],
                # Half a step of room at each end: the first week's label stands
                # clear of the left axis's numbers.
                min_y=0, max_y=top, min_x=-0.5, max_x=last + 0.5, height=180,
                interactive=False,
                bottom_axis=fch.ChartAxis(labels=labels, label_size=24),
                left_axis=fch.ChartAxis(label_size=28, label_spacing=2),
                border=ft.Border.all(0, ft.Colors.TRANSPARENT),
            ),
            muted(f"Solid line: the team's average of finished weeks. Dotted: this week so "
                  f"far. Dashed: the target of {grid.target}.", size=12),
        ], spacing=4),
    )


# ----- one specialist's week ----------------------------------------------------------------


def team_week_screen(nav: Navigator, team: TeamClient, settings: TeamSettings,
                     today: Callable[[], date], arg: str) -> Screen:
    """One specialist's week: its contacts, what changed since a review, and the
    review button at the bottom, where the thumb is."""
    user_id, _, day = arg.partition("/")
    try:
        week = date.fromisoformat(day)
    except ValueError:
        raise LookupError("There is no such week.") from None
    listing = ft.Column(spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    listing.controls = [ft.ProgressBar(), muted("Fetching the week…")]
    footer = ft.Column(spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    async def load() -> None:
        try:
            answer = await asyncio.to_thread(team.week, user_id, week)
        except SyncError as error:
            listing.controls = [ft.Text(str(error), key="week_problem")]
        else:
            pending = _pending_of(team, user_id)
            ended = date.fromisoformat(answer["week_start"]) + timedelta(days=7) <= today()
            listing.controls, footer.controls = _week_content(nav, team, settings, answer,
                                                              pending, ended, today())
        nav.update()

    nav.run(load)
    return Screen(route=f"team_week/{arg}", title="Specialist's week",
                  body=[scrolling([listing]),
                        ft.Container(footer, padding=ft.Padding.only(left=16, right=16,
                                                                      bottom=12))])


def _pending_of(team: TeamClient, user_id: str) -> int:
    """Records still on the specialist's phones, as of the last grid fetched."""
    kept = team.cached_tallies()
    rows = kept.body.get("rows", []) if kept else []
    return next((int(r.get("pending") or 0) for r in rows if r["user"]["id"] == user_id), 0)


def _week_content(nav: Navigator, team: TeamClient, settings: TeamSettings,
                  answer: dict[str, Any], pending: int, ended: bool,
                  today: date) -> tuple[list[ft.Control], list[ft.Control]]:
    week = date.fromisoformat(answer["week_start"])
    user = answer["user"]
    line = ft.Text(key="review_line", size=15)
    button = big_button("Mark this week reviewed", ft.Icons.TASK_ALT, None, key="review")

    def show_review(raw: dict[str, Any] | None) -> None:
        review = Review.of(raw)
        line.value = review_line(review, settings.zone, (raw or {}).get("since_review"),
                                 today)
        line.color = ft.Colors.DEEP_ORANGE_900 if review and review.changed else None
        button.content = ("Review this week again" if review and review.changed
                          else "Mark this week reviewed")
        button.visible = review is None or review.changed

    async def mark_reviewed(_e: Any) -> None:
        button.disabled = True
        nav.update()
        try:
            raw = await asyncio.to_thread(team.review, user["id"], week)
        except SyncError as error:
            line.value = str(error)
        else:
            show_review(raw)
            for tile in changed_tiles:
                tile.bgcolor = None
        finally:
            button.disabled = False
        nav.update()  # the update above turned off the automatic one

    button.on_click = nav.guard(mark_reviewed)
    show_review(answer["review"])
    since = (answer["review"] or {}).get("since_review") or {}
    added, edited = set(since.get("added") or []), set(since.get("edited") or [])
    changed_tiles: list[ft.ListTile] = []
    contacts: list[ft.Control] = []
    for contact in answer["contacts"]:
        data = contact["data"]
        what = "Added since review" if contact["id"] in added else \
            "Edited since review" if contact["id"] in edited else ""
        tile = ft.ListTile(
            leading=ft.Icon(ft.Icons.HANDSHAKE if data.get("face_to_face")
                            else ft.Icons.HANDSHAKE_OUTLINED),
            title=ft.Text(data["employer"]),
            subtitle=ft.Text(" · ".join(p for p in (what, contact_line(data, settings, today))
                                        if p), max_lines=4),
            bgcolor=ft.Colors.AMBER_50 if what else None,
            key=f"contact:{contact['id']}",
            content_padding=ft.Padding.only(left=8),
        )
        if what:
            changed_tiles.append(tile)
        contacts.append(tile)
    if not contacts:
        contacts = [muted("No employer contacts synced for this week.")]
    notes: list[ft.Control] = []
    if pending:
        notes.append(ft.Text(f"{user['name']}'s phones hold {text.plural(pending, 'record')} "
                             "not yet synced: this week's count may still go up.",
                             color=ft.Colors.ORANGE_900, key="week_unsynced"))
    if not ended:
        notes.append(muted("This week has not ended: contacts may still be added after you "
                           "review it.", key="week_not_ended"))
    listing = [
        ft.Text(user["name"], size=20, weight=ft.FontWeight.BOLD),
        muted(text.week_label(week, today=today)),
        ft.Text(f"{answer['count']} of {answer['target']} face to face", size=18,
                key="week_count"),
        *notes,
        *contacts,
    ]
    return listing, [ft.Divider(), line, button]
