"""Schema-driven fuzzing (schemathesis): no 5xx, every error in the protocol's shape."""

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.sizes import tries

from .conftest import FUZZ_COUNTS, client_address

MAX_EXAMPLES = tries(100, 15)  # per operation and backend: about a minute in all


def test_no_server_errors_and_json_error_shape(server, specialist):
    schema = schemathesis.openapi.from_url(f"{server.base_url}/v1/openapi.json")
    headers = {"Authorization": f"Bearer {specialist.token}", **client_address()}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 14
    counts = FUZZ_COUNTS["sqlite" if server.db_url.startswith("sqlite") else "postgresql"]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:
            response = case.call(headers=headers)
            counts["sent"] += 1
            counts["5xx"] += response.status_code >= 500
            assert response.status_code < 500, (case.path, response.text)
            if response.status_code >= 400:
                body = response.json()
                assert set(body) == {"error"}, body
                assert set(body["error"]) <= {"code", "message", "field"}
                assert body["error"]["code"] and body["error"]["message"]

        call()
