"""The team's weekly employer-contact tracking form, as CSV or PDF, and the
team's due list as CSV.

`tracking_form` gathers the week once, through the store's team part;
`to_csv` and `to_pdf` only lay it out. Whether a contact counts is the domain's rule
(`counts_toward_target`), so the form agrees with the tallies and the phone;
what is due is the domain's `due_items`, as on the phone and `GET /v1/due`.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fpdf import FPDF

from app.domain import DueItem, Record, counts_toward_target
from app.domain.kinds import parse_datetime
from sync.protocol import ReviewInfo

from .store import Caller, SpecialistWeek, Team, TeamStore

CSV_COLUMNS = (
    "specialist",
    "week_start",
    "occurred_at",
    "employer",
    "contact_person",
    "face_to_face",
    "member_specific",
    "counts",
    "members",
    "purpose",
    "outcome",
    "reviewed_by",
    "reviewed_at",
    "changed_since_review",
)
DUE_CSV_COLUMNS = ("specialist", "member", "rule", "says", "due", "status", "evidence")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# PDF core fonts (the only ones available offline) draw Windows-1252 text only.
PDF_ENCODING = "windows-1252"


@dataclass(frozen=True)
class ContactLine:
    """One employer contact as the form shows it."""

    occurred: datetime  # in the team's time zone
    employer: str
    contact_person: str
    face_to_face: bool
    member_specific: bool
    counts: bool
    members: int  # how many members the contact was for (0: a generic contact)
    purpose: str
    outcome: str


@dataclass(frozen=True)
class TrackingForm:
    team: Team
    week_start: date
    weeks: list[SpecialistWeek]  # one per specialist, by name

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    def lines(self, week: SpecialistWeek) -> list[ContactLine]:
        """The specialist's live contacts of the week, oldest first."""
        return [self._line(record) for record in reversed(week.tally.contacts)]

    def _line(self, record: Record) -> ContactLine:
        data = record.data
        members = len(data.get("member_ids") or [])
        return ContactLine(
            occurred=parse_datetime(data["occurred_at"]).astimezone(self.team.settings.zone),
            employer=str(data.get("employer") or ""),
            contact_person=str(data.get("contact_person") or ""),
            face_to_face=data.get("face_to_face") is True,
            member_specific=members > 0,
            counts=counts_toward_target(record),
            members=members,
            purpose=str(data.get("purpose") or ""),
            outcome=str(data.get("outcome") or ""),
        )

    def reviewed_at(self, review: ReviewInfo) -> datetime:
        """When the week was reviewed, in the team's time zone."""
        return datetime.fromisoformat(review["at"]).astimezone(self.team.settings.zone)


def tracking_form(
    store: TeamStore, team: Team, day: date, *, caller: Caller | None = None
) -> TrackingForm:
    """The form of the team's week holding `day` (the export is audited)."""
    weeks = store.specialist_weeks(team, day, caller=caller)
    return TrackingForm(team, team.settings.week_of(day), weeks)


def to_csv(form: TrackingForm) -> bytes:
    """One row per contact of every specialist: CSV_COLUMNS, UTF-8."""
    return csv_bytes(CSV_COLUMNS, _tracking_rows(form))


def _tracking_rows(form: TrackingForm) -> Iterator[list[str]]:
    for week in form.weeks:
        review = week.review
        reviewed = (
            [
                review["by"]["name"],
                form.reviewed_at(review).isoformat(timespec="seconds"),
                _csv_bool(review["changed"]),
            ]
            if review
            else ["", "", ""]
        )
        for line in form.lines(week):
            yield [
                week.user["name"],
                form.week_start.isoformat(),
                line.occurred.isoformat(timespec="seconds"),
                line.employer,
                line.contact_person,
                _csv_bool(line.face_to_face),
                _csv_bool(line.member_specific),
                _csv_bool(line.counts),
                str(line.members),
                line.purpose,
                line.outcome,
                *reviewed,
            ]


def due_csv(listed: list[tuple[str, DueItem]]) -> bytes:
    """One row per item, (specialist name, item) as listed: DUE_CSV_COLUMNS, UTF-8."""
    rows = (
        [
            specialist,
            item.member,
            item.rule,
            item.says,
            item.due.isoformat(),
            item.status,
            item.evidence,
        ]
        for specialist, item in listed
    )
    return csv_bytes(DUE_CSV_COLUMNS, rows)


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A CSV file as UTF-8: the header, then the rows, every cell made inert."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
    return out.getvalue().encode()


