"""The command line: every command, clear errors without tracebacks."""

import json
import re

import httpx
import sqlalchemy as sa

from sync.protocol import ENROLL_PATH, ME_PATH, PULL_PATH, TALLIES_PATH
from sync.server.db import GENERATION, audit_log, records, store_meta
from sync.server.store import CentralStore
from tests.server_harness import run_cli, start_server

from .conftest import unique


def test_team_user_code_enroll_revoke(server, client):
    team, name = unique("Cli team"), unique("Cli person")
    out = server.cli(
        "add-team", team, "--week-start", "sunday", "--timezone", "America/Denver", "--target", "5"
    ).stdout
    assert "sunday" in out and "America/Denver" in out
    server.cli("add-user", name, "--role", "specialist", "--team", team)
    code = server.cli("enroll-code", name).stdout.strip().splitlines()[-1]
    enrolled = client.post(
        ENROLL_PATH, json={"code": code, "device_id": "cli-dev", "device_name": "Phone"}
    )
    assert enrolled.status_code == 200
    assert enrolled.json()["team"]["contact_target"] == 5
    listing = server.cli("users").stdout
    assert name in listing and "cli-dev" in listing
    server.cli("revoke-device", "cli-dev")
    token = enrolled.json()["token"]
    assert client.get(PULL_PATH, headers={"Authorization": f"Bearer {token}"}).status_code == 410
    assert "revoked" in server.cli("users").stdout


def test_mistakes_exit_non_zero_with_one_clear_line(server):
    cases = [
        (("add-user", "Nobody", "--role", "specialist", "--team", "No such team"), "no team"),
        (("enroll-code", "No such person"), "no user"),
        (("revoke-device", "no-such-device"), "no device"),
        (("add-team", unique("Bad tz"), "--timezone", "Mars/Olympus"), "time zone"),
    ]
    for args, words in cases:
        result = server.cli(*args, check=False)
        assert result.returncode == 1, args
        assert words in result.stderr.lower() and "Traceback" not in result.stderr


def test_bad_database_url_is_a_clear_error():
    result = run_cli("mysql://x@y/z", "users", check=False, process=True)
    assert result.returncode == 1
    assert "Unsupported database" in result.stderr and "Traceback" not in result.stderr


def test_serve_runs_one_process_on_sqlite_and_says_so(tmp_path):
    for workers, words in (("2", "served by one process"), ("0", "1 or more")):
        db = f"sqlite:///{tmp_path / 'central.db'}"
        result = run_cli(db, "serve", "--port", "0", "--workers", workers, check=False)
        assert result.returncode == 1
        assert words in result.stderr and "Traceback" not in result.stderr


def test_restored_starts_a_new_generation_and_says_what_happens_next(tmp_path):
    url = f"sqlite:///{tmp_path / 'central.db'}"

    def generation_and_audit() -> tuple[str, list[str]]:
        store = CentralStore.open(url)
        try:
            with store.engine.connect() as conn:
                generation = conn.execute(
                    sa.select(store_meta.c.value).where(store_meta.c.name == GENERATION)
                ).scalar_one()
                actions = conn.execute(sa.select(audit_log.c.action)).scalars().all()
        finally:
            store.close()
        return generation, list(actions)

    before, _ = generation_and_audit()
    out = run_cli(url, "restored").stdout
    assert out.count("\n") == 1 and "sends every record it holds again" in out
    after, actions = generation_and_audit()
    assert after != before and actions == ["restored"]


def test_demo_is_idempotent_and_prints_fresh_codes(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'demo.db'}"  # the parent dir is created

    first, second = run_cli(url, "demo").stdout, run_cli(url, "demo").stdout
    assert "specialist (Demo Specialist Ada):" in first and "supervisor (Demo Supervisor):" in first
    assert first != second  # fresh codes
    users = run_cli(url, "users").stdout
    for name in DEMO_PEOPLE:
        assert users.count(f"{name}  (") == 1


DEMO_PEOPLE = ("Demo Specialist Ada", "Demo Specialist Ben", "Demo Specialist Cleo",
               "Demo Supervisor")
DEMO_KINDS = {"member", "member_visit", "job", "career_profile", "employment_plan", "employer",
              "employer_contact"}


