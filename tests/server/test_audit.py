"""The audit log: supervisors' reads, refused enrollments and every 401, 403
and 410 leave a row saying who and what, never a token or health data."""

import sqlalchemy as sa

from sync.protocol import (
    ENROLL_PATH,
    ME_PATH,
    PULL_PATH,
    PUSH_PATH,
    TEAM_EXPORT_PATH,
    TEAM_WEEK_PATH,
)
from sync.server.db import audit_log

from .conftest import contact


def last_audit_id(server) -> int:
    with server.admin.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.max(audit_log.c.id))).scalar() or 0


def audit_since(server, mark: int) -> list[tuple]:
    with server.admin.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                audit_log.c.action, audit_log.c.user_id, audit_log.c.device_id, audit_log.c.detail
            )
            .where(audit_log.c.id > mark)
            .order_by(audit_log.c.id)
        )
        return [tuple(row) for row in rows]


def test_a_supervisors_read_of_a_week_is_audited_without_names(server, new_team, new_user, enroll):
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    worker.push_ok([contact(employer="Invented Pharmacy", contact_person="Pat Example")])
    mark = last_audit_id(server)
    assert boss.get(TEAM_WEEK_PATH, user=worker.user["id"], week="2025-11-19").status_code == 200
    assert audit_since(server, mark) == [
        ("team_week", boss.user["id"], boss.device_id, f"{worker.user['id']} 2025-11-17")
    ]


def test_every_401_403_and_410_is_audited_with_who_and_where(
    server, client, new_team, new_user, enroll
):
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    revoked = enroll(worker.user["name"])
    server.admin.revoke_device(revoked.device_id)
    bad_token = "not-a-token-" + "x" * 30
    cases = [
        (lambda: client.get(PULL_PATH), (None, None), f"401 token_invalid GET {PULL_PATH}"),
        (
            lambda: client.get(ME_PATH, headers={"Authorization": f"Bearer {bad_token}"}),
            (None, None),
            f"401 token_invalid GET {ME_PATH}",
        ),
        (
            lambda: worker.get(TEAM_WEEK_PATH, user=boss.user["id"]),
            (worker.user["id"], worker.device_id),
            f"403 forbidden GET {TEAM_WEEK_PATH}",
        ),
        (
            lambda: worker.get(TEAM_EXPORT_PATH, week="2025-11-19"),
            (worker.user["id"], worker.device_id),
            f"403 forbidden GET {TEAM_EXPORT_PATH}",
        ),
        (
            lambda: worker.post(PUSH_PATH, {"device_id": "someone-else", "changes": []}),
            (worker.user["id"], worker.device_id),
            f"403 forbidden POST {PUSH_PATH}",
        ),
        (
            lambda: revoked.get(PULL_PATH),
            (worker.user["id"], revoked.device_id),
            f"410 device_revoked GET {PULL_PATH}",
        ),
    ]
    for call, (user_id, device_id), detail in cases:
        mark = last_audit_id(server)
        status = call().status_code
        assert status in (401, 403, 410)
        assert audit_since(server, mark) == [("refused", user_id, device_id, detail)], detail
        assert bad_token not in detail and revoked.token not in detail


def test_a_refused_enrollment_is_audited(server, client):
    mark = last_audit_id(server)
    response = client.post(
        ENROLL_PATH, json={"code": "WRONG-CODE", "device_id": "dev-audit", "device_name": "x"}
    )
    assert response.status_code == 400
    address = client.headers["X-Forwarded-For"]
    assert audit_since(server, mark) == [
        ("enroll_refused", None, "dev-audit", f"enrollment_code_invalid from {address}")
    ]
