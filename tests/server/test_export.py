"""The weekly tracking form: CSV and PDF through the API and the command line."""

import csv
import io
import re
import uuid
from datetime import datetime

from pypdf import PdfReader

from app.domain import Record, counts_toward_target
from app.store import Store
from sync.protocol import TALLIES_PATH, TEAM_EXPORT_PATH, TEAM_REVIEW_PATH, TEAM_WEEK_PATH
from sync.server.export import CSV_COLUMNS, FORMULA_STARTS, printable
from tests.conftest import PIN

from .conftest import BASE_MS, contact, unique, version

WEEK = "2025-11-19"  # a Wednesday; the week runs Monday 17 to Sunday 23 November


def _member_visit(occurred_at):
    return {
        **contact(occurred_at),
        "kind": "member_visit",
        "data": {
            "occurred_at": occurred_at,
            "member_id": "m1",
            "type": "job_search",
            "face_to_face": True,
            "setting": "community",
        },
    }


def _week_of_contacts(device):
    """Push a mixed week; returns the contacts the form must list, oldest first."""
    generic = contact("2025-11-17T09:15:00-06:00", contact_person="Pat Example")
    for_member = contact(
        "2025-11-18T14:00:00-06:00", employer="Invented Hardware", member_ids=["m1"]
    )
    phone_call = contact("2025-11-19T11:00:00-06:00", face_to_face=False)
    removed = contact("2025-11-20T10:00:00-06:00")
    tombstone = {
        **removed,
        "version": version(BASE_MS + 1, 0, device.device_id),
        "deleted": True,
        "data": {},
    }
    next_week = contact("2025-11-24T10:00:00-06:00")
    device.push_ok(
        [generic, for_member, phone_call, removed, tombstone, next_week, _member_visit(WEEK)]
    )
    return [generic, for_member, phone_call]