def test_demo_history_is_pushed_by_phones_once_and_fills_the_team_grid(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    out = run_cli(url, "demo", "--history").stdout
    assert "with 8 weeks of history just made" in out
    codes = dict(re.findall(r"(specialist|supervisor) \(.*\): +([A-Z0-9-]{19})$", out, re.M))
    server = start_server(url, log_dir=tmp_path)
    try:
        with httpx.Client(base_url=server.base_url) as http:
            token = http.post(ENROLL_PATH, json={"code": codes["supervisor"], "device_id": "sup",
                                                 "device_name": "Phone"}).json()["token"]
            grid = http.get(TALLIES_PATH, headers={"Authorization": f"Bearer {token}"}).json()
        rows = {row["user"]["name"]: row for row in grid["rows"]}
        # Finished weeks exactly as invented; this week's so far (nothing lies ahead of now).
        assert {name: row["counts"][:7] for name, row in rows.items()} == {
            "Demo Specialist Ada": [6, 7, 6, 5, 6, 8, 6],
            "Demo Specialist Ben": [4, 3, 5, 2, 4, 3, 4],  # one logged after the review
            "Demo Specialist Cleo": [5, 6, 7, 6, 4, 6, 7],
        }
        assert rows["Demo Specialist Ada"]["counts"][7] == 0  # the tour's first reads 1 of 6
        assert {name: [r and r["changed"] for r in row["reviews"]] for name, row in rows.items()
                } == {name: [None] * 5 + [False, name.endswith("Ben"), None] for name in rows}
        assert {row["since"] for row in rows.values()} == {grid["weeks"][0]}
        assert rows["Demo Specialist Ada"]["average"] == round(44 / 7, 2)
        assert all(row["pending"] == 0 for row in rows.values())

        with server.admin.engine.connect() as conn:
            stored = conn.execute(sa.select(records.c.owner_id, records.c.kind,
                                            records.c.data)).all()
        for name in DEMO_PEOPLE[:3]:
            owner = server.admin.user_id_named(name)
            assert {r.kind for r in stored if r.owner_id == owner} == DEMO_KINDS
        jobs = [json.loads(r.data) for r in stored if r.kind == "job"]
        assert sum("end_reason" in job for job in jobs) == 3

        again = run_cli(url, "demo", "--history").stdout
        assert "its data left as it is" in again
        with server.admin.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(records)).scalar() == len(
                stored)
    finally:
        server.close()


def test_set_team_changes_what_every_device_gets_at_its_next_sync(server, client):
    team, name = unique("Cli team"), unique("Cli person")
    server.cli("add-team", team)
    server.cli("add-user", name, "--role", "specialist", "--team", team)
    code = server.cli("enroll-code", name).stdout.strip().splitlines()[-1]
    token = client.post(
        ENROLL_PATH, json={"code": code, "device_id": "cli-set-team", "device_name": "Phone"}
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}

    out = server.cli("set-team", team, "--week-start", "Sunday", "--timezone", "America/Denver")
    assert "sunday" in out.stdout and "America/Denver" in out.stdout
    server.cli("set-team", team, "--target", "4")  # the rest stays
    settings = client.get(ME_PATH, headers=auth).json()["team"]
    assert settings == {
        **settings,
        "week_start": "sunday",
        "timezone": "America/Denver",
        "contact_target": 4,
    }
    tallies = client.get(TALLIES_PATH, params={"week": "2025-11-19"}, headers=auth).json()
    assert tallies["weeks"][-1] == "2025-11-16" and tallies["target"] == 4


def test_a_start_date_sets_since_from_add_user_or_set_user(server, client):
    team, early, later = unique("Cli team"), unique("Cli early"), unique("Cli later")
    server.cli("add-team", team)
    server.cli("add-user", early, "--role", "specialist", "--team", team, "--start", "2025-03-05")
    server.cli("add-user", later, "--role", "supervisor", "--team", team)
    code = server.cli("enroll-code", later).stdout.strip().splitlines()[-1]
    token = client.post(
        ENROLL_PATH, json={"code": code, "device_id": "cli-since", "device_name": "Phone"}
    ).json()["token"]

    def since() -> str:
        body = client.get(TALLIES_PATH, headers={"Authorization": f"Bearer {token}"}).json()
        (row,) = body["rows"]
        return row["since"]

    assert since() == "2025-03-03"  # the Monday of that week
    server.cli("set-user", early, "--start", "2024-12-31")
    assert since() == "2024-12-30"


CLI_MISTAKES = [
    (("set-team", "No such team", "--target", "5"), "no team"),
    (("set-team", "{team}"), "at least one of"),
    (("set-team", "{team}", "--week-start", "funday"), "not a day"),
    (("set-team", "{team}", "--timezone", "Mars/Olympus"), "time zone"),
    (("set-team", "{team}", "--target", "0"), "from 1 to 50"),
    (("set-team", "{team}", "--target", "six"), "not a whole number"),
    (("set-user", "No such person", "--start", "2025-01-06"), "no user"),
    (("set-user", "{user}", "--start", "2025-02-30"), "not a real date"),
    (("set-user", "{user}", "--start", "1999-12-31"), "between 2000-01-01"),
    (
        ("add-user", "Someone new", "--role", "specialist", "--team", "{team}", "--start", "soon"),
        "yyyy-mm-dd",
    ),
]


def test_set_team_and_set_user_mistakes_are_one_clear_line(server):
    team, user = unique("Cli team"), unique("Cli person")
    server.cli("add-team", team)
    server.cli("add-user", user, "--role", "specialist", "--team", team)
    for args, words in CLI_MISTAKES:
        args = tuple(arg.format(team=team, user=user) for arg in args)
        result = server.cli(*args, check=False)
        assert result.returncode == 1, args
        assert words in result.stderr.lower(), (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
