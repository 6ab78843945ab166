"""The one form builder: every record form is built here from `FORMS`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import flet as ft

from app.domain import Record, Tally, counts_toward_target
from app.store import Store
from app.ui import text
from app.ui.directory import contacts_with
from app.ui.forms import (
    FORMS,
    NEW_FOR,
    NO_PAYERS,
    FormField,
    FormModel,
    Widget,
    edit_form,
    employer_names,
    form_title,
    member_choices,
    new_form,
    picked_date,
    suggest,
)
from app.ui.navigator import Navigator, Screen
from app.ui.widgets import Choice, ErrorLine, icon_button, labelled, own_node

from .common import BIG, PAD, muted

STRETCH = ft.CrossAxisAlignment.STRETCH
Saved = Callable[[Record], None]


@dataclass
class Input:
    """One field on screen: its control, how to read it, where its error goes."""

    control: ft.Control
    read: Callable[[], Any]
    show_error: Callable[[str | None], None]
    write: Callable[[Any], None]  # a value set by the form, as another field changed


def record_form_screen(nav: Navigator, store: Store, now: Callable[[], datetime], form: str,
                       arg: str, *, saved: Saved,
                       delete: Callable[[Record], None]) -> Screen:
    """Form `form` for a new record (arg "", or "new:<member id>" to fill the
    member in), or for editing record `arg`."""
    spec = FORMS[form]
    member_id = arg.removeprefix(NEW_FOR) if arg.startswith(NEW_FOR) else None
    record_id = "" if member_id is not None else arg
    record = store.get(record_id) if record_id else None
    if record_id and (record is None or record.kind != spec.kind):
        raise LookupError("That record was deleted meanwhile: nothing to edit.")
    if record is not None:
        model = edit_form(form, record, store, store.today())
    else:
        model = new_form(form, store, now(), member_id=member_id)
    kind = spec.kind

    def read_fields() -> None:
        for name, field_input in inputs.items():
            model.values[name] = field_input.read()

    def show_errors() -> None:
        for name, field_input in inputs.items():
            field_input.show_error(model.errors.get(name))

    def recheck() -> None:
        """A message goes as soon as its field is right (new ones wait for Save)."""
        if not model.errors:
            return
        read_fields()
        model.errors = {name: message for name, message in model.check(now()).items()
                        if name in model.errors}
        show_errors()

    def show_fields() -> None:
        for name, field_input in inputs.items():
            field_input.control.visible = model.shows(name)

    def field_changed(name: str) -> Changed:
        """The field changed: fields that move with it follow, fields shown
        only with it come or go, and messages go as their fields come right.
        Also counts as use for the idle lock."""
        def follow(_e) -> None:
            for other, value in model.set(name, inputs[name].read()).items():
                inputs[other].write(value)
            show_fields()
            recheck()

        return nav.guard(follow)

    inputs = {spec.name: _input(nav, store, now, spec, model, field_changed(spec.name))
              for spec in model.fields}
    show_fields()

    def save() -> bool:
        read_fields()
        if not model.check(now()):
            far = model.far_back(store.today())
            if far:
                _ask_about_the_year(nav, far, store.today(), confirmed)
                return True  # asked: nothing to judge again
        record = model.save(store, now())
        show_errors()
        if record is None:
            stray = [m for f, m in model.errors.items() if f not in inputs]
            if stray:
                nav.notify(stray[0])
            return False
        saved(record)
        return True

    def confirmed(days: list[date]) -> None:
        model.confirmed.update(days)
        save()

    actions: list[ft.Control] = []
    if record is not None:
        gone = record
        actions.append(icon_button(ft.Icons.DELETE_OUTLINE, f"Delete this {spec.title.lower()}",
                                   nav.guard(lambda _e: delete(gone)), key="delete"))
    notice = _empty_caseload_notice(nav, store, kind)
    if spec.intro:
        notice.insert(0, muted(spec.intro, key="form_intro"))
    after = _employer_contacts(nav, store, record) if record is not None and \
        kind == "employer" else []
    body: list[ft.Control] = [
        ft.ListView(
            controls=[*notice, *(i.control for i in inputs.values()), *after],
            expand=True,
            spacing=14,
            padding=PAD,
        ),
        ft.Container(
            ft.FilledButton(content="Save", icon=ft.Icons.CHECK, key="save", height=BIG,
                            on_click=nav.submit(save),
                            style=ft.ButtonStyle(text_style=ft.TextStyle(size=18))),
            padding=ft.Padding.only(left=16, right=16, bottom=12),
        ),
    ]
    as_opened = {name: field_input.read() for name, field_input in inputs.items()}
    return Screen(route=f"{form}/{arg}" if arg else form,
                  title=form_title(form, editing=record is not None), body=body, actions=actions,
                  unsaved=lambda: any(field_input.read() != as_opened[name]
                                      for name, field_input in inputs.items()),
                  discard_question=("Discard your changes?" if record is not None
                                    else f"Discard this {spec.title.lower()}?"))


def _ask_about_the_year(nav: Navigator, far: list[tuple[FormField, date]], today: date,
                        confirmed: Callable[[list[date]], None]) -> None:
    """A date more than a year back is asked about once before it is saved."""
    spec, day = far[0]
    years = (today - day).days // 365
    ago = "over a year ago" if years < 2 else f"{years} years ago"
    nav.ask(f"That is {ago}: is the year right?",
            f"{spec.label}: {text.day_label(day, today=today)}.",
            [("Change the date", "change_date", None),
             ("Yes, save it", "year_right", lambda: confirmed([d for _, d in far]))])


def _employer_contacts(nav: Navigator, store: Store, employer: Record) -> list[ft.Control]:
    """Under a directory entry's fields: its contacts (tap to open) and merging."""
    contacts = contacts_with(store, employer)
    today, zone = store.today(), store.settings.zone
    rows: list[ft.Control] = [
        ft.ListTile(
            leading=ft.Icon(ft.Icons.HANDSHAKE if c.data["face_to_face"]
                            else ft.Icons.HANDSHAKE_OUTLINED),
            title=ft.Text(text.when_label(datetime.fromisoformat(c.data["occurred_at"])
                                          .astimezone(zone), today=today)),
            subtitle=ft.Text(" · ".join(p for p in (
                "Face to face" if c.data["face_to_face"] else "Not face to face",
                c.data.get("contact_person") or "", c.data.get("purpose") or "") if p),
                max_lines=3),
            on_click=nav.opener(f"employer_contact/{c.id}"),
            key=f"employer_contact:{c.id}", content_padding=ft.Padding.only(left=4))
        for c in contacts
    ] or [muted("No contacts with this employer yet.", key="no_employer_contacts")]
    return [
        ft.Text(f"Contacts ({len(contacts)})", weight=ft.FontWeight.BOLD, size=16,
                key="employer_contacts"),
        *rows,
        ft.OutlinedButton(content="Merge with another entry for the same employer",
                          icon=ft.Icons.MERGE_TYPE, key="merge", height=48,
                          on_click=nav.opener(f"merge_employer/{employer.id}")),
    ]


