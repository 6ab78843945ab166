"""Every error is {"error": {"code", "message"}}: framework errors and crashes too."""

import anyio
import httpx
import pytest
import sqlalchemy as sa

from sync.protocol import (
    ENROLL_PATH,
    PULL_PATH,
    PUSH_PATH,
    TALLIES_PATH,
    TEAM_EXPORT_PATH,
    TEAM_REVIEW_PATH,
    TEAM_WEEK_PATH,
    ErrorCode,
)
from sync.server import Settings, create_app
from sync.server.db import metadata


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert body["error"]["message"] and "Traceback" not in response.text
    return body["error"]


def test_unknown_path_is_404(client):
    assert_error(client.get("/v1/nothing-here"), 404, "not_found")
    assert_error(client.get("/"), 404, "not_found")


def test_wrong_method_is_405(client):
    assert_error(client.delete(TALLIES_PATH), 405, "method_not_allowed")


def test_malformed_json_is_400(client, specialist):
    response = client.post(
        PUSH_PATH,
        content=b'{"device_id": ',
        headers={**specialist.auth, "content-type": "application/json"},
    )
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize(
    "body",
    [{}, {"code": "x"}, {"code": "x", "device_id": "has spaces!", "device_name": "p"}, [], 7],
)
def test_bad_enroll_bodies_are_422_invalid(client, body):
    error = assert_error(client.post(ENROLL_PATH, json=body), 422, "invalid")
    assert error["field"]


def test_bad_push_bodies_are_422_invalid(specialist):
    response = specialist.client.post(
        PUSH_PATH,
        json={"device_id": specialist.device_id, "changes": "nope"},
        headers=specialist.auth,
    )
    assert assert_error(response, 422, "invalid")["field"] == "changes"


def test_unexpected_exception_is_500_without_details(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}"))

    @app.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.get("/v1/boom")

    response = anyio.run(call)
    assert_error(response, 500, ErrorCode.INTERNAL_ERROR)
    assert "secret" not in response.text


def test_migrations_build_exactly_the_tables_the_code_uses(server):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with server.admin.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    with server.admin.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM seq_counter")).scalar() == 1


# Bodies json.loads refuses for more than syntax: each is 400 malformed_json.
UNREADABLE_BODIES = [
    b'{"device_id": ',  # cut short
    b'{"device_id": "\xff\xfe", "changes": []}',  # not UTF-8
    b'{"device_id": "x", "changes": [], "pending": ' + b"9" * 5000 + b"}",  # too many digits
    b'{"device_id": "x", "changes": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",  # too deep
]


@pytest.mark.parametrize("body", UNREADABLE_BODIES, ids=["cut", "utf8", "digits", "deep"])
def test_unreadable_bodies_are_400_malformed_json(specialist, body):
    for path in (PUSH_PATH, ENROLL_PATH, TEAM_REVIEW_PATH):
        response = specialist.client.post(path, content=body, headers=specialist.auth_json)
        assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800", "x\udfffy"])
def test_text_no_database_can_hold_is_422_naming_the_field(specialist, bad):
    device = specialist.device_id
    cases = [
        (ENROLL_PATH, {"code": bad, "device_id": "d-text", "device_name": "p"}, "code"),
        (ENROLL_PATH, {"code": "ABCD", "device_id": "d-text", "device_name": bad}, "device_name"),
        (ENROLL_PATH, {"code": "ABCD", "device_id": bad, "device_name": "p"}, "device_id"),
        (PUSH_PATH, {"device_id": bad, "changes": []}, "device_id"),
        (TEAM_REVIEW_PATH, {"user": bad, "week": "2025-11-19"}, "user"),
        (PUSH_PATH, {"device_id": device, "changes": [], "pending": 1e999}, "pending"),
    ]
    for path, body, field in cases:
        error = assert_error(specialist.post(path, body), 422, "invalid")
        assert error["field"] == field, (path, error)


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        (TEAM_WEEK_PATH, "user=a%00b&week=2025-11-19", "user"),
        (TEAM_EXPORT_PATH, "week=2025-11-19&team=%00", "team"),
        (PULL_PATH, "after=s1%00", "after"),
        (TALLIES_PATH, "weeks=" + "9" * 5000, "weeks"),
        (PULL_PATH, "limit=1e999", "limit"),
    ],
)
def test_query_text_no_database_can_hold_is_422(specialist, path, query, field):
    response = specialist.client.get(f"{path}?{query}", headers=specialist.auth)
    assert assert_error(response, 422, "invalid")["field"] == field
