"""Health, enrollment, tokens and revocation."""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from app.domain import KIND_NAMES
from sync.protocol import (
    ENROLL_PATH,
    ENROLLMENT_FAILURE_WINDOW,
    ENROLLMENT_FAILURES_ALLOWED,
    HEALTH_PATH,
    ME_PATH,
    PROTOCOL_VERSION,
    PULL_PATH,
)
from sync.server.db import iso, utc_now
from sync.server.store import hash_secret

from .conftest import unique


def test_health_is_open_and_cheap(client):
    response = client.get(HEALTH_PATH)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["protocol"] == PROTOCOL_VERSION
    assert body["server_time"].endswith("Z")
    assert body["kinds"] == list(KIND_NAMES)
    assert {"career_profile", "employment_plan"} <= set(body["kinds"])


def test_me_names_the_user_the_device_and_the_team_settings(server, new_team, new_user, enroll):
    team = new_team(week_start="sunday", timezone="America/New_York", contact_target=7)
    device = enroll(new_user(team))
    response = device.get(ME_PATH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"] == device.user
    assert body["team"] == device.team
    assert body["device"] == {"id": device.device_id, "name": "Test phone"}
    assert body["server_time"].endswith("Z")


def test_me_needs_a_token(client):
    response = client.get(ME_PATH)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"


def test_enroll_returns_token_user_and_team(server, client, new_team, new_user):
    team = new_team(week_start="sunday", timezone="America/New_York", contact_target=7)
    name = new_user(team, "supervisor")
    code = server.admin.make_enrollment_code(name)
    response = client.post(
        ENROLL_PATH, json={"code": code.lower(), "device_id": "dev-a1", "device_name": "Phone"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["token"]) >= 22  # ≥128 bits in URL-safe base64
    assert body["user"]["name"] == name and body["user"]["role"] == "supervisor"
    assert body["team"] == {
        "id": body["team"]["id"],
        "name": team,
        "week_start": "sunday",
        "timezone": "America/New_York",
        "contact_target": 7,
    }
    # Only a hash of the token is stored.
    with server.admin.engine.connect() as conn:
        from sync.server.db import devices

        stored = conn.execute(devices.select().where(devices.c.id == "dev-a1")).one()
    assert stored.token_hash == hash_secret(body["token"]) != body["token"]


def test_enrollment_code_is_single_use(server, client, new_team, new_user):
    code = server.admin.make_enrollment_code(new_user(new_team()))
    first = client.post(ENROLL_PATH, json={"code": code, "device_id": "d1", "device_name": "x"})
    again = client.post(ENROLL_PATH, json={"code": code, "device_id": "d2", "device_name": "x"})
    assert first.status_code == 200
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "enrollment_code_invalid"


def test_enrollment_code_expires_after_72_hours(server, client, new_team, new_user):
    made = utc_now() - timedelta(hours=72, seconds=1)
    code = server.admin.make_enrollment_code(new_user(new_team()), now=made)
    response = client.post(ENROLL_PATH, json={"code": code, "device_id": "d3", "device_name": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "enrollment_code_invalid"


def test_wrong_code_is_refused(client):
    response = client.post(
        ENROLL_PATH, json={"code": "AAAA-BBBB-CCCC-DDDD", "device_id": "d4", "device_name": "x"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "enrollment_code_invalid" and "administrator" in error["message"]


def test_missing_and_unknown_tokens_are_401(client, specialist):
    assert client.get(PULL_PATH).status_code == 401
    for header in ("Bearer nope", "Basic abc", "Bearer"):
        response = client.get(PULL_PATH, headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "token_invalid"


def test_revoked_device_gets_410_and_other_devices_keep_working(server, new_team, new_user, enroll):
    name = new_user(new_team())
    phone, tablet = enroll(name), enroll(name)
    server.admin.revoke_device(phone.device_id)
    response = phone.get(PULL_PATH)
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "device_revoked"
    assert phone.push([]).status_code == 410
    assert tablet.get(PULL_PATH).status_code == 200


def test_audit_log_records_enrollments_pushes_pulls_and_revocations(server, specialist):
    from sync.server.db import audit_log

    specialist.push_ok([])
    specialist.get(PULL_PATH)
    server.admin.revoke_device(specialist.device_id)
    with server.admin.engine.connect() as conn:
        actions = [
            row.action
            for row in conn.execute(
                audit_log.select()
                .where(audit_log.c.device_id == specialist.device_id)
                .order_by(audit_log.c.id)
            )
        ]
    assert actions == ["enroll", "push", "pull", "revoke"]


def test_names_are_unique(server, new_team):
    team = new_team()
    name = unique("Person")
    server.admin.add_user(name, role="specialist", team=team)
    result = server.cli("add-user", name, "--role", "specialist", "--team", team, check=False)
    assert result.returncode == 1 and "already exists" in result.stderr


def _enroll(client, code, device_id):
    return client.post(ENROLL_PATH, json={"code": code, "device_id": device_id, "device_name": "x"})


def _audited(server, device_id):
    from sync.server.db import audit_log

    with server.admin.engine.connect() as conn:
        return conn.execute(
            audit_log.select().where(audit_log.c.device_id == device_id).order_by(audit_log.c.id)
        ).all()


def test_a_device_id_cannot_be_taken_over_with_another_users_code(
    server, client, new_team, new_user, enroll
):
    team = new_team()
    owner = enroll(new_user(team))
    code = server.admin.make_enrollment_code(new_user(team))

    taken = _enroll(client, code, owner.device_id)
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "device_id_taken"
    refused = _audited(server, owner.device_id)[-1]
    address = client.headers["X-Forwarded-For"]
    assert (refused.action, refused.detail) == ("enroll_refused", f"device_id_taken from {address}")
    assert owner.get(PULL_PATH).status_code == 200  # the owner's device is untouched
    assert _enroll(client, code, f"dev-{uuid.uuid4().hex[:8]}").status_code == 200  # not spent


def test_a_revoked_device_id_stays_revoked_whatever_the_code(
    server, client, new_team, new_user, enroll
):
    team = new_team()
    name = new_user(team)
    phone = enroll(name)
    server.admin.revoke_device(phone.device_id)
    for user in (name, new_user(team)):
        code = server.admin.make_enrollment_code(user)
        response = _enroll(client, code, phone.device_id)
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "device_id_taken"
        assert "disconnected by an administrator" in error["message"]
        assert "start afresh" in error["message"].lower()
        assert _enroll(client, code, f"dev-{uuid.uuid4().hex[:8]}").status_code == 200
    assert phone.get(PULL_PATH).status_code == 410


def test_the_same_user_enrolling_the_device_again_replaces_its_token(
    server, client, new_team, new_user, enroll
):
    name = new_user(new_team())
    first = enroll(name)
    second = enroll(name, first.device_id)
    assert second.token != first.token
    assert first.get(PULL_PATH).status_code == 401
    assert second.get(PULL_PATH).status_code == 200
    assert [row.action for row in _audited(server, first.device_id)] == [
        "enroll",
        "enroll",
        "pull",
    ]


def test_ten_failed_enrollments_from_an_address_hold_it_off_for_ten_minutes(
    server, new_client, new_team, new_user
):
    from sync.server.db import audit_log, enrollment_failures

    name = new_user(new_team())
    guesser, neighbour = new_client(), new_client()
    address = guesser.headers["X-Forwarded-For"]
    for n in range(ENROLLMENT_FAILURES_ALLOWED):
        wrong = _enroll(guesser, f"WRONG-{n:04d}", f"dev-guess-{n}")
        assert wrong.status_code == 400
    right_code = server.admin.make_enrollment_code(name)
    held = _enroll(guesser, right_code, "dev-guess-right")
    assert held.status_code == 429
    assert held.json()["error"]["code"] == "too_many_attempts"
    assert 590 <= int(held.headers["Retry-After"]) <= 600
    # Another address is not held up, and the right code was not spent.
    assert _enroll(neighbour, right_code, "dev-neighbour").status_code == 200

    # The failures are in the database: move them back past the window.
    with server.admin.engine.begin() as conn:
        conn.execute(
            enrollment_failures.update()
            .where(enrollment_failures.c.client == address)
            .values(at=iso(utc_now() - ENROLLMENT_FAILURE_WINDOW))
        )
        refusals = conn.execute(
            sa.select(audit_log.c.detail)
            .where(audit_log.c.action == "enroll_refused")
            .order_by(audit_log.c.id)
        ).scalars()
        from_guesser = [detail for detail in refusals if detail.endswith(address)]
    assert from_guesser == [f"enrollment_code_invalid from {address}"] * 10 + [
        f"too_many_attempts from {address}"
    ]
    again = _enroll(guesser, server.admin.make_enrollment_code(name), "dev-guess-later")
    assert again.status_code == 200


def test_retry_after_counts_from_the_oldest_failure_that_still_counts(server, new_client):
    from sync.server.db import enrollment_failures

    guesser = new_client()
    address = guesser.headers["X-Forwarded-For"]
    now = utc_now()
    with server.admin.engine.begin() as conn:
        conn.execute(
            enrollment_failures.insert(),
            [
                {"client": address, "at": iso(now - timedelta(minutes=minutes))}
                for minutes in (11, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5)
            ],
        )
    held = _enroll(guesser, "WRONG", "dev-retry")
    assert held.status_code == 429
    assert 55 <= int(held.headers["Retry-After"]) <= 60  # when the 9-minute-old one leaves