def _empty_caseload_notice(nav: Navigator, store: Store, kind: str) -> list[ft.Control]:
    if kind != "member_visit" or member_choices(store):
        return []
    return [
        ft.Text("No active members yet. Add the member first, then log the visit."),
        ft.OutlinedButton(content="Add a member", icon=ft.Icons.PERSON_ADD,
                          on_click=nav.opener("member")),
    ]


# ----- one input per widget kind ---------------------------------------------------------


Changed = Callable[[Any], None]  # a field changed: messages follow, and it counts as use


def _input(nav: Navigator, store: Store, now: Callable[[], datetime], spec: FormField,
           model: FormModel, changed: Changed) -> Input:
    value = model.values.get(spec.name)
    match spec.widget:
        case Widget.TOGGLE | Widget.DONE_ON:  # DONE_ON's date is set when the form reads it
            switch = ft.Switch(value=bool(value), key=f"field:{spec.name}")
            return _with_error_line(labelled(switch, spec.label, changed), lambda: switch.value,
                                    write=_set_error(switch, "value"))
        case Widget.CHOICE | Widget.MEMBER:
            return _dropdown(store, spec, value, changed)
        case Widget.PAYER:
            return _payer(store, spec, value, changed, optional=not model.requires(spec.name))
        case Widget.SEGMENTS:
            return _segments(spec, value, changed)
        case Widget.MEMBERS:
            return _member_chips(nav, store, spec, value or [], changed)
        case Widget.EMPLOYER:
            return _employer(nav, store, spec, value or "", changed)
        case Widget.WHEN | Widget.DATE:
            return when_input(nav, store, spec, value, changed)
        case Widget.STEPS:
            return _steps(nav, store, spec, list(value or []), changed)
        case _:
            field = _text_field(spec, value, changed)
            return Input(field, lambda: field.value, _set_error(field, "error"),
                         lambda shown: setattr(field, "value", str(shown)))