def _csv_rows(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8"), newline=""))
    return list(reader.fieldnames or []), list(reader)


def _pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _specialist_on(page: str) -> str:
    found = re.search(r"Specialist: (.+)", page)
    assert found, page
    return found[1].strip()


def _team_with_contacts(new_team, new_user, enroll):
    team = new_team()
    boss = enroll(new_user(team, "supervisor"))
    busy = enroll(new_user(team))
    idle = new_user(team)
    listed = _week_of_contacts(busy)
    return team, boss, busy, idle, listed


def test_csv_lists_each_live_contact_with_the_domain_count(new_team, new_user, enroll):
    _, boss, busy, idle, listed = _team_with_contacts(new_team, new_user, enroll)

    response = boss.get(TEAM_EXPORT_PATH, week=WEEK, format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "tracking-form-2025-11-17.csv" in response.headers["content-disposition"]
    columns, rows = _csv_rows(response.content)

    assert columns == list(CSV_COLUMNS)
    assert {row["specialist"] for row in rows} == {busy.user["name"]}  # idle has no rows
    assert [row["week_start"] for row in rows] == ["2025-11-17"] * 3
    assert [datetime.fromisoformat(row["occurred_at"]) for row in rows] == [
        datetime.fromisoformat(c["data"]["occurred_at"]) for c in listed
    ]
    assert rows[0]["occurred_at"] == "2025-11-17T09:15:00-06:00"  # team time, ISO 8601
    assert [row["employer"] for row in rows] == [
        "Invented Bakery",
        "Invented Hardware",
        "Invented Bakery",
    ]
    assert [row["contact_person"] for row in rows] == ["Pat Example", "", ""]
    assert [row["face_to_face"] for row in rows] == ["true", "true", "false"]
    assert [row["member_specific"] for row in rows] == ["false", "true", "false"]
    assert [row["counts"] for row in rows] == ["true", "true", "false"]
    assert idle not in response.text


def test_csv_follows_the_team_week_and_orders_by_specialist(server, new_team, enroll):
    team = new_team(week_start="sunday", timezone="Pacific/Auckland")
    suffix = uuid.uuid4().hex[:6]
    for name in (f"Zed {suffix}", f"Amy {suffix}", f"Boss {suffix}"):
        server.admin.add_user(
            name, role="supervisor" if "Boss" in name else "specialist", team=team
        )
    boss, zed, amy = (enroll(f"{who} {suffix}") for who in ("Boss", "Zed", "Amy"))
    awkward = 'Invented "Deli", Ltd.\nBack door'
    # Sunday 16 Nov 11:30 UTC is Monday morning in Auckland: week of Sunday 16 Nov.
    zed.push_ok([contact("2025-11-16T11:30:00+00:00", employer=awkward)])
    amy.push_ok([contact("2025-11-22T09:00:00+13:00"), contact("2025-11-15T09:00:00+13:00")])

    response = boss.get(TEAM_EXPORT_PATH, week="2025-11-20", format="csv")
    _, rows = _csv_rows(response.content)
    assert [row["specialist"] for row in rows] == [f"Amy {suffix}", f"Zed {suffix}"]
    assert {row["week_start"] for row in rows} == {"2025-11-16"}
    assert rows[1]["occurred_at"] == "2025-11-17T00:30:00+13:00"
    assert rows[1]["employer"] == awkward


def test_cli_writes_the_same_csv_and_a_pdf(server, new_team, new_user, enroll, tmp_path):
    team, boss, busy, _, _ = _team_with_contacts(new_team, new_user, enroll)
    out = tmp_path / "form.csv"
    result = server.cli(
        "export", "--team", team, "--week", WEEK, "--format", "csv", "--out", str(out)
    )
    assert "2025-11-17" in result.stdout and str(out) in result.stdout
    api = boss.get(TEAM_EXPORT_PATH, week=WEEK, format="csv").content
    assert out.read_bytes() == api

    pdf = tmp_path / "form.pdf"
    server.cli("export", "--team", team, "--week", WEEK, "--format", "pdf", "--out", str(pdf))
    pages = _pdf_pages(pdf.read_bytes())
    assert busy.user["name"] in "".join(pages)


def test_pdf_has_a_form_per_specialist_with_count_and_review(new_team, new_user, enroll):
    team, boss, busy, idle, _ = _team_with_contacts(new_team, new_user, enroll)
    many = enroll(new_user(team))
    # Enough contacts to run over one page.
    many.push_ok(
        [
            contact(f"2025-11-{day}T{hour:02d}:00:00-06:00")
            for day in range(17, 24)
            for hour in range(8, 16)
        ]
    )
    reviewed = boss.post(TEAM_REVIEW_PATH, {"user": busy.user["id"], "week": WEEK})
    assert reviewed.status_code == 200

    response = boss.get(TEAM_EXPORT_PATH, week=WEEK, format="pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pages = _pdf_pages(response.content)
    owners = [_specialist_on(page) for page in pages]

    names = sorted([busy.user["name"], idle, many.user["name"]])
    assert list(dict.fromkeys(owners)) == names  # each starts a new page, in name order
    assert owners.count(many.user["name"]) >= 2  # its long table continues
    first = {name: pages[owners.index(name)] for name in names}
    assert "2 of 6 (4 short of the target)" in first[busy.user["name"]]
    assert f"Reviewed by {boss.user['name']}" in first[busy.user["name"]]
    assert "Pat Example" in first[busy.user["name"]]
    assert "Invented Hardware" in first[busy.user["name"]]
    assert "Member-specific" in first[busy.user["name"]]
    assert "0 of 6" in first[idle] and "Not reviewed" in first[idle]
    assert "No employer contacts this week." in first[idle]
    assert "56 of 6 (target met)" in first[many.user["name"]]
    assert all("Week: Mon 2025-11-17" in page and "Sun 2025-11-23" in page for page in pages)


def test_pdf_survives_text_the_core_fonts_cannot_draw(server, new_team, enroll):
    team = new_team()
    suffix = uuid.uuid4().hex[:6]
    server.admin.add_user(f"Łukasz 李 {suffix}", role="specialist", team=team)
    server.admin.add_user(f"Boss {suffix}", role="supervisor", team=team)
    boss, worker = enroll(f"Boss {suffix}"), enroll(f"Łukasz 李 {suffix}")
    worker.push_ok([contact(employer="Zoë’s Café – Őrség 😀", contact_person="王伟")])

    response = boss.get(TEAM_EXPORT_PATH, week=WEEK, format="pdf")
    assert response.status_code == 200, response.text
    text = "".join(_pdf_pages(response.content))
    assert f"Specialist: ?ukasz ? {suffix}" in text
    assert "Zoë’s Café – Orség ?" in text
    csv_text = boss.get(TEAM_EXPORT_PATH, week=WEEK, format="csv").content.decode()
    assert "Zoë’s Café – Őrség 😀" in csv_text  # the CSV keeps every character


def test_printable_keeps_windows_1252_and_replaces_the_rest():
    assert printable("Zoë – “Café” €5") == "Zoë – “Café” €5"
    assert printable("Őrség ﬁne") == "Orség fine"
    assert printable("李 😀 Ł") == "? ? ?"


def test_only_the_team_supervisor_may_export(new_team, new_user, enroll):
    team, other = new_team(), new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    stranger = enroll(new_user(other, "supervisor"))
    for caller, params in [
        (worker, {}),
        (stranger, {"team": boss.team["id"]}),
    ]:
        response = caller.get(TEAM_EXPORT_PATH, week=WEEK, format="csv", **params)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    bad = boss.get(TEAM_EXPORT_PATH, week=WEEK, format="docx")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "format"
    anonymous = boss.client.get(TEAM_EXPORT_PATH, params={"week": WEEK})
    assert anonymous.status_code == 401
    assert boss.get(TEAM_EXPORT_PATH, week=WEEK, team=boss.team["id"]).status_code == 200


def test_cli_mistakes_are_one_clear_line(server, new_team, tmp_path):
    team = new_team()
    out = str(tmp_path / "form.csv")
    cases = [
        (("--team", unique("No such team"), "--week", WEEK, "--format", "csv"), "no team"),
        (("--team", team, "--week", "2025-13-01", "--format", "csv"), "not a date"),
        (("--team", team, "--week", "next week", "--format", "csv"), "not a date"),
        (("--team", team, "--week", WEEK, "--format", "docx"), "not a format"),
    ]
    for args, words in cases:
        result = server.cli("export", *args, "--out", out, check=False)
        assert result.returncode == 1, args
        assert words in result.stderr.lower(), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    missing_dir = str(tmp_path / "no" / "such" / "form.csv")
    result = server.cli(
        "export",
        "--team",
        team,
        "--week",
        WEEK,
        "--format",
        "csv",
        "--out",
        missing_dir,
        check=False,
    )
    assert result.returncode == 1 and "Cannot write" in result.stderr


FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(1)", "\tx", "\rx"]


def test_no_cell_of_the_csv_can_run_as_a_formula(server, new_team, new_user, enroll, tmp_path):
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    worker.push_ok(
        [
            contact(f"2025-11-{17 + n}T10:00:00-06:00", employer=text, contact_person=text)
            for n, text in enumerate(FORMULAS)
        ]
    )
    out = tmp_path / "form.csv"
    server.cli("export", "--team", team, "--week", WEEK, "--format", "csv", "--out", str(out))
    api = boss.get(TEAM_EXPORT_PATH, week=WEEK, format="csv").content
    for content in (api, out.read_bytes()):
        _, rows = _csv_rows(content)
        expected = [f"'{text}" for text in FORMULAS]
        assert [row["employer"] for row in rows] == expected
        assert [row["contact_person"] for row in rows] == expected
        for row in rows:
            assert not any(cell.startswith(FORMULA_STARTS) for cell in row.values())


def test_csv_columns_are_the_protocols_in_order():
    assert CSV_COLUMNS == (
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


def test_csv_and_pdf_carry_members_purpose_outcome_and_the_review(
    server, new_team, new_user, enroll, tmp_path
):
    team = new_team()
    boss = enroll(new_user(team, "supervisor"))
    reviewed, unreviewed = enroll(new_user(team)), enroll(new_user(team))
    for_two = contact(
        "2025-11-18T09:00:00-06:00",
        member_ids=["m1", "m2"],
        purpose="Job development",
        outcome="Interview set",
    )
    reviewed.push_ok([for_two, contact("2025-11-19T09:00:00-06:00")])
    unreviewed.push_ok([contact("2025-11-20T09:00:00-06:00")])
    review = boss.post(TEAM_REVIEW_PATH, {"user": reviewed.user["id"], "week": WEEK}).json()
    at = datetime.fromisoformat(review["review"]["at"])

    def rows_by_specialist():
        _, rows = _csv_rows(boss.get(TEAM_EXPORT_PATH, week=WEEK, format="csv").content)
        return {name: [r for r in rows if r["specialist"] == name] for name in names}

    names = (reviewed.user["name"], unreviewed.user["name"])
    rows = rows_by_specialist()
    first, second = rows[names[0]]
    assert (first["members"], first["purpose"], first["outcome"]) == (
        "2",
        "Job development",
        "Interview set",
    )
    assert (second["members"], second["purpose"], second["outcome"]) == ("0", "", "")
    for row in rows[names[0]]:
        assert row["reviewed_by"] == boss.user["name"]
        assert datetime.fromisoformat(row["reviewed_at"]) == at.replace(microsecond=0)
        assert row["changed_since_review"] == "false"
    (other,) = rows[names[1]]
    assert [other[c] for c in ("reviewed_by", "reviewed_at", "changed_since_review")] == [""] * 3

    pages = _pdf_pages(boss.get(TEAM_EXPORT_PATH, week=WEEK, format="pdf").content)
    page = next(p for p in pages if _specialist_on(p) == names[0])
    assert f"Reviewed by {boss.user['name']}" in page and "(count at review: 2)" in page
    assert "CHANGED SINCE REVIEW" not in "".join(pages)

    reviewed.push_ok([contact("2025-11-21T09:00:00-06:00")])  # after the review
    assert {r["changed_since_review"] for r in rows_by_specialist()[names[0]]} == {"true"}
    out = tmp_path / "form.pdf"
    server.cli("export", "--team", team, "--week", WEEK, "--format", "pdf", "--out", str(out))
    page = next(p for p in _pdf_pages(out.read_bytes()) if _specialist_on(p) == names[0])
    assert "CHANGED SINCE REVIEW (1 added, 0 edited, 0 removed)" in page
    assert "(count at review: 2)" in page and "3 of 6" in page


def test_the_weekly_count_is_the_same_everywhere(new_team, new_user, enroll, tmp_path):
    """One week of contacts, each kind the count weighs: the tallies, the team
    week, the tracking form's CSV and PDF and the phone's store (what its Home
    ring shows) all count the same three."""
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    day = "2025-11-18T10:00:00-06:00"
    changes = [
        contact(day),  # generic, from before the fields: counts
        contact(day, member_ids=["m1"], member_present=False),  # counts
        contact(day, by="specialist", service="job_development", minutes=20),  # counts
        contact(day, by="member"),  # the member alone
        contact(day, service="job_support", member_ids=["m2"]),  # a working member's employer
        contact(day, face_to_face=False),  # a call
    ]
    worker.push_ok(changes)
    records = [Record.from_wire(change) for change in changes]
    assert sum(map(counts_toward_target, records)) == 3

    tallies = boss.get(TALLIES_PATH, week=WEEK, weeks=1).json()
    (row,) = [r for r in tallies["rows"] if r["user"]["id"] == worker.user["id"]]
    assert row["counts"] == [3]
    week = boss.get(TEAM_WEEK_PATH, user=worker.user["id"], week=WEEK).json()
    assert week["count"] == 3 and len(week["contacts"]) == 6
    _, rows = _csv_rows(boss.get(TEAM_EXPORT_PATH, week=WEEK, format="csv").content)
    assert [r["counts"] for r in rows].count("true") == 3
    (page,) = _pdf_pages(boss.get(TEAM_EXPORT_PATH, week=WEEK, format="pdf").content)
    assert "Face-to-face employer contacts: 3 of 6" in page

    phone = Store.create(tmp_path / "phone", PIN)
    phone.inbox.apply_pulled(records, None)
    assert phone.week_tally(datetime.fromisoformat(day)).count == 3
    phone.close()
