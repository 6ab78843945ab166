"""History as plain Python (no flet): the specialist's employer contacts and
member visits week by week, newest first, each week counted against the
target and what has not reached the server yet said, kept to one kind or to
the records that hold a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from app.domain import Record, TeamSettings, counts_toward_target
from app.store import Store

from . import text

ALL_KINDS = "all"
HISTORY_KINDS = {ALL_KINDS: "All", "employer_contact": "Employer contacts",
                 "member_visit": "Member visits"}


@dataclass(frozen=True)
class HistoryItem:
    record: Record
    title: str
    detail: str
    counts: bool  # a face-to-face employer contact
    unsynced: bool  # still waiting to reach the server


@dataclass(frozen=True)
class HistoryWeek:
    week_start: date
    heading: str
    items: list[HistoryItem]


def history(store: Store, *, search: str = "", kind: str = ALL_KINDS) -> list[HistoryWeek]:
    """Contacts and visits week by week, newest first; `kind` keeps one kind,
    `search` the records whose words (employer, members, contact person,
    purpose, notes...) hold it. A week's heading counts all of its contacts."""
    settings, today = store.settings, store.today()
    names = {r.id: r.data["display_name"] for r in store.list("member")}
    unsynced = {r.id for r in store.outbox.pending_changes(limit=100_000)}
    records = store.list("employer_contact") + store.list("member_visit")
    records.sort(key=lambda r: datetime.fromisoformat(r.data["occurred_at"]), reverse=True)
    weeks: dict[date, list[HistoryItem]] = {}
    counted: dict[date, int] = {}
    needle = search.strip().casefold()
    for record in records:
        week = settings.week_of_instant(record.data["occurred_at"])
        item = _history_item(record, settings, names, record.id in unsynced, today)
        counted[week] = counted.get(week, 0) + item.counts
        if kind not in (ALL_KINDS, record.kind) or needle not in _words(item).casefold():
            continue
        weeks.setdefault(week, []).append(item)
    return [HistoryWeek(week, _week_heading(week, counted[week], settings.contact_target, items,
                                            today), items)
            for week, items in weeks.items()]


def _week_heading(week: date, count: int, target: int, items: list[HistoryItem],
                  today: date) -> str:
    heading = f"{text.week_label(week, today=today)} · {count} of {target}"
    waiting = sum(item.unsynced for item in items)
    if waiting:
        heading += f" · {waiting} not yet synced"
    return heading


def _words(item: HistoryItem) -> str:
    data = item.record.data
    return " ".join([item.title, item.detail, *(str(data.get(f) or "") for f in
                                                ("outcome", "notes", "purpose"))])


def _history_item(record: Record, settings: TeamSettings, names: dict[str, str],
                  unsynced: bool, today: date) -> HistoryItem:
    data = record.data
    when, how = text.when_and_how(data, settings, today)
    if record.kind == "employer_contact":
        members = [names.get(m, "a member no longer on this phone")
                   for m in data.get("member_ids") or []]
        parts = [when, how, data.get("contact_person") or "",
                 f"For {', '.join(members)}" if members else "Generic",
                 *text.contact_kind_words(data), data.get("purpose") or ""]
        title = data["employer"]
    else:
        minutes = data.get("minutes")
        parts = [when, text.choice_label(data["setting"]), f"{minutes} min" if minutes else ""]
        title = f"{names.get(data['member_id'], 'Member')}: {text.choice_label(data['type'])}"
    if unsynced:
        parts.append("Not yet synced")
    detail = " · ".join(p for p in parts if p)
    return HistoryItem(record, title, detail, counts_toward_target(record), unsynced)