CAPITALS = {
    Widget.NAME: ft.TextCapitalization.WORDS,
    Widget.TEXT: ft.TextCapitalization.SENTENCES,
    Widget.NOTES: ft.TextCapitalization.SENTENCES,
}
KEYBOARDS = {
    Widget.NUMBER: ft.KeyboardType.NUMBER,
    Widget.DECIMAL: ft.KeyboardType.NUMBER,
    Widget.PHONE: ft.KeyboardType.PHONE,
    Widget.NOTES: ft.KeyboardType.MULTILINE,
}


def _text_field(spec: FormField, value: Any, on_change) -> ft.TextField:
    multiline = spec.widget is Widget.NOTES
    return ft.TextField(
        label=spec.label,
        value=value or "",
        key=f"field:{spec.name}",
        multiline=multiline,
        min_lines=3 if multiline else None,
        max_lines=8 if multiline else None,
        keyboard_type=KEYBOARDS.get(spec.widget, ft.KeyboardType.TEXT),
        capitalization=CAPITALS.get(spec.widget, ft.TextCapitalization.NONE),
        error_max_lines=4,
        on_change=on_change,
    )


def _set_error(control: ft.Control, attribute: str) -> Callable[[Any], None]:
    """Sets one attribute of a control: its error message, or its value."""
    def show(message: Any) -> None:
        setattr(control, attribute, message)

    return show


def _not_written(_value: Any) -> None:
    raise AssertionError("no other field sets this one")


def _with_error_line(control: ft.Control, read: Callable[[], Any], label: str | None = None,
                     *, hint: str = "", write: Callable[[Any], None] = _not_written) -> Input:
    """Controls without an error slot of their own get a red line under them."""
    error = ErrorLine()
    parts = (([muted(label, size=13)] if label else []) + ([muted(hint, size=12)] if hint else [])
             + [control, error.text])
    return Input(ft.Column(parts, spacing=4, horizontal_alignment=STRETCH), read, error.show,
                 write)


def _segments(spec: FormField, value: Any, changed: Changed) -> Input:
    """Two or three options side by side, each one tap."""
    buttons = ft.SegmentedButton(
        key=f"field:{spec.name}", show_selected_icon=False, selected=[value],
        segments=[ft.Segment(value=k, label=ft.Text(t), key=f"field:{spec.name}:{k}")
                  for k, t in spec.options],
        on_change=changed)

    def write(chosen: Any) -> None:
        buttons.selected = [chosen]

    return _with_error_line(buttons, lambda: next(iter(buttons.selected or []), None), spec.label,
                            hint=spec.hint, write=write)


def _dropdown(store: Store, spec: FormField, value: Any, changed: Changed) -> Input:
    if spec.widget is Widget.MEMBER:
        members = member_choices(store, keep=lambda member_id: member_id == value)
        options = [(m.id, m.data["display_name"]) for m in members]
    else:
        options = list(spec.options)
    choice = Choice(spec.label, options, key=f"field:{spec.name}", value=value,
                    on_select=changed)

    def write(chosen: Any) -> None:
        choice.value = chosen

    return Input(choice.control, lambda: choice.value, choice.show_error, write)


NO_PAYER = "-"  # the drop-down's "None": no payer id looks like it


def _payer(store: Store, spec: FormField, value: Any, changed: Changed, *,
           optional: bool) -> Input:
    """The payers the team's server lists (and "None" where a payer is not
    required); before the first sync, a plain sentence saying where they come
    from, and the value kept as it was."""
    payers = sorted(store.payers.values(), key=lambda p: p.name.casefold())
    if not payers:
        said = NO_PAYERS if not value else f"{value}. {NO_PAYERS}"
        return _with_error_line(muted(said, key=f"field:{spec.name}"), lambda: value,
                                spec.label)
    options = [(p.id, p.name) for p in payers]
    if value and value not in store.payers:
        options.append((value, value))  # one the server no longer lists: kept, by its id
    if optional:
        options.insert(0, (NO_PAYER, "None"))
    empty = NO_PAYER if optional else None
    choice = Choice(spec.label, options, key=f"field:{spec.name}", value=value or empty,
                    on_select=changed)

    def read() -> str | None:
        return None if choice.value in (None, NO_PAYER) else choice.value

    def write(chosen: Any) -> None:
        choice.value = chosen or empty

    return Input(choice.control, read, choice.show_error, write)


