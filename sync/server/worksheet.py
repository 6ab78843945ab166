"""The monthly billing worksheet as CSV and PDF, for the billing clerk.

`storage.billing` gathers the month once; this module only lays it out. Cells
are made inert as in the tracking form (export.py), and every line names the
days of its encounters, so it can be traced to visits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from app.domain.billing import BLOCKERS, BillingRow, Line, line_words

from .export import PrintablePdf, csv_bytes
from .storage.billing import Worksheet

BILLING_CSV_COLUMNS = (
    "member",
    "specialist",
    "payer",
    "month",
    "encounters",
    "code",
    "modifier",
    "units",
    "billable",
    "blockers",
)


def to_csv(sheet: Worksheet) -> bytes:
    """One row per claim line (a row without lines: one with them empty);
    `encounters` lists the days, `blockers` their codes separated by spaces."""
    return csv_bytes(BILLING_CSV_COLUMNS, _csv_rows(sheet))


def _csv_rows(sheet: Worksheet) -> Iterator[list[str]]:
    for row in sheet.rows:
        for line in row.lines or (Line(None, None, 0),):
            yield [
                row.member,
                row.specialist,
                row.payer,
                str(sheet.month),
                " ".join(day.isoformat() for day in row.encounters),
                line.code or "",
                line.modifier or "",
                str(line.units) if row.lines else "",
                "true" if row.billable else "false",
                " ".join(row.blockers),
            ]


def to_pdf(sheet: Worksheet) -> bytes:
    """The worksheet to print: every row, then the totals by payer."""
    pdf = _WorksheetPdf(sheet)
    pdf.add_page()
    pdf.set_font("helvetica", "", 9)
    if not sheet.rows:
        pdf.cell(0, 6, "No encounters with a payer this month.", new_x="LMARGIN", new_y="NEXT")
    else:
        with pdf.table(
            col_widths=(34, 30, 22, 50, 30, 16, 66),
            text_align="LEFT",
            line_height=5,
            padding=1,
        ) as table:
            table.row(("Member", "Specialist", "Payer", "Encounters", "Lines", "Billable",
                       "Why not yet"))
            for row in sheet.rows:
                table.row(_pdf_row(sheet, row))
    _totals(pdf, sheet)
    return bytes(pdf.output())


def _pdf_row(sheet: Worksheet, row: BillingRow) -> tuple[str, ...]:
    return (
        row.member,
        row.specialist,
        _payer_name(sheet, row.payer),
        f"{len(row.encounters)}: " + ", ".join(f"{d:%m-%d}" for d in row.encounters),
        line_words(row.lines),
        "Yes" if row.billable else "No",
        "; ".join(BLOCKERS.get(b, b) for b in row.blockers),
    )


def _payer_name(sheet: Worksheet, payer_id: str) -> str:
    payer = sheet.payers.get(payer_id)
    return payer.name if payer else payer_id


def _totals(pdf: PrintablePdf, sheet: Worksheet) -> None:
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(0, 6, "Totals by payer", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    for total in sheet.totals:
        pdf.cell(
            0,
            6,
            f"{_payer_name(sheet, total.payer)}: {total.billable} of {total.members} members "
            f"billable, {total.encounters} encounters; billable lines: "
            f"{line_words(total.lines)}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)
    pdf.set_font("helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        "This worksheet tells which months of encounters are ready to claim under each "
        "payer's rule. It does not decide medical necessity, eligibility or the claim itself.",
    )


class _WorksheetPdf(PrintablePdf):
    """Landscape; every page headed with team and month."""

    def __init__(self, sheet: Worksheet) -> None:
        super().__init__(orientation="landscape")
        self.sheet = sheet
        self.set_title(f"Billing worksheet, {sheet.team.name}, {sheet.month}")

    def header(self) -> None:
        self.set_font("helvetica", "B", 14)
        self.cell(0, 8, "Monthly billing worksheet", new_x="LMARGIN", new_y="NEXT")
        self.set_font("helvetica", "", 11)
        self.cell(
            0,
            6,
            f"Team: {self.sheet.team.name}    Month: {self.sheet.month} "
            f"({self.sheet.team.settings.timezone})",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.ln(2)


WORKSHEET_FORMATS: dict[str, tuple[str, Callable[[Worksheet], bytes]]] = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "pdf": ("application/pdf", to_pdf),
}
