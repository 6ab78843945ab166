"""`GET /v1/team/fidelity` on both backends: the shared table of teams
(tests/fidelity_cases.py) gives the same answer through the server as
through the domain."""

import uuid
from datetime import timedelta

import pytest

from app.domain import Quarter, fidelity, quarter_outcomes
from sync.protocol import TEAM_FIDELITY_PATH
from sync.server.db import utc_now
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
    expected = fidelity(case.logs(users), QUARTER, SETTINGS, today())
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
    response = boss.get(TEAM_FIDELITY_PATH, **params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == field


def test_only_a_supervisor_of_the_team_may_see_it(new_team, new_user, enroll):
    team, elsewhere = new_team(), new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    stranger = enroll(new_user(elsewhere, "supervisor"))
    worker.push_ok(wire([member("Rowan", QUARTER.start - timedelta(days=40))]))
    path = TEAM_FIDELITY_PATH
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