def _member_chips(nav: Navigator, store: Store, spec: FormField, chosen: list[str],
                  changed: Changed) -> Input:
    selected = list(chosen)

    def toggle(member_id: str):
        def flip(e) -> None:
            if member_id in selected:
                selected.remove(member_id)
            else:
                selected.append(member_id)
            e.control.selected = member_id in selected
            changed(e)

        return nav.guard(flip)

    members = member_choices(store, keep=lambda member_id: member_id in chosen)
    chips: list[ft.Control] = [
        ft.Chip(label=ft.Text(m.data["display_name"]), selected=m.id in selected,
                on_select=toggle(m.id), key=f"member:{m.id}")
        for m in members
    ] or [muted("No active members yet: this is a generic contact.")]
    row = ft.Row(chips, wrap=True, spacing=8, run_spacing=4)
    return _with_error_line(row, lambda: list(selected), spec.label)


def _employer(nav: Navigator, store: Store, spec: FormField, value: str,
              changed: Changed) -> Input:
    """A text field with matching employers as chips under it, one tap to fill in
    (with the field empty: the ones met most recently).

    The app never moves the cursor or the selection of a field (no `selection`
    is ever set): the web client applies a field's stored selection again each
    time the field is drawn, so an error line clearing after the first key put
    the cursor back at the start and the rest of the name went in front."""
    names = employer_names(store)
    field = ft.TextField(label=spec.label, value=value, key=f"field:{spec.name}",
                         capitalization=ft.TextCapitalization.WORDS, error_max_lines=4)
    chips = ft.Row(wrap=True, spacing=8, run_spacing=4, key="employer_suggestions")

    def pick(name: str):
        def fill(e) -> None:
            field.value = name
            show_suggestions()
            changed(e)

        return nav.guard(fill)

    def typed(e) -> None:
        show_suggestions()
        changed(e)

    def show_suggestions() -> None:
        chips.controls = [
            ft.Chip(label=ft.Text(name), leading=ft.Icon(ft.Icons.STORE_OUTLINED, size=18),
                    on_click=pick(name), key=f"suggest:{index}")
            for index, name in enumerate(suggest(field.value or "", names))
        ]

    def clear(e) -> None:
        field.value = ""
        show_suggestions()
        changed(e)

    field.suffix = icon_button(ft.Icons.CLEAR, "Clear the employer", nav.guard(clear),
                               key="clear_employer")
    field.on_change = nav.guard(typed)
    show_suggestions()
    return Input(ft.Column([own_node(field), chips], spacing=6, horizontal_alignment=STRETCH),
                 lambda: field.value,
                 _set_error(field, "error"), _not_written)


def when_input(nav: Navigator, store: Store, spec: FormField, value: datetime | date | None,
               changed: Changed) -> Input:
    """Date (and time for WHEN) as buttons that open the pickers."""
    has_time = spec.widget is Widget.WHEN
    state = {"value": value}
    day_button = ft.OutlinedButton(icon=ft.Icons.CALENDAR_MONTH, key=f"field:{spec.name}:date",
                                   height=48)
    time_button = ft.OutlinedButton(icon=ft.Icons.SCHEDULE, key=f"field:{spec.name}:time",
                                    height=48, visible=has_time)
    today_button = ft.FilledTonalButton(content=spec.today, icon=ft.Icons.EVENT_AVAILABLE,
                                        key=f"field:{spec.name}:today", height=48,
                                        visible=bool(spec.today))

    def refresh() -> None:
        current = state["value"]
        day = current.date() if isinstance(current, datetime) else current
        day_button.content = text.day_label(day, today=store.today()) if day else "Pick a date"
        if has_time and isinstance(current, datetime):
            time_button.content = text.time_label(current)

    def set_day(e) -> None:
        day = picked_date(e.control.value)
        current = state["value"]
        state["value"] = current.replace(year=day.year, month=day.month, day=day.day) \
            if isinstance(current, datetime) else day
        refresh()
        changed(e)

    def with_time() -> datetime:
        current = state["value"]
        assert isinstance(current, datetime)  # the time button shows only for WHEN
        return current

    def set_time(e) -> None:
        picked = e.control.value
        state["value"] = with_time().replace(hour=picked.hour, minute=picked.minute)
        refresh()
        changed(e)

    def open_date(_e) -> None:
        current = state["value"]
        day = current.date() if isinstance(current, datetime) else current
        _pick_day(nav, store.today(), day, set_day)

    def open_time(_e) -> None:
        nav.show_dialog(ft.TimePicker(value=with_time().time(), on_change=nav.guard(set_time)))

    def set_today(e) -> None:
        state["value"] = store.today()
        refresh()
        changed(e)

    day_button.on_click = nav.guard(open_date)
    time_button.on_click = nav.guard(open_time)
    today_button.on_click = nav.guard(set_today)
    def write(day: Any) -> None:
        state["value"] = day
        refresh()

    refresh()
    row = ft.Row([day_button, time_button, today_button], spacing=8, wrap=True)
    return _with_error_line(row, lambda: state["value"], spec.label, hint=spec.hint,
                            write=write)


