"""The fidelity evidence report (PDF) and the quarters' outcomes (CSV).

Both lay out what `FidelityStore.for_team` computed (the domain's
`quarter_fidelity`), so the report says what `GET /v1/team/fidelity` answers. The PDF
is for a reviewer who has not seen the app: a cover with the items and their
ratings, a page per item with its evidence sentence, its anchors and the rows
its value was computed from, then the outcomes and the members served.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from fpdf.fonts import FontFace

from app.domain import BENCHMARKS, ITEMS, FidelityItem, Outcomes
from app.domain.fidelity import FIRST_CONTACT_DAYS

from .export import PrintablePdf, csv_bytes
from .store import TeamFidelity

OUTCOMES_CSV_COLUMNS = (
    "team",
    "quarter",
    "period_start",
    "period_end",
    "served",
    "worked",
    "employment_rate",
    "job_starts",
)
FLAGGED = FontFace(emphasis="BOLD", color=(180, 0, 0))  # rows a reviewer should look at


def outcomes_csv(report: TeamFidelity) -> bytes:
    """One row per quarter, oldest first: OUTCOMES_CSV_COLUMNS, UTF-8."""
    rows = (
        [
            report.team.name,
            str(outcomes.quarter),
            outcomes.quarter.start.isoformat(),
            outcomes.quarter.end.isoformat(),
            str(outcomes.served),
            str(outcomes.worked),
            "" if outcomes.employment_rate is None else f"{outcomes.employment_rate:.4f}",
            str(outcomes.job_starts),
        ]
        for outcomes in report.outcomes_by_quarter
    )
    return csv_bytes(OUTCOMES_CSV_COLUMNS, rows)


def evidence_pdf(report: TeamFidelity) -> bytes:
    pdf = _ReportPdf(report)
    pdf.add_page()
    _cover(pdf, report)
    for number, item in enumerate(report.fidelity.items, start=1):
        pdf.add_page()
        _item_page(pdf, number, item)
    pdf.add_page()
    _outcomes_page(pdf, report)
    return bytes(pdf.output())


REPORT_FORMATS: dict[str, tuple[str, Callable[[TeamFidelity], bytes]]] = {
    "pdf": ("application/pdf", evidence_pdf),
    "csv": ("text/csv; charset=utf-8", outcomes_csv),
}


class _ReportPdf(PrintablePdf):
    """Portrait; every page after the cover headed with the team and quarter."""

    def __init__(self, report: TeamFidelity) -> None:
        super().__init__(orientation="portrait")
        self.report = report
        self.set_title(f"IPS fidelity evidence, {report.team.name}, {report.quarter}")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("helvetica", "", 9)
        self.cell(
            0,
            5,
            f"IPS fidelity evidence: {self.report.team.name}, {_period(self.report)}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.ln(2)

    def heading(self, text: str, size: int = 14) -> None:
        self.set_font("helvetica", "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def paragraph(self, text: str, *, bold: bool = False) -> None:
        self.set_font("helvetica", "B" if bold else "", 10)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def rows_table(
        self,
        columns: Sequence[_Column],
        rows: Sequence[Mapping[str, Any]],
        flagged: Callable[[Mapping[str, Any]], bool] = lambda _row: False,
    ) -> None:
        self.set_font("helvetica", "", 8)
        if not rows:
            self.paragraph("No records.")
            return
        with self.table(
            col_widths=tuple(width for _, width, _ in columns),
            text_align="LEFT",
            line_height=4.5,
            padding=1,
        ) as table:
            table.row(tuple(heading for heading, _, _ in columns))
            for row in rows:
                cells = tuple(shown(row) for _, _, shown in columns)
                table.row(cells, style=FLAGGED if flagged(row) else None)


def _period(report: TeamFidelity) -> str:
    quarter = report.quarter
    return f"{quarter} ({_day(quarter.start)} to {_day(quarter.end)})"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _cover(pdf: _ReportPdf, report: TeamFidelity) -> None:
    found, settings = report.fidelity, report.team.settings
    pdf.heading("IPS fidelity evidence report", 18)
    pdf.paragraph(f"Team: {report.team.name}", bold=True)
    pdf.paragraph(f"Quarter: {_period(report)}", bold=True)
    pdf.paragraph(
        f"Computed on {found.as_of} from the records in the central store of IPS Field Log, "
        f"with days in the team's time zone ({settings.timezone}). Each item below has a page "
        "of its own with the sentence of evidence, the anchors, and the records its value was "
        "computed from; the outcomes follow."
    )
    with pdf.table(col_widths=(62, 58, 26, 40), text_align="LEFT", line_height=5.5) as table:
        table.row(("Item", "Value", "Rating", "Anchors"))
        for item in found.items:
            table.row((ITEMS[item.item], _value(item), _rating(item), _checked(item)))
    pdf.ln(4)
    pdf.heading("Outcomes", 12)
    pdf.paragraph(_outcomes_line(found.outcomes))
    pdf.paragraph(
        "Anchors marked (unverified) were not checked against the published IPS Fidelity "
        "Scale; the follow-along anchors are IPS Field Log's own, since the scale has none for "
        "that measure. An item the log cannot tell is not rated, never rated 1."
    )


def _item_page(pdf: _ReportPdf, number: int, item: FidelityItem) -> None:
    pdf.heading(f"Item {number} of {len(ITEMS)}: {ITEMS[item.item]}")
    pdf.paragraph(f"Value: {_value(item)}. Rating: {_rating(item)}.", bold=True)
    pdf.paragraph(f"Evidence: {item.evidence}")
    scale = item.scale
    pdf.paragraph(f"Anchors: {scale.says()}. Source: {scale.basis}.")
    flagged = _FLAGGED.get(item.item)
    if flagged is None:
        pdf.rows_table(_COLUMNS[item.item], item.records)
    else:
        pdf.paragraph(f"In bold red: {flagged[0]}.")
        pdf.rows_table(_COLUMNS[item.item], item.records, flagged[1])


def _outcomes_page(pdf: _ReportPdf, report: TeamFidelity) -> None:
    outcomes = report.fidelity.outcomes
    pdf.heading("Outcomes")
    pdf.paragraph(_outcomes_line(outcomes), bold=True)
    pdf.paragraph(
        "Served: members active on any day of the quarter (entered by its end and not "
        "closed before it). Worked: those of them with a competitive job on any day of it. "
        "Employment rate: worked divided by served. Job starts: competitive jobs of members "
        "served that started in the quarter."
    )
    if len(report.outcomes_by_quarter) > 1:
        pdf.heading("Quarter by quarter", 11)
        pdf.rows_table(_QUARTER_COLUMNS, [o.figures() for o in report.outcomes_by_quarter])
    pdf.heading("Members served", 11)
    pdf.rows_table(_SERVED_COLUMNS, outcomes.records)


def _outcomes_line(outcomes: Outcomes) -> str:
    rate = outcomes.employment_rate
    shown_rate = "none (no member served)" if rate is None else _percent(rate)
    benchmarks = ", ".join(f"{name} {_percent(share)}" for name, share in BENCHMARKS.items())
    return (
        f"Members served: {outcomes.served}. Worked in a competitive job: {outcomes.worked}. "
        f"Employment rate: {shown_rate} (IPS benchmarks: {benchmarks}). "
        f"Competitive job starts: {outcomes.job_starts}."
    )


# --- Values and cells ---------------------------------------------------------------


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _value(item: FidelityItem) -> str:
    value = item.value
    if value is None:
        return "the log cannot tell"
    if item.item == "caseload_size":
        return f"{value:g} active members (largest caseload)"
    if item.item == "frequent_employer_contact":
        return f"{value:.2f} face-to-face contacts a week"
    if item.item == "rapid_job_search":
        return f"{value:.1f} days on average"
    return _percent(value)


def _rating(item: FidelityItem) -> str:
    return "not rated" if item.rating is None else f"{item.rating} of 5"


def _checked(item: FidelityItem) -> str:
    verified = [anchor.verified for anchor in item.scale.anchors]
    if all(verified):
        return "checked"
    return "partly unverified" if any(verified) else "unverified"


def _yes(value: bool | None) -> str:
    return "Not marked" if value is None else "Yes" if value else "No"


def _text(key: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda row: "" if row[key] is None else str(row[key])


def _specialist(row: Mapping[str, Any]) -> str:
    return str(row["specialist"]["name"])


_Column = tuple[str, float, Callable[[Mapping[str, Any]], str]]  # heading, width (mm), cell
_JOB = (("Specialist", 30, _specialist), ("Member", 32, _text("member")))
# A missed follow-along item, as the report's table names its rule.
MISSED_WORDS = {
    "contact_before_job_start": "before start",
    "contact_after_job_start": "after start",
    "follow_along_weekly": "weekly",
    "follow_along_monthly": "monthly",
    "contact_after_job_loss": "after loss",
}
_COLUMNS: dict[str, tuple[_Column, ...]] = {
    "caseload_size": (
        ("Specialist", 36, _specialist),
        ("Active", 16, _text("active")),
        (
            "Members active (program entry)",
            134,
            lambda row: ", ".join(f"{m['name']} ({m['program_entry']})" for m in row["members"]),
        ),
    ),
    "frequent_employer_contact": (
        ("Specialist", 36, _specialist),
        ("Since", 22, _text("since")),
        (
            "Weeks counted (from)",
            34,
            lambda row: (
                f"{len(row['weeks'])}" + (f" (from {row['weeks'][0]})" if row["weeks"] else "")
            ),
        ),
        ("Contacts each week", 72, lambda row: ", ".join(map(str, row["counts"]))),
        ("Average", 22, lambda row: "none" if row["average"] is None else f"{row['average']:g}"),
    ),
    "rapid_job_search": (
        *_JOB,
        ("Program entry", 28, _text("program_entry")),
        ("First employer contact", 36, lambda row: row["first_contact"] or "none yet"),
        ("Days", 20, _text("days")),
        (f"Over {FIRST_CONTACT_DAYS} days", 40, lambda row: _yes(row["late"])),
    ),
    "community_based_services": (
        ("Specialist", 46, _specialist),
        ("Visits and contacts", 30, _text("records")),
        ("Minutes", 24, _text("minutes")),
        ("In the community", 30, _text("community_minutes")),
        ("Without minutes", 40, _text("without_minutes")),
    ),
    "follow_along": (
        *_JOB,
        ("Job at", 36, _text("employer")),
        ("Due", 14, _text("items")),
        ("On time", 14, _text("on_time")),
        (
            "Missed (due day, rule)",
            60,
            lambda row: "; ".join(
                f"{missed['due']} {MISSED_WORDS[missed['rule']]}" for missed in row["missed"]
            ),
        ),
    ),
    "diversity_of_employers": (
        *_JOB,
        ("Employer", 54, _text("employer")),
        ("Started", 24, _text("start_date")),
        ("No other job there", 46, lambda row: _yes(row["counted"])),
    ),
    "diversity_of_jobs": (
        *_JOB,
        ("Title", 42, _text("title")),
        ("Employer", 40, _text("employer")),
        ("Started", 22, _text("start_date")),
        ("Title held once", 20, lambda row: _yes(row["counted"])),
    ),
    "competitive_jobs": (
        *_JOB,
        ("Employer", 44, _text("employer")),
        ("Title", 34, _text("title")),
        ("Started", 22, _text("start_date")),
        ("Competitive", 24, lambda row: _yes(row["competitive"])),
    ),
}
# Items whose rows a reviewer should look at first: what marks them, and which.
_FLAGGED: dict[str, tuple[str, Callable[[Mapping[str, Any]], bool]]] = {
    "rapid_job_search": (
        f"members whose first contact came more than {FIRST_CONTACT_DAYS} days after "
        "entry, or had not come by then",
        lambda row: bool(row["late"]),
    ),
    "follow_along": ("members with a visit missed", lambda row: bool(row["missed"])),
}
_QUARTER_COLUMNS: tuple[_Column, ...] = (
    ("Quarter", 30, _text("quarter")),
    ("Served", 30, _text("served")),
    ("Worked", 30, _text("worked")),
    (
        "Employment rate",
        48,
        lambda row: "none" if row["employment_rate"] is None else _percent(row["employment_rate"]),
    ),
    ("Job starts", 48, _text("job_starts")),
)
_SERVED_COLUMNS: tuple[_Column, ...] = (
    *_JOB,
    ("Program entry", 24, _text("program_entry")),
    ("Closed", 24, lambda row: row["closed_on"] or ""),
    ("Worked", 16, lambda row: _yes(row["worked"])),
    ("Competitive job at", 40, lambda row: row["employer"] or ""),
    ("Job starts", 20, _text("job_starts")),
)
