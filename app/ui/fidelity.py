"""The supervisor's Fidelity screen as words: each item's value, and the
records behind it, as a reviewer reads them. Plain Python; no flet."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain import ITEMS as ITEM_TITLES

from . import text

Row = Mapping[str, Any]


def value_text(item: str, value: float | None) -> str:
    if value is None:
        return "The log cannot tell yet"
    shares = {"community_based_services", "follow_along", "diversity_of_employers",
              "diversity_of_jobs", "competitive_jobs"}
    if item in shares:
        return f"{round(value * 100)}%"
    if item == "caseload_size":
        return f"{text.plural(int(value), 'member')} on the largest caseload"
    if item == "frequent_employer_contact":
        return f"{value:.1f} face-to-face employer contacts a week"
    return f"{value:.0f} days from entry to a first employer contact"


@dataclass(frozen=True)
class RecordLine:
    title: str
    detail: str
    flagged: bool  # a row that pulls the rating down (late, missed, not counted)


def _who(row: Row) -> str:
    return row["specialist"]["name"]


def _job(row: Row) -> RecordLine:
    title = " as ".join(p for p in (row["employer"], row.get("title") or "") if p)
    return RecordLine(f"{row['member']}: {title}", f"{_who(row)} · started {row['start_date']}",
                      not row["counted"])


LINES: Mapping[str, Callable[[Row], RecordLine]] = {
    "caseload_size": lambda r: RecordLine(_who(r), f"{r['active']} active members", False),
    "frequent_employer_contact": lambda r: RecordLine(
        _who(r), "no finished week yet" if r["average"] is None else
        f"{r['average']:.1f} a week over {text.plural(len(r['weeks']), 'finished week')}: "
        + ", ".join(str(c) for c in r["counts"]), False),
    "rapid_job_search": lambda r: RecordLine(
        r["member"], f"{_who(r)} · entered {r['program_entry']} · "
        + (f"first contact {r['first_contact']}, {r['days']} days" if r["first_contact"]
           else "no face-to-face employer contact yet"), bool(r["late"])),
    "community_based_services": lambda r: RecordLine(
        _who(r), f"{r['community_minutes']} of {r['minutes']} visit minutes in the community"
        + (f" ({r['without_minutes']} visits without minutes)" if r["without_minutes"] else ""),
        False),
    "follow_along": lambda r: RecordLine(
        f"{r['member']}: {r['employer']}",
        f"{_who(r)} · {r['on_time']} of {r['items']} follow-along visits on time"
        + ("; missed: due " + ", ".join(m["due"] for m in r["missed"]) if r["missed"] else ""),
        bool(r["missed"])),
    "diversity_of_employers": _job,
    "diversity_of_jobs": _job,
    "competitive_jobs": _job,
}


def record_lines(item: str, rows: list[Row]) -> list[RecordLine]:
    return [LINES[item](row) for row in rows]


def item_title(item: str) -> str:
    return ITEM_TITLES[item]


def rate_text(rate: float | None) -> str:
    return "no members served" if rate is None else f"{round(rate * 100)}%"
