"""The caseload: Members (with a filter), a member's page (timeline, plan
steps, what to do next) and closing a member for a reason."""

from __future__ import annotations

from datetime import date, datetime

import flet as ft

from app.domain import (
    CLOSE_REASONS,
    DueItem,
    Record,
    closed,
    data_problems,
    follow_along_ended,
    follow_along_resumed,
    follow_along_stopped,
    job_held_on,
    last_outreach_attempts,
    member_status,
    reopened,
)
from app.store import Store
from app.ui import text
from app.ui.authorizing import member_authorizations, payer_line
from app.ui.caseload import (
    CASELOAD_FILTERS,
    caseload_line,
    due_route,
    in_caseload,
    latest,
    member_records,
    timeline,
    with_step_done,
)
from app.ui.forms import NEW_FOR, FormField, Widget, field_message
from app.ui.navigator import Navigator, Screen
from app.ui.widgets import Choice, labelled

from .common import BIG, big_button, heading, muted, sub_screen, tab_screen
from .form import when_input


def members_screen(nav: Navigator, store: Store) -> Screen:
    everyone = sorted(store.list("member"),
                      key=lambda m: (m.data["status"] != "active",
                                     m.data["display_name"].casefold()))
    today = store.today()
    jobs = store.list("job")
    next_due: dict[str, DueItem] = {}
    for item in store.due_items(today):
        next_due.setdefault(item.member_id, item)

    def detail(member: Record) -> str:
        line = member_status(member, jobs, today)
        item = next_due.get(member.id)
        if item is not None:
            line += f"\nNext: {item.says}, {text.due_text(item.due, today)}"
        return line
    listing = ft.Column(spacing=4, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    chosen = ft.SegmentedButton(
        key="caseload_filter", show_selected_icon=False,
        selected=[nav.kept.get("caseload_filter", "active")],
        segments=[ft.Segment(value=k, label=ft.Text(v)) for k, v in CASELOAD_FILTERS.items()])

    def fill(_e=None) -> None:
        wanted = chosen.selected[0] if chosen.selected else "active"
        nav.kept["caseload_filter"] = wanted
        shown = [m for m in everyone if in_caseload(m, wanted)]
        listing.controls = [
            ft.ListTile(leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                        title=ft.Text(m.data["display_name"]),
                        subtitle=ft.Text(detail(m), max_lines=4),
                        trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                        on_click=nav.opener(f"member_page/{m.id}"), key=f"member_page:{m.id}",
                        content_padding=ft.Padding.only(left=8))
            for m in shown
        ] or [muted("Your caseload is empty. Add the members you work with." if not everyone
                    else f"No members here. Choose {CASELOAD_FILTERS['all']} to see everyone.")]

    chosen.on_change = nav.guard(fill)
    fill()
    return tab_screen("members", "Members", [
        ft.Text(caseload_line(everyone), size=18, weight=ft.FontWeight.BOLD, key="caseload"),
        big_button("Add member", ft.Icons.PERSON_ADD, nav.opener("member"),
                   key="add_member", filled=False),
        chosen,
        listing,
    ])


def member_screen(nav: Navigator, store: Store, member_id: str) -> Screen:
    """One member: who, what to do next, the plan's steps, and everything so far."""
    member = store.get(member_id)
    if member is None or member.kind != "member":
        raise LookupError("That member was deleted meanwhile.")
    today = store.today()
    records = member_records(store, member_id)
    name = member.data["display_name"]
    job = job_held_on(records["job"], today)
    due = [item for item in store.due_items(today) if item.member_id == member_id]
    profile = latest(records["career_profile"], "completed_on")
    plan = latest(records["employment_plan"], "written_on")
    active = member.data["status"] == "active"

    actions: list[ft.Control] = [
        _action("Log visit", ft.Icons.PERSON_OUTLINE,
                nav.opener(f"member_visit/{NEW_FOR}{member_id}"), "member_log_visit"),
        _action("Log employer contact", ft.Icons.HANDSHAKE_OUTLINED,
                nav.opener(f"employer_contact/{NEW_FOR}{member_id}"), "member_log_contact"),
        _action("Career profile" if profile else "Start career profile", ft.Icons.BADGE_OUTLINED,
                nav.opener(f"career_profile/{profile.id}" if profile
                   else f"career_profile/{NEW_FOR}{member_id}"), "member_profile"),
        _action("Employment plan" if plan else "Write employment plan",
                ft.Icons.CHECKLIST, nav.opener(f"employment_plan/{plan.id}" if plan
                                       else f"employment_plan/{NEW_FOR}{member_id}"),
                "member_plan"),
        _action("End job" if job else "Start a job", ft.Icons.WORK_OUTLINE,
                nav.opener(f"job_end/{job.id}" if job else f"job/{NEW_FOR}{member_id}"),
                "member_job"),
        _action("Edit details", ft.Icons.EDIT_OUTLINED, nav.opener(f"member/{member_id}"),
                "member_edit"),
    ]
    ended = follow_along_ended(member.data)
    if active and job is not None and ended is None:
        def stop_follow_along() -> None:
            store.put("member", follow_along_stopped(member.data, today), id=member_id)
            nav.show()
            nav.notify(f"No more follow-along is listed for {name}.")

        actions.append(_action("Follow-along not wanted", ft.Icons.DO_NOT_DISTURB_ON_OUTLINED,
                               nav.guard(lambda _e: nav.ask(
                                   f"Stop follow-along for {name}?",
                                   f"Only when {name} declined it or stepped down to other "
                                   "supports. From today no follow-along visits are listed "
                                   "for them; you can start it again from this page.",
                                   [("Keep it", "keep_follow_along", None),
                                    ("Stop follow-along", "stop_follow_along",
                                     stop_follow_along)])),
                               "member_follow_along_stop"))
    if active and ended is not None:
        def resume_follow_along(_e) -> None:
            store.put("member", follow_along_resumed(member.data), id=member_id)
            nav.show()
            nav.notify(f"Follow-along for {name} is listed again.")

        actions.append(_action("Follow-along wanted again", ft.Icons.RESTART_ALT,
                               nav.guard(resume_follow_along), "member_follow_along_resume"))
    if active:
        actions.append(_action("Close", ft.Icons.ARCHIVE_OUTLINED,
                               nav.opener(f"close_member/{member_id}"), "member_close"))
    else:
        def reopen(_e) -> None:
            store.put("member", reopened(member.data), id=member_id)
            nav.show()
            nav.notify(f"{name} is back on your caseload.")

        actions.append(_action("Reopen", ft.Icons.UNARCHIVE_OUTLINED, nav.guard(reopen),
                               "member_reopen"))

    entered = date.fromisoformat(member.data["program_entry"])
    controls: list[ft.Control] = [
        ft.Text(name, size=22, weight=ft.FontWeight.BOLD, key="member_name"),
        muted(f"{member_status(member, records['job'], today)} · in the program since "
              f"{text.day_label(entered, today=today)}", key="member_detail"),
        ft.ResponsiveRow(actions, spacing=8, run_spacing=8),
    ]
    if ended is not None:
        controls.insert(2, muted(f"No follow-along wanted since "
                                 f"{text.day_label(ended, today=today)}.",
                                 key="follow_along_ended"))
    if paid := payer_line(store, member, today):
        controls.insert(2, muted(paid, key="member_payer"))
    if due:
        controls.append(heading("Due"))
        controls += [_due_row(nav, item, today) for item in due]
    controls += _authorizations(nav, store, member, today)
    if plan is not None and plan.data.get("steps"):
        controls += [heading(f"Plan: {plan.data['goal']}"),
                     *_steps(nav, store, plan)]
    controls.append(heading("Timeline"))
    controls += [
        ft.ListTile(title=ft.Text(entry.title), subtitle=ft.Text(entry.detail, max_lines=3)
                    if entry.detail else None,
                    leading=ft.Text(_short_day(entry.when, today), size=12, width=48),
                    on_click=nav.opener(entry.route), key=f"timeline:{n}",
                    content_padding=ft.Padding.only(left=4))
        for n, entry in enumerate(timeline(member, records, store.settings, store.today()))
    ]
    return sub_screen(f"member_page/{member_id}", name, controls)


def _due_row(nav: Navigator, item: DueItem, today: date) -> ft.Control:
    """One item due: a line, or, when a form meets it (the LRS check, an
    authorization), a row that opens that form in one tap."""
    said = f"{item.says}: {text.due_text(item.due, today)}."
    color = ft.Colors.ERROR if item.status == "overdue" else None
    route = due_route(item)
    if route.startswith("member_page/"):
        return ft.Text(said, color=color, key=f"member_due:{item.rule}")
    return ft.ListTile(title=ft.Text(said, color=color), trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                       on_click=nav.opener(route), key=f"member_due:{item.rule}",
                       content_padding=ft.Padding.only(left=0))


STATUS_ICONS = {"requested": ft.Icons.PENDING_OUTLINED, "approved": ft.Icons.VERIFIED_OUTLINED,
                "denied": ft.Icons.BLOCK}


def _authorizations(nav: Navigator, store: Store, member: Record,
                    today: date) -> list[ft.Control]:
    """The member's authorizations, each opened in one tap, and Add
    authorization; nothing when the member's payer needs none and there is none."""
    section = member_authorizations(store, member, today)
    if section is None:
        return []
    rows: list[ft.Control] = [
        ft.ListTile(leading=ft.Icon(STATUS_ICONS.get(line.status, ft.Icons.PENDING_OUTLINED)),
                    title=ft.Text(line.title, max_lines=2),
                    subtitle=ft.Text(line.detail, max_lines=3,
                                     color=ft.Colors.ERROR if line.over else None),
                    trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                    on_click=nav.opener(f"authorization/{line.id}"),
                    key=f"authorization:{line.id}", content_padding=ft.Padding.only(left=4))
        for line in section.lines
    ] or [muted(section.empty, key="no_authorization")]
    return [heading("Authorization"), *rows,
            ft.OutlinedButton(content="Add authorization", icon=ft.Icons.ADD,
                              on_click=nav.opener(f"authorization/{NEW_FOR}{member.id}"),
                              key="add_authorization", height=BIG - 4)]


def _action(label: str, icon: ft.IconData, on_click, key: str) -> ft.Control:
    """A member's action: a large button, two a row on any phone."""
    return ft.Container(ft.OutlinedButton(content=label, icon=icon, on_click=on_click, key=key,
                                          height=BIG - 4),
                        col=6)


def _steps(nav: Navigator, store: Store, plan: Record) -> list[ft.Control]:
    """The plan's steps, each ticked done (or not) with one tap."""
    def tick(index: int):
        def flip(e) -> None:
            store.put("employment_plan", with_step_done(plan, index, bool(e.control.value)),
                      id=plan.id)
            nav.show()

        return nav.guard(flip)

    rows: list[ft.Control] = []
    for index, step in enumerate(plan.data.get("steps") or []):
        by = date.fromisoformat(step["by"]) if step.get("by") else None
        due = f" · by {text.day_label(by, today=store.today())}" if by else ""
        who = f" ({step['who']})" if step.get("who") else ""
        done = ft.Checkbox(value=bool(step.get("done")), key=f"plan_step:{index}")
        rows.append(labelled(done, f"{step['text']}{who}{due}", tick(index)))
    return rows


def _short_day(when: date, today: date) -> str:
    """The timeline's "7 Dec", with the year under it when it is not this year's."""
    return f"{when.day} {when:%b}" + ("" if when.year == today.year else f"\n{when.year}")


def close_member_screen(nav: Navigator, store: Store, member_id: str) -> Screen:
    """Closing asks when and why. A member is never closed for missed
    appointments: when the last visits are outreach attempts, they are shown
    first."""
    member = store.get(member_id)
    if member is None or member.kind != "member":
        raise LookupError("That member was deleted meanwhile.")
    name, today = member.data["display_name"], store.today()
    reason = Choice("Why services end", [(r, r) for r in CLOSE_REASONS], key="close_reason")
    day = when_input(nav, store, FormField("closed_on", "Closed on", Widget.DATE), today,
                     nav.guard(lambda _e: None))
    attempts = last_outreach_attempts(member_records(store, member_id)["member_visit"])
    controls: list[ft.Control] = [
        muted(f"Closing takes {name} off your active caseload; nothing is deleted, and you "
              "can reopen later. In IPS a member is never closed for missed appointments: "
              "keep reaching out, log each attempt, and close only for a reason the member "
              "gave."),
    ]
    if attempts:
        zone = store.settings.zone
        days = ", ".join(text.day_label(_local_day(v, zone), today=today) for v in attempts)
        were = "was an outreach attempt" if len(attempts) == 1 else "were outreach attempts"
        controls.insert(0, ft.Text(f"The last {text.plural(len(attempts), 'visit')} with {name} "
                                   f"{were} ({days}).", key="outreach_attempts",
                                   color=ft.Colors.ORANGE_900))

    def close() -> bool:
        data = closed(member.data, reason.value or "", day.read())
        problems = data_problems("member", data, now=store.now())
        reason.show_error("Choose why services end." if "closed_reason" in problems else None)
        day.show_error(field_message(problems["closed_on"]) if "closed_on" in problems
                       else None)
        if problems:
            return False
        store.put("member", data, id=member_id)
        nav.leave()
        nav.notify(f"{name} is closed. Reopen from the member's page if needed.")
        return True

    controls += [reason.control, day.control,
                 big_button(f"Close {name}", ft.Icons.ARCHIVE_OUTLINED, nav.submit(close),
                            key="close_confirm")]
    screen = sub_screen(f"close_member/{member_id}", f"Close {name}", controls)
    screen.unsaved = lambda: bool(reason.value) or day.read() != today
    screen.discard_question = f"Leave without closing {name}?"
    return screen


def _local_day(visit: Record, zone) -> date:
    return datetime.fromisoformat(visit.data["occurred_at"]).astimezone(zone).date()
