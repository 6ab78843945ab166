"""Payers and the monthly billing worksheet on both backends: `GET /v1/payers`,
`GET /v1/team/billing` (JSON, CSV, PDF), the `billing`, `payers`, `add-payer`
and `set-payer` commands, and who may see what."""

import csv
import io
from datetime import date

from pypdf import PdfReader

from app.domain.billing import Month, month_billing
from app.domain.payers import payers_by_id
from sync.protocol import PAYERS_PATH, TEAM_BILLING_PATH
from sync.server.worksheet import BILLING_CSV_COLUMNS
from tests.due_cases import PAYERS, PAYERS_LISTED, SETTINGS, authorization, member, visit

from .conftest import unique

NOV = Month(2026, 11)
ENTRY = date(2026, 9, 1)


def nov(day: int) -> date:
    return date(2026, 11, day)


def wire(records) -> list[dict]:
    return [record.to_wire() for record in records]


def month_of_work():
    """Members whose November shows each rule of the worksheet (invented names)."""
    checked = {"lrs_checked_on": ENTRY.isoformat()}
    five = member("Ana Five", ENTRY, payer="lhcc", **checked)
    six = member("Bo Six", ENTRY, payer="lhcc", **checked)
    gap = member("Cy Gap", ENTRY, payer="lhcc", **checked)
    late = member("=Di Late", ENTRY, payer="lhcc", lrs_checked_on=nov(5).isoformat())
    moved = member("Ed Moved", ENTRY, payer="acla", **checked)
    used = member("Fay Used", ENTRY, payer="acla", **checked)
    records = [five, six, gap, late, moved, used]
    for who in (five, six, late):
        records.append(authorization(who, "lhcc", ENTRY, date(2026, 12, 31)))
    records += [visit(five, nov(d)) for d in (2, 4, 9, 16, 23)]
    records += [visit(five, nov(2), clock="16:00:00-06:00"), visit(five, nov(3), f2f=False)]
    records += [visit(six, nov(d)) for d in (2, 4, 9, 16, 23, 30)]
    records += [authorization(gap, "lhcc", ENTRY, nov(15)), visit(gap, nov(10)),
                visit(gap, nov(16))]
    records += [visit(late, nov(4)), visit(late, nov(6))]
    records += [authorization(moved, "lhcc", ENTRY, nov(14)),
                authorization(moved, "acla", nov(15), date(2027, 2, 28)),
                visit(moved, nov(3)), visit(moved, nov(17))]
    records += [authorization(used, "acla", ENTRY, date(2026, 12, 31), units=2),
                visit(used, date(2026, 9, 9)), visit(used, date(2026, 10, 9)), visit(used, nov(9))]
    return records


def test_every_store_holds_the_protocols_payers(specialist):
    answer = specialist.get(PAYERS_PATH)
    assert answer.status_code == 200, answer.text
    listed = {p["id"]: p for p in answer.json()["payers"]}
    assert {k: listed[k] for k in ("lhcc", "acla", "ny_pros")} == {
        p["id"]: p for p in PAYERS_LISTED
    }