def inert(cell: str) -> str:
    """The cell as text a spreadsheet shows and never runs: one that would
    start like a formula starts with a ' instead (PROTOCOL.md)."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _csv_bool(value: bool) -> str:
    return "true" if value else "false"


def to_pdf(form: TrackingForm) -> bytes:
    """A printable form per specialist, each starting on a new page."""
    pdf = _FormPdf(form)
    for week in form.weeks:
        pdf.specialist = week.user["name"]
        pdf.add_page()
        _summary(pdf, form, week)
        _contact_table(pdf, form.lines(week))
        _signature(pdf)
    return bytes(pdf.output())


FORMATS: dict[str, tuple[str, Callable[[TrackingForm], bytes]]] = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "pdf": ("application/pdf", to_pdf),
}


def printable(text: str) -> str:
    """Text the PDF core fonts can draw: accents dropped where that is
    enough (ő → o), any other character outside Windows-1252 shown as '?'."""
    kept = []
    for char in text:
        try:
            char.encode(PDF_ENCODING)
            kept.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode(PDF_ENCODING, "ignore")
            kept.append(base.decode(PDF_ENCODING) or "?")
    return "".join(kept)


class PrintablePdf(FPDF):
    """US Letter in millimetres, drawing only text the core fonts can."""

    def __init__(self, *, orientation: str) -> None:
        super().__init__(orientation=orientation, unit="mm", format="letter")
        self.core_fonts_encoding = PDF_ENCODING
        self.set_margins(15, 12, 15)
        self.set_auto_page_break(True, margin=15)

    def normalize_text(self, text: str) -> str:
        # Every string fpdf2 draws passes here: the one place to make it printable.
        return super().normalize_text(printable(text))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", "", 8)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


class _FormPdf(PrintablePdf):
    """Landscape; every page headed with team, specialist and week."""

    def __init__(self, form: TrackingForm) -> None:
        super().__init__(orientation="landscape")
        self.form = form
        self.specialist = ""
        self.set_title(f"Employer-contact tracking form, {form.team.name}, {form.week_start}")

    def header(self) -> None:
        form = self.form
        self.set_font("helvetica", "B", 14)
        self.cell(0, 8, "Weekly employer-contact tracking form", new_x="LMARGIN", new_y="NEXT")
        self.set_font("helvetica", "", 11)
        self.cell(0, 6, f"Team: {form.team.name}", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 6, f"Specialist: {self.specialist}", new_x="LMARGIN", new_y="NEXT")
        week = (
            f"Week: {form.week_start:%a %Y-%m-%d} – {form.week_end:%a %Y-%m-%d} "
            f"({form.team.settings.timezone})"
        )
        self.cell(0, 6, week, new_x="LMARGIN", new_y="NEXT")
        self.ln(3)


def _summary(pdf: _FormPdf, form: TrackingForm, week: SpecialistWeek) -> None:
    tally = week.tally
    standing = "target met" if tally.met else f"{tally.short_by} short of the target"
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(
        0,
        6,
        f"Face-to-face employer contacts: {tally.count} of {tally.target} ({standing})",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("helvetica", "", 11)
    pdf.cell(0, 6, _review_text(form, week.review), new_x="LMARGIN", new_y="NEXT")
    if week.review and week.review["changed"]:
        pdf.set_font("helvetica", "B", 11)
        pdf.set_text_color(180, 0, 0)
        pdf.cell(0, 6, _changed_text(week.review), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)


def _review_text(form: TrackingForm, review: ReviewInfo | None) -> str:
    if review is None:
        return "Review: Not reviewed"
    at = form.reviewed_at(review)
    seen = "" if review["count"] is None else f" (count at review: {review['count']})"
    return f"Review: Reviewed by {review['by']['name']} on {at:%Y-%m-%d %H:%M %Z}{seen}"


def _changed_text(review: ReviewInfo) -> str:
    """The warning that what is signed is not what was reviewed."""
    since = review.get("since_review")
    if since is None:  # a review from before reviews kept what they saw
        what = "what was reviewed was not kept"
    else:
        what = (
            f"{len(since['added'])} added, {len(since['edited'])} edited, "
            f"{since['removed']} removed"
        )
    return f"CHANGED SINCE REVIEW ({what}): review this week again before signing."


def _contact_table(pdf: _FormPdf, lines: list[ContactLine]) -> None:
    pdf.set_font("helvetica", "", 10)
    if not lines:
        pdf.cell(0, 6, "No employer contacts this week.", new_x="LMARGIN", new_y="NEXT")
        return
    headings = (
        "Date and time",
        "Employer",
        "Contact person",
        "Face to face",
        "Generic or member-specific",
        "Counts",
    )
    with pdf.table(
        col_widths=(30, 52, 38, 16, 28, 12),
        text_align="LEFT",
        line_height=6,
        padding=1,
    ) as table:
        table.row(headings)
        for line in lines:
            table.row(
                (
                    f"{line.occurred:%a %Y-%m-%d %H:%M}",
                    line.employer,
                    line.contact_person,
                    _yes_no(line.face_to_face),
                    "Member-specific" if line.member_specific else "Generic",
                    _yes_no(line.counts),
                )
            )


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _signature(pdf: _FormPdf) -> None:
    pdf.ln(8)
    pdf.set_font("helvetica", "", 10)
    pdf.cell(0, 6, "Supervisor signature: ______________________________    Date: ______________")