def _pick_day(nav: Navigator, today: date, day: date | None, on_change: Changed) -> None:
    """The date picker, from 2000 to a year ahead, opened on `day` (or today)."""
    nav.show_dialog(ft.DatePicker(value=day or today, first_date=date(2000, 1, 1),
                                  last_date=today + timedelta(days=366),
                                  on_change=nav.guard(on_change)))


def _steps(nav: Navigator, store: Store, spec: FormField, steps: list[dict[str, Any]],
           changed: Changed) -> Input:
    """An employment plan's steps: what, who, by when, done; add and remove."""
    column = ft.Column(spacing=8, horizontal_alignment=STRETCH, key="steps")
    rows: list[dict[str, Any]] = []

    def step_row(step: dict[str, Any]) -> None:
        number = len(rows) + 1
        state: dict[str, Any] = {"by": step.get("by")}
        done = ft.Checkbox(value=bool(step.get("done")), label="Done", on_change=changed,
                           key=f"step:{number}:done")
        what = ft.TextField(label=f"Step {number}", value=step.get("text") or "",
                            key=f"step:{number}:text", on_change=changed,
                            capitalization=ft.TextCapitalization.SENTENCES, error_max_lines=3)
        who = ft.TextField(label="Who", value=step.get("who") or "", key=f"step:{number}:who",
                           capitalization=ft.TextCapitalization.WORDS, on_change=changed,
                           expand=True)
        by = ft.OutlinedButton(icon=ft.Icons.EVENT, key=f"step:{number}:by", height=48)

        def show_by() -> None:
            by.content = (f"By {text.day_label(state['by'], today=store.today())}"
                          if state["by"] else "By when?")

        def set_by(e) -> None:
            state["by"] = picked_date(e.control.value)
            show_by()
            changed(e)

        by.on_click = nav.guard(lambda _e: _pick_day(nav, store.today(), state["by"], set_by))
        show_by()
        entry: dict[str, Any] = {"read": lambda: {"text": what.value or "", "who": who.value or "",
                                  "by": state["by"], "done": bool(done.value)}}
        remove = icon_button(ft.Icons.DELETE_OUTLINE, f"Remove step {number}",
                             nav.guard(lambda e: removed(entry, e)), key=f"step:{number}:remove")
        entry["control"] = ft.Container(
            ft.Column([own_node(what), ft.Row([own_node(who, expand=True), by], spacing=8),
                       ft.Row([done, remove], alignment=ft.MainAxisAlignment.SPACE_BETWEEN)],
                      spacing=6),
            padding=ft.Padding.all(8), border_radius=8,
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT))
        rows.append(entry)

    def removed(entry: dict[str, Any], e) -> None:
        rows.remove(entry)
        redraw()
        changed(e)

    def added(e) -> None:
        step_row({})
        redraw()
        changed(e)

    def redraw() -> None:
        column.controls = [*(entry["control"] for entry in rows),
                           ft.OutlinedButton(content="Add a step", icon=ft.Icons.ADD,
                                             key="add_step", height=48,
                                             on_click=nav.guard(added))]

    for step in steps:
        step_row(step)
    redraw()
    return _with_error_line(column, lambda: [entry["read"]() for entry in rows], spec.label)


def describe_saved(record: Record, tally: Tally, this_week: date) -> str:
    """The confirmation after saving: which week's count it changed, and to what."""
    if record.kind != "employer_contact":
        return f"{text.choice_label(record.kind)} saved."
    week = ("This week" if tally.week_start == this_week
            else text.week_label(tally.week_start, today=this_week))
    count = f"{week}: {text.tally_text(tally)}."
    return f"Contact saved.{uncounted_why(record)} {count}"


def uncounted_why(contact: Record) -> str:
    """Why an employer contact does not count toward the weekly target, as a
    sentence after a space; empty when it counts."""
    if counts_toward_target(contact):
        return ""
    data = contact.data
    if data.get("face_to_face") is not True:
        return " Phone, email and video contacts do not count toward the target."
    if data.get("by") == "member":
        return " A contact the member made alone does not count toward your target."
    return " Job support for a working member does not count toward the target."
