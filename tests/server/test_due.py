"""`GET /v1/due`, the tallies' due counts and the `due` command, on both
backends: the shared table of caseloads (tests/due_cases.py) gives the same
items through the server as through the domain and the phone's store."""

import csv
import io
from collections import Counter
from datetime import date, timedelta

from app.domain import Record, due_items
from sync.protocol import DUE_PATH, TALLIES_PATH
from sync.server.db import utc_now
from sync.server.export import DUE_CSV_COLUMNS
from tests.due_cases import CASES, ON, PAYERS, SETTINGS, job, member, profile, settled

from .conftest import unique
from .test_audit import audit_since, last_audit_id


def wire(records: list[Record]) -> list[dict]:
    return [record.to_wire() for record in records]


def today() -> date:
    """Today in the zone of the tests' teams (the server's default)."""
    return SETTINGS.local_date(utc_now())


def test_every_case_gives_the_domains_items(new_team, new_user, enroll):
    device = enroll(new_user(new_team()))
    everything = [record for case in CASES for record in case.records]
    for start in range(0, len(everything), 500):
        results = device.push_ok(wire(everything[start : start + 500]))
        assert {r["status"] for r in results} == {"applied"}, results
    response = device.get(DUE_PATH, user=device.user["id"], on=ON.isoformat())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"] == {"id": device.user["id"], "name": device.user["name"]}
    assert body["on"] == ON.isoformat()
    expected = due_items(everything, ON, SETTINGS, PAYERS)
    assert body["items"] == [item.to_wire() for item in expected]
    for case in CASES:
        members = {record.id for record in case.records if record.kind == "member"}
        listed = [item for item in body["items"] if item["member_id"] in members]
        expected = [
            {"member": name, "rule": rule, "due": due.isoformat(), "status": status}
            for name, rule, due, status in case.expected
        ]
        shown = [{k: item[k] for k in ("member", "rule", "due", "status")} for item in listed]
        assert shown == expected, case.name


def test_on_defaults_to_today_in_the_teams_zone_and_an_empty_caseload_has_no_items(
    new_team, new_user, enroll
):
    device = enroll(new_user(new_team()))
    empty = device.get(DUE_PATH, user=device.user["id"]).json()
    assert empty["items"] == [] and empty["on"] == today().isoformat()
    newcomer = member("Rowan", today() - timedelta(days=30))
    device.push_ok(wire([newcomer]))
    body = device.get(DUE_PATH, user=device.user["id"]).json()
    assert [(i["rule"], i["due"], i["status"]) for i in body["items"]] == [
        ("career_profile", today().isoformat(), "due")
    ]
    assert body["items"][0]["says"] == (
        "Complete Rowan's career profile within 30 days of program entry"
    )


def test_closing_a_member_takes_the_items_away(specialist):
    who = member("Rowan", ON - timedelta(days=40))
    specialist.push_ok(wire([who]))
    assert len(specialist.get(DUE_PATH, user=specialist.user["id"], on=ON).json()["items"]) == 1
    closed = Record(
        who.id,
        "member",
        "1763820000001.00000.dev",
        False,
        {**who.data, "status": "closed", "closed_on": ON.isoformat(), "closed_reason": "Moved"},
    )
    specialist.push_ok(wire([closed]))
    assert specialist.get(DUE_PATH, user=specialist.user["id"], on=ON).json()["items"] == []


def test_a_specialist_sees_only_their_own_and_a_supervisor_their_teams_specialists(
    new_team, new_user, enroll
):
    team, elsewhere = new_team(), new_team()
    boss, other_boss = enroll(new_user(team, "supervisor")), enroll(new_user(team, "supervisor"))
    worker, colleague = enroll(new_user(team)), enroll(new_user(team))
    stranger_boss, stranger = enroll(new_user(elsewhere, "supervisor")), enroll(new_user(elsewhere))
    worker.push_ok(wire([member("Rowan", ON - timedelta(days=40))]))

    def status(device, user) -> int:
        return device.get(DUE_PATH, user=user.user["id"], on=ON).status_code

    assert status(worker, worker) == 200
    assert status(boss, worker) == 200 and status(boss, boss) == 200
    assert boss.get(DUE_PATH, user=worker.user["id"], on=ON).json()["items"][0]["member"] == "Rowan"
    forbidden = [
        (colleague, worker),  # another specialist of the team
        (worker, boss),
        (boss, other_boss),  # a supervisor of the same team is not a caseload to check
        (stranger_boss, worker),  # a supervisor of another team
        (boss, stranger),
        (stranger, worker),
    ]
    for device, user in forbidden:
        response = device.get(DUE_PATH, user=user.user["id"], on=ON)
        assert response.status_code == 403, (device.user["name"], user.user["name"])
        assert response.json()["error"]["code"] == "forbidden"
    assert worker.get(DUE_PATH, user="no-such-user").status_code == 403


