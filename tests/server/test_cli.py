"""The command line: every command, clear errors without tracebacks."""

from sync.protocol import ENROLL_PATH, PULL_PATH
from tests.server_harness import run_cli

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
    result = run_cli("mysql://x@y/z", "users", check=False)
    assert result.returncode == 1
    assert "Unsupported database" in result.stderr and "Traceback" not in result.stderr


def test_demo_is_idempotent_and_prints_fresh_codes(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'demo.db'}"  # the parent dir is created

    first, second = run_cli(url, "demo").stdout, run_cli(url, "demo").stdout
    assert "Demo Specialist" in first and "Demo Supervisor" in first
    assert first != second  # fresh codes
    users = run_cli(url, "users").stdout
    assert users.count("Demo Specialist") == 1 and users.count("Demo Supervisor") == 1
