"""`GET /v1/team/fidelity`, the evidence report and the outcomes CSV, on both
backends: the shared table of teams (tests/fidelity_cases.py) gives the same
answer through the server as through the domain."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from pypdf import PdfReader

from app.domain import ITEMS, Quarter, quarter_fidelity, quarter_outcomes
from sync.protocol import TEAM_FIDELITY_PATH, TEAM_FIDELITY_REPORT_PATH
from sync.server.db import utc_now
from sync.server.report import OUTCOMES_CSV_COLUMNS
from tests.due_cases import member
from tests.fidelity_cases import CASES, QUARTER, SETTINGS, FidelityCase

from .conftest import Device
from .test_audit import audit_since, last_audit_id
from .test_due import wire


def today():
    return SETTINGS.local_date(utc_now())


def _team_of(case: FidelityCase, server, new_team, enroll) -> tuple[Device, list[tuple[str, str]]]:
    """The case's team on the server, its records pushed by each specialist's
    phone (the case must have ids of its own: FidelityCase.with_new_ids); its
    supervisor's device, and each specialist's (id, name)."""
    team = new_team()
    boss_name = f"Supervisor {uuid.uuid4().hex[:8]}"
    server.admin.add_user(boss_name, role="supervisor", team=team)
    users = []
    for specialist in case.specialists:
        # The case's name first: the team lists its specialists in this order.
        name = f"{specialist.name} {uuid.uuid4().hex[:8]}"
        server.admin.add_user(name, role="specialist", team=team, started_on=specialist.since)
        if specialist.records:
            device = enroll(name)
            for start in range(0, len(specialist.records), 500):
                results = device.push_ok(wire(list(specialist.records[start : start + 500])))
                assert {r["status"] for r in results} == {"applied"}, results
        users.append((server.admin.user_id_named(name), name))
    return enroll(boss_name), users


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_case_gives_the_domains_answer(case, server, new_team, enroll):
    case = case.with_new_ids()
    boss, users = _team_of(case, server, new_team, enroll)
    response = boss.get(TEAM_FIDELITY_PATH, quarter=str(QUARTER))
    assert response.status_code == 200, response.text
    body = response.json()
    expected = quarter_fidelity(case.logs(users), QUARTER, SETTINGS, today())
    assert body["team"] == boss.team
    assert body["quarter"] == "2026-Q3" and body["as_of"] == today().isoformat()
    assert body["period"] == {"start": "2026-07-01", "end": "2026-09-30"}
    assert body["items"] == [item.to_wire() for item in expected.items]
    assert body["outcomes"] == expected.outcomes.to_wire()
    assert body["outcomes_by_quarter"] == [expected.outcomes.figures()]
    items = {item["item"]: item for item in body["items"]}
    for name, (value, rating) in case.expected.items():
        assert (items[name]["value"], items[name]["rating"]) == (pytest.approx(value), rating)
    for name in case.no_data:
        assert (items[name]["value"], items[name]["rating"]) == (None, None)
    if case.outcomes is not None:
        outcomes = body["outcomes"]
        assert (outcomes["served"], outcomes["worked"], outcomes["job_starts"]) == case.outcomes


def _case(name: str) -> FidelityCase:
    """A case of the table, with ids of its own."""
    return next(case for case in CASES if case.name == name).with_new_ids()


def _jobs_team(server, new_team, enroll) -> tuple[Device, list[tuple[str, str]], FidelityCase]:
    case = _case("diversity and competitive jobs")
    boss, users = _team_of(case, server, new_team, enroll)
    return boss, users, case


def test_the_quarter_defaults_to_this_one_and_quarters_adds_the_ones_before(
    server, new_team, enroll
):
    boss, users, case = _jobs_team(server, new_team, enroll)
    now = Quarter.of(today())
    body = boss.get(TEAM_FIDELITY_PATH).json()
    assert body["quarter"] == str(now) and body["period"] == now.period()
    body = boss.get(TEAM_FIDELITY_PATH, quarter=str(QUARTER), quarters=5).json()
    earlier = quarter_outcomes(
        case.logs(users), [QUARTER.shifted(-n) for n in range(4, -1, -1)], SETTINGS
    )
    assert body["outcomes_by_quarter"] == [o.figures() for o in earlier]
    assert [q["quarter"] for q in body["outcomes_by_quarter"]] == [
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    assert body["outcomes_by_quarter"][-1]["employment_rate"] == 0.35


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"quarter": "2026-Q5"}, "quarter"),
        ({"quarter": "2026-q3"}, "quarter"),
        ({"quarter": "1999-Q4"}, "quarter"),
        ({"quarter": "2026-07-01"}, "quarter"),
        ({"quarters": 0}, "quarters"),
        ({"quarters": 9}, "quarters"),
    ],
)
def test_parameters_are_checked(new_team, new_user, enroll, params, field):
    boss = enroll(new_user(new_team(), "supervisor"))
    for path in (TEAM_FIDELITY_PATH, TEAM_FIDELITY_REPORT_PATH):
        response = boss.get(path, **params)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid"
        assert response.json()["error"]["field"] == field


def test_only_a_supervisor_of_the_team_may_see_it(new_team, new_user, enroll):
    team, elsewhere = new_team(), new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    stranger = enroll(new_user(elsewhere, "supervisor"))
    worker.push_ok(wire([member("Rowan", QUARTER.start - timedelta(days=40))]))
    for path in (TEAM_FIDELITY_PATH, TEAM_FIDELITY_REPORT_PATH):
        assert boss.get(path, quarter="2026-Q3", team=boss.team["id"]).status_code == 200
        for device, params in (
            (worker, {}),  # a specialist, even of the team
            (worker, {"team": boss.team["id"]}),
            (stranger, {"team": boss.team["id"]}),  # a supervisor of another team
        ):
            response = device.get(path, quarter="2026-Q3", **params)
            assert response.status_code == 403, response.text
            assert response.json()["error"]["code"] == "forbidden"
    # Without a team named, another team's supervisor sees their own team only.
    own = stranger.get(TEAM_FIDELITY_PATH, quarter="2026-Q3").json()
    assert own["team"]["id"] != boss.team["id"] and own["outcomes"]["served"] == 0


def test_the_read_is_audited(server, new_team, enroll):
    since = last_audit_id(server)
    boss, _, _ = _jobs_team(server, new_team, enroll)
    boss.get(TEAM_FIDELITY_PATH, quarter="2026-Q3")
    (row,) = [row for row in audit_since(server, since) if row[0] == "fidelity"]
    assert row[1:3] == (boss.user["id"], boss.device_id)
    assert row[3] == f"{boss.team['name']} 2026-Q3"


def _pdf_text(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-")
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def test_the_report_holds_each_item_rating_and_evidence(server, new_team, enroll):
    boss, _ = _team_of(_case("follow-along visits on time and missed"), server, new_team, enroll)
    body = boss.get(TEAM_FIDELITY_PATH, quarter="2026-Q3").json()
    response = boss.get(TEAM_FIDELITY_REPORT_PATH, quarter="2026-Q3", format="pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="fidelity-2026-Q3.pdf"' in response.headers["content-disposition"]
    pages = _pdf_text(response.content)
    cover, item_pages, outcomes = pages[0], pages[1:-1], pages[-1]
    assert "IPS fidelity evidence report" in cover and boss.team["name"] in cover
    assert "2026-Q3 (1 July 2026 to 30 September 2026)" in cover
    assert len(item_pages) == len(ITEMS)
    for page, item in zip(item_pages, body["items"], strict=True):
        rating = "not rated" if item["rating"] is None else f"{item['rating']} of 5"
        assert f": {ITEMS[item['item']]}" in page
        assert f"Rating: {rating}." in page
        assert " ".join(item["evidence"].split()) in page
        assert f"{ITEMS[item['item']]}" in cover
    follow = item_pages[list(ITEMS).index("follow_along")]
    assert "Rating: 4 of 5." in follow and "(unverified)" in follow
    assert "2026-07-20 weekly; 2026-08-03 weekly" in follow  # Rowan's missed visits
    assert "2026-08-17 after loss" in follow  # Sol's job ended, no contact since
    assert "Members served: 4. Worked in a competitive job: 4. Employment rate: 100.0%" in outcomes
    assert all(name in outcomes for name in ("Rowan", "Tia", "Sol", "Uma"))


def test_the_outcomes_csv_has_a_row_per_quarter(server, new_team, enroll, tmp_path):
    boss, _, _ = _jobs_team(server, new_team, enroll)
    response = boss.get(TEAM_FIDELITY_REPORT_PATH, quarter="2026-Q3", format="csv", quarters=4)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    reader = csv.DictReader(io.StringIO(response.content.decode(), newline=""))
    assert tuple(reader.fieldnames or ()) == OUTCOMES_CSV_COLUMNS
    rows = list(reader)
    assert [
        (r["quarter"], r["served"], r["worked"], r["employment_rate"], r["job_starts"])
        for r in rows
    ] == [
        ("2025-Q4", "20", "12", "0.6000", "12"),
        ("2026-Q1", "20", "12", "0.6000", "0"),
        ("2026-Q2", "20", "0", "0.0000", "0"),
        ("2026-Q3", "20", "7", "0.3500", "7"),
    ]
    assert rows[-1]["period_start"] == "2026-07-01" and rows[-1]["team"] == boss.team["name"]

    out = tmp_path / "outcomes.csv"
    team = boss.team["name"]
    done = server.cli(
        "report", "--team", team, "--quarter", "2026-Q3", "--quarters", "4", "--out", str(out)
    )
    assert out.read_bytes() == response.content
    assert (
        "2026-Q3 (2026-07-01 to 2026-09-30): 6 of 8 items rated, employment rate 35.0%"
        in done.stdout
    )
    pdf = tmp_path / "report.pdf"
    server.cli("report", "--team", team, "--quarter", "2026-Q3", "--out", str(pdf))
    assert "Diversity of employers" in _pdf_text(pdf.read_bytes())[0]


def test_report_command_mistakes_are_one_clear_line(server, new_team, tmp_path):
    team = new_team()
    for args, says in (
        (("--quarter", "2026-Q3", "--out", str(tmp_path / "r.txt")), "name a file ending .pdf"),
        (("--quarter", "2026-Q7", "--out", str(tmp_path / "r.pdf")), "--quarter: '2026-Q7'"),
        (("--quarters", "9", "--out", str(tmp_path / "r.pdf")), "--quarters: give 1 to 8"),
    ):
        done = server.cli("report", "--team", team, *args, check=False)
        assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
        assert says in done.stderr
    done = server.cli(
        "report", "--team", "No such team", "--out", str(tmp_path / "r.pdf"), check=False
    )
    assert done.returncode == 1 and "no team named" in done.stderr