def test_bad_user_and_day_are_4xx_json_errors(specialist):
    me = specialist.user["id"]
    for params in (
        {},
        {"user": ""},
        {"user": "x" * 65},
        {"user": me, "on": "2025-13-01"},
        {"user": me, "on": "next week"},
        {"user": me, "on": "9999-12-31"},
        {"user": me, "on": "0001-01-01"},
    ):
        response = specialist.get(DUE_PATH, **params)
        assert 400 <= response.status_code < 500, (params, response.text)
        assert response.json()["error"]["code"], params


def test_a_read_of_due_items_is_audited_without_names(server, new_team, new_user, enroll):
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    worker.push_ok(wire([member("Rowan", ON - timedelta(days=40))]))
    mark = last_audit_id(server)
    assert boss.get(DUE_PATH, user=worker.user["id"], on=ON).status_code == 200
    assert audit_since(server, mark) == [
        ("due", boss.user["id"], boss.device_id, f"{worker.user['id']} {ON.isoformat()}")
    ]


def test_each_tallies_row_counts_overdue_and_due_items_as_of_today(new_team, new_user, enroll):
    team = new_team()
    boss, busy, idle = (
        enroll(new_user(team, "supervisor")),
        enroll(new_user(team)),
        enroll(new_user(team)),
    )
    now = today()
    late = member("Rowan", now - timedelta(days=31))  # career profile overdue
    new = member("Sage", now - timedelta(days=25), job_seeking=True)  # two due in 5 days
    later = member("Umar", now - timedelta(days=5))  # upcoming: not counted
    working, settled_records = settled("Tamsin")  # no visit in months of work: overdue
    records = [late, new, later, *settled_records, job(working, now - timedelta(days=150))]
    busy.push_ok(wire(records))
    statuses = Counter(item.status for item in due_items(records, now, SETTINGS))
    expected = {"overdue": statuses["overdue"], "due": statuses["due"]}
    assert expected == {"overdue": 2, "due": 2}
    rows = {row["user"]["id"]: row for row in boss.get(TALLIES_PATH).json()["rows"]}
    assert rows[busy.user["id"]]["due"] == expected
    assert rows[idle.user["id"]]["due"] == {"overdue": 0, "due": 0}
    (own,) = busy.get(TALLIES_PATH, week="2025-11-19").json()["rows"]
    assert own["due"] == expected  # as of today, whatever week is asked for
    busy.push_ok(wire([profile(late, now)]))  # the next call sees the change
    (own,) = busy.get(TALLIES_PATH).json()["rows"]
    assert own["due"] == {"overdue": 1, "due": 2}


def test_the_due_command_writes_the_teams_items_as_safe_csv(
    server, new_team, new_user, enroll, tmp_path
):
    team = new_team()
    first, second = new_user(team), new_user(team)
    firsts, seconds = enroll(first), enroll(second)
    named = member('=HYPERLINK("http://x","y")', ON - timedelta(days=40))
    first_records = [named, profile(named, None)]
    second_records = [member("-Rowan", ON - timedelta(days=31), job_seeking=True)]
    firsts.push_ok(wire(first_records))
    seconds.push_ok(wire(second_records))
    out = tmp_path / "due.csv"
    printed = server.cli("due", "--team", team, "--on", ON.isoformat(), "--out", str(out)).stdout
    assert "3 items, 3 overdue" in printed
    reader = csv.reader(io.StringIO(out.read_text("utf-8"), newline=""))
    header, *rows = list(reader)
    assert tuple(header) == DUE_CSV_COLUMNS
    by_name = sorted([(first, first_records), (second, second_records)], key=lambda p: p[0])
    expected = [
        [name, item.member, item.rule, item.says, item.due.isoformat(), item.status, item.evidence]
        for name, records in by_name
        for item in due_items(records, ON, SETTINGS)
    ]
    assert rows == [[f"'{c}" if c[:1] in ("=", "-") else c for c in row] for row in expected]
    assert {row[1] for row in rows} == {'\'=HYPERLINK("http://x","y")', "'-Rowan"}


def test_due_command_mistakes_are_one_clear_line(server, new_team, tmp_path):
    team = new_team()
    out = str(tmp_path / "due.csv")
    for args, words in (
        (("--team", unique("No such team")), "no team"),
        (("--team", team, "--on", "2025-02-30"), "not a date"),
        (("--team", team, "--on", "tomorrow"), "not a date"),
    ):
        result = server.cli("due", *args, "--out", out, check=False)
        assert result.returncode == 1, args
        assert words in result.stderr.lower(), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    result = server.cli(
        "due", "--team", team, "--out", str(tmp_path / "no" / "due.csv"), check=False
    )
    assert result.returncode == 1 and "Cannot write" in result.stderr
