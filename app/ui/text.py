"""Words and numbers as the specialist reads them on screen. No flet, no store.

Only characters the bundled Roboto font has (no check marks or emoji).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from app.domain import Record, Tally, TeamSettings


def tally_text(tally: Tally) -> str:
    return f"{tally.count} of {tally.target}"


def tally_status(tally: Tally) -> str:
    if tally.met:
        return "Target met this week. Extra contacts still help members."
    more = tally.short_by
    contacts = "contact" if more == 1 else "contacts"
    return f"{more} more face-to-face {contacts} to reach the target"


def days_left_text(days: int) -> str:
    return "Last day of the week" if days == 1 else f"{days} days left this week"


# How a kind of record is counted in words: (one, many).
KIND_WORDS = {
    "employer_contact": ("employer contact", "employer contacts"),
    "member_visit": ("member visit", "member visits"),
    "employer": ("directory entry", "directory entries"),
    "member": ("member", "members"),
    "job": ("job", "jobs"),
    "career_profile": ("career profile", "career profiles"),
    "employment_plan": ("employment plan", "employment plans"),
}


def kind_count(kind: str, count: int) -> str:
    """3 employer contacts, 1 directory entry."""
    one, many = KIND_WORDS.get(kind, (kind.replace("_", " "), kind.replace("_", " ") + "s"))
    return plural(count, one, many)


def waiting_list(waiting: dict[str, int]) -> str:
    """What waits, most first: "2 employer contacts, 1 directory entry"."""
    ordered = sorted(waiting.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(kind_count(kind, count) for kind, count in ordered if count)


def sync_text(waiting: dict[str, int]) -> str:
    """Home's sync line: "All synced", "1 employer contact and 1 directory entry
    waiting to sync", or the total past two kinds."""
    kinds = {kind: count for kind, count in waiting.items() if count}
    if not kinds:
        return "All synced"
    if len(kinds) <= 2:
        return " and ".join(kind_count(k, c) for k, c in sorted(
            kinds.items(), key=lambda kv: (-kv[1], kv[0]))) + " waiting to sync"
    return f"{plural(sum(kinds.values()), 'record')} waiting to sync"


def ago(then: datetime, now: datetime) -> str:
    """`then` relative to `now`: "just now", "5 min ago", "3 h ago", "2 days ago"."""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{plural(int(seconds // 86400), 'day')} ago"


def choice_label(key: str) -> str:
    """`career_profile` -> `Career profile`."""
    return key.replace("_", " ").capitalize()


def record_title(record: Record) -> str:
    """A record in a few words: its kind and its name (employer, member, employer name)."""
    data = record.data
    name = data.get("employer") or data.get("display_name") or data.get("name")
    kind = choice_label(record.kind)
    return f"{kind}: {name}" if name else kind


def when_and_how(data: Mapping[str, Any], settings: TeamSettings,
                 today: date) -> tuple[str, str]:
    """A contact's or visit's local time and whether it was face to face, as shown."""
    when = when_label(datetime.fromisoformat(data["occurred_at"]).astimezone(settings.zone),
                      today=today)
    return when, "Face to face" if data.get("face_to_face") else "Not face to face"


def contact_kind_words(data: Mapping[str, Any]) -> list[str]:
    """What sets an employer contact apart from the ones that count: job
    support, made by the member alone. Nothing for the usual kind."""
    words = []
    if data.get("service") == "job_support":
        words.append("Job support")
    if data.get("by") == "member":
        words.append("Made by the member")
    return words


def day_label(day: date, *, today: date) -> str:
    """"Mon 7 Dec", with the year when it is not this year's: "Sat 6 Jan 2024"."""
    year = "" if day.year == today.year else f" {day.year}"
    return f"{day:%a} {day.day} {day:%b}{year}"


def time_label(when: datetime) -> str:
    return f"{when:%H:%M}"


def when_label(when: datetime, *, today: date) -> str:
    """"Mon 7 Dec 09:58", with the year when it is not this year's."""
    return f"{day_label(when.date(), today=today)} {when:%H:%M}"


def week_label(week_start: date, *, today: date) -> str:
    return f"Week of {day_label(week_start, today=today)}"


def chart_label(week_start: date) -> str:
    return f"{week_start.month}/{week_start.day}"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {words or word + 's'}"


def auto_lock_label(seconds: int) -> str:
    """The auto-lock delay as Settings offers it: "5 minutes"."""
    return plural(seconds // 60, "minute")


def due_text(due: date, on: date) -> str:
    """When an item is due, as a specialist says it: "was due Mon 23 Nov",
    "due today", "due Thu", "due Thu 3 Dec", "was due Sat 6 Jan 2024"."""
    if due < on:
        return f"was due {day_label(due, today=on)}"
    if due == on:
        return "due today"
    if (due - on).days < 7:
        return f"due {due:%a}"
    return f"due {day_label(due, today=on)}"


def sentence(words: str) -> str:
    """Words that start a sentence: the first letter capitalised, the rest kept."""
    return words[:1].upper() + words[1:]