def test_the_worksheet_is_the_domains_month_on_both_backends(server, new_team, new_user, enroll):
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    records = month_of_work()
    assert {r["status"] for r in worker.push_ok(wire(records))} == {"applied"}
    answer = boss.get(TEAM_BILLING_PATH, month="2026-11")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["month"] == "2026-11" and body["team"]["name"] == team
    name = worker.user["name"]
    expected = month_billing(NOV, records, PAYERS, SETTINGS, {r.id: name for r in records})
    assert body["rows"] == [row.to_wire() for row in expected]
    by_member = {(r["member"], r["payer"]): r for r in body["rows"]}
    assert by_member[("Ana Five", "lhcc")]["lines"] == [
        {"code": "H2024", "modifier": None, "units": 5}
    ]
    assert by_member[("Bo Six", "lhcc")]["lines"] == [
        {"code": "H2024", "modifier": "TG", "units": 1}
    ]
    assert by_member[("Cy Gap", "lhcc")]["blockers"] == ["no_authorization"]
    assert by_member[("=Di Late", "lhcc")]["blockers"] == ["lrs_not_documented"]
    assert by_member[("Ed Moved", "lhcc")]["encounters"] == ["2026-11-03"]
    assert by_member[("Ed Moved", "acla")]["encounters"] == ["2026-11-17"]
    assert by_member[("Fay Used", "acla")]["blockers"] == ["units_exceeded"]
    totals = {t["payer"]: t for t in body["totals"]}
    assert totals["lhcc"]["billable"] == 3 and totals["lhcc"]["members"] == 5
    assert {(x["code"], x["modifier"]): x["units"] for x in totals["lhcc"]["lines"]} == {
        ("H2024", None): 6, ("H2024", "TG"): 1
    }

    # The CSV: its columns, one row per line, cells inert.
    csv_answer = boss.get(TEAM_BILLING_PATH, month="2026-11", format="csv")
    assert csv_answer.headers["content-type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(csv_answer.text)))
    assert tuple(header) == BILLING_CSV_COLUMNS
    assert len(rows) == len(body["rows"])
    late_row = next(row for row in rows if "Di Late" in row[0])
    assert late_row[0] == "'=Di Late" and late_row[8] == "false"
    assert late_row[9] == "lrs_not_documented" and late_row[4] == "2026-11-04 2026-11-06"

    # The PDF holds every row and every total.
    pdf = boss.get(TEAM_BILLING_PATH, month="2026-11", format="pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for row in body["rows"]:
        assert row["member"] in text
    assert "H2024-TG x 1" in text and "H2024 x 6" in text
    assert "Louisiana Healthcare Connections: 3 of 5 members billable" in text
    assert "does not decide medical necessity" in text


def test_only_the_teams_supervisor_sees_its_billing(new_team, new_user, enroll):
    team, other = new_team(), new_team()
    worker = enroll(new_user(team))
    outsider = enroll(new_user(other, "supervisor"))
    worker.push_ok(wire(month_of_work()))
    refused = worker.get(TEAM_BILLING_PATH, month="2026-11")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert outsider.get(TEAM_BILLING_PATH, month="2026-11").json()["rows"] == []
    asked = outsider.get(TEAM_BILLING_PATH, month="2026-11", team=worker.team["id"])
    assert asked.status_code == 403
    for bad in ("2026-13", "November", "2026-1"):
        answer = outsider.get(TEAM_BILLING_PATH, month=bad)
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.json()["error"]["field"] == "month"


def test_payers_from_the_command_line_reach_every_device(server, specialist, tmp_path):
    payer = unique("plan").lower().replace("-", "_").replace(" ", "_")[:30]
    printed = server.cli(
        "add-payer", payer, "--name", "Invented Plan", "--state", "TX", "--billing",
        "per_encounter", "--code", "H2025", "--modifier", "U1", "--modifier-at", "4",
        "--needs-authorization", "yes",
    ).stdout
    assert "added" in printed and "H2025" in printed
    listed = payers_by_id(specialist.get(PAYERS_PATH).json()["payers"])
    assert listed[payer].modifier_at == 4 and listed[payer].needs_authorization
    server.cli("set-payer", payer, "--modifier-per", "encounter", "--code", "")
    listed = payers_by_id(specialist.get(PAYERS_PATH).json()["payers"])
    assert listed[payer].modifier_per == "encounter" and listed[payer].code is None
    assert payer in server.cli("payers").stdout
    mistakes = [
        (("add-payer", payer, "--name", "Again", "--state", "TX", "--billing", "none"), "exists"),
        (("add-payer", "Bad Id", "--name", "X", "--state", "TX", "--billing", "none"), "--id"),
        (("set-payer", payer, "--state", "Texas"), "--state"),
        (("set-payer", "no_such_payer", "--state", "TX"), "no payer"),
        (("set-payer", payer), "at least one"),
        (("add-payer", "x1", "--name", "X", "--state", "TX", "--billing", "none",
          "--modifier-at", "six"), "--modifier-at"),
    ]
    for args, words in mistakes:
        result = server.cli(*args, check=False)
        assert result.returncode == 1, args
        assert words in result.stderr, (args, result.stderr)


def test_the_billing_command_writes_the_worksheet(server, new_team, new_user, enroll, tmp_path):
    team = new_team()
    worker = enroll(new_user(team))
    worker.push_ok(wire(month_of_work()))
    out = tmp_path / "billing.csv"
    printed = server.cli("billing", "--team", team, "--month", "2026-11", "--out", str(out)).stdout
    assert "7 rows, 4 billable, 3 not yet" in printed
    header, *rows = list(csv.reader(io.StringIO(out.read_text("utf-8"))))
    assert tuple(header) == BILLING_CSV_COLUMNS and len(rows) == 7
    pdf = tmp_path / "billing.pdf"
    server.cli("billing", "--team", team, "--month", "2026-11", "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    for args, words in (
        (("--month", "2026-13", "--out", str(out)), "--month"),
        (("--month", "2026-11", "--out", str(tmp_path / "b.txt")), ".csv or .pdf"),
    ):
        result = server.cli("billing", "--team", team, *args, check=False)
        assert result.returncode == 1 and words in result.stderr
