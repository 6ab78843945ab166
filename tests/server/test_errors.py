"""Every error is {"error": {"code", "message"}}: framework errors and crashes too."""

import anyio
import httpx
import pytest
import sqlalchemy as sa

from sync.protocol import ENROLL_PATH, PUSH_PATH, TALLIES_PATH, ErrorCode
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
