"""Hostile input for every operation, on both backends (PROTOCOL.md additions
of 2026-11-25, issue 8): JSON values and query strings with lone surrogates,
NUL, nesting thousands deep and numbers no float or json.loads can hold.

No answer is a 5xx and every error has the protocol's shape; the valid changes
pushed next to a hostile one still apply, and the device can still pull. The
requests sent and the 5xx seen are counted and printed at the end of the run.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.protocol import (
    DUE_PATH,
    ENROLL_PATH,
    HEALTH_PATH,
    MAX_BODY_BYTES,
    ME_PATH,
    PULL_PATH,
    PUSH_PATH,
    TALLIES_PATH,
    TEAM_BILLING_PATH,
    TEAM_EXPORT_PATH,
    TEAM_REVIEW_PATH,
    TEAM_WEEK_PATH,
)
from tests.due_cases import ON, job, member
from tests.sizes import sweep, tries

from .conftest import FUZZ_COUNTS, Device, client_address, contact

EXAMPLES = tries(60, 10)  # random examples per test and backend, after the sweeps of ATOMS


@dataclass(frozen=True)
class Raw:
    """A JSON literal Python's json cannot make: a 5000-digit integer, 1e999."""

    text: str


@dataclass(frozen=True)
class Deep:
    """A value wrapped in `levels` lists: written without recursion."""

    levels: int
    inner: Any


class Long(str):
    """A long text that a failing example shows by its length only."""

    def __repr__(self) -> str:
        return f"Long({len(self)} characters)"


def encode(value: Any) -> str:
    """JSON text of a value that may hold Raw and Deep parts. Strings go out
    ASCII-escaped, so lone surrogates travel as their \\uXXXX escapes."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Deep):
        return "[" * value.levels + encode(value.inner) + "]" * value.levels
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    return json.dumps(value)


def nesting(value: Any) -> int:
    if isinstance(value, Deep):
        return value.levels + nesting(value.inner)
    if isinstance(value, dict | list):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max(map(nesting, children), default=0)
    return 0


# json.loads nests up to about 1000 levels, fewer the deeper the stack it runs
# on: a body nesting between these may be read or refused.
SURELY_READ, SURELY_REFUSED = 800, 1100


def readable(value: Any, text: str) -> bool | None:
    """Whether the server can read this body: None when it may go either way."""
    depth = nesting(value)
    if depth >= SURELY_REFUSED or len(text.encode()) > MAX_BODY_BYTES:
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True if depth <= SURELY_READ else None


CHARACTERS = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates
    st.sampled_from(["\x00", "\u202e", "\ufeff", "=", "'", '"', "\\", "%"]),
)
SHORT_TEXT = st.one_of(
    st.text(CHARACTERS, max_size=30),
    st.sampled_from(["\x00", "\ud800", "\udfff", "a\x00b", "\ud83d", Long("9" * 5000)]),
)
TEXT = st.one_of(SHORT_TEXT, st.just(Long("x" * 70_000)))
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=10**300, max_value=10**4000),  # beyond any float
    st.floats(),  # NaN and infinities included
    st.sampled_from([Raw("1" * 5000), Raw("1e999"), Raw("-1e999"), Raw("NaN"), Raw("-0")]),
)
# Well inside or well beyond what json.loads can nest (about 1000 levels).
DEPTHS = st.sampled_from([17, 254, 500, 5000, 100_000])
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, TEXT),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(TEXT, inner, max_size=4),
        st.builds(Deep, DEPTHS, inner),
    ),
    max_leaves=12,
)
PLACES_SWEPT = [
    "id",
    "kind",
    "version",
    "deleted",
    "data",
    "data.occurred_at",
    "data.employer",
    "data.face_to_face",
    "data.member_ids",
    "data.unknown",
    "change",
]
PLACES = st.sampled_from(PLACES_SWEPT)
# Each hostile value a sweep puts in each place of a request.
ATOMS: list[Any] = [
    "\ud800",
    "x\udfffy",
    "\ud83d",  # half of an emoji
    "\x00",
    "a\x00b",
    Long("x" * 70_000),
    Long("9" * 5000),
    Raw("1" * 5000),
    Raw("1e999"),
    Raw("-1e999"),
    Raw("NaN"),
    Raw("Infinity"),
    10**400,
    -(10**400),
    2**63,
    1e308,
    -0.0,
    Deep(17, None),
    Deep(254, {"unknown": 1}),
    Deep(5000, None),
    Deep(100_000, None),
    {"\ud800": 1},
    {"\x00": "x"},
    ["\ud800", "\x00"],
    {"unknown": {"deeper": [Raw("1e999")]}},
    None,
    True,
    [],
    {},
    "",
]
QUERY_ATOMS = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "9" * 5000,
    "1e999",
    "-1",
    "0",
    "s" + "9" * 30,
    "0001-01-01",
    "9999-12-31",
    "1970-01-01",
    "2999-12-31",
    "",
    " ",
    "%",
    "\u202e",
]
QUERY = st.one_of(SHORT_TEXT, st.sampled_from([*QUERY_ATOMS, "2025-11-19", "8", "s1"]))


def query_string(params: dict[str, str]) -> str:
    """Percent-encoded as UTF-8 even for lone surrogates (%ED%A0%80), which no
    client library will send."""
    return "&".join(
        f"{name}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in params.items()
    )


def hostile_change(place: str, value: Any) -> Any:
    change = contact()
    if place == "change":
        return value
    if place.startswith("data."):
        change["data"][place.removeprefix("data.")] = value
    else:
        change[place] = value
    return change


class Fuzzer:
    """Sends requests for one backend, counting them and any 5xx."""

    def __init__(self, server, device: Device) -> None:
        self.base_url = server.base_url
        self.device = device
        backend = "sqlite" if server.db_url.startswith("sqlite") else "postgresql"
        self.counts = FUZZ_COUNTS[backend]

    def send(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        body: str | None = None,
        headers: dict[str, str] | None = None,
        device: Device | None = None,
    ):
        device = device or self.device
        all_headers = {**device.auth, **client_address(), **(headers or {})}
        content = None if body is None else body.encode()
        if content is not None:
            all_headers["Content-Type"] = "application/json"
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        # Latin-1, as HTTP carries header values.
        raw_headers = {name: value.encode("latin-1") for name, value in all_headers.items()}
        with httpx.Client(timeout=60) as http:
            response = http.request(method, url, content=content, headers=raw_headers)
        self.counts["sent"] += 1
        if response.status_code >= 500:
            self.counts["5xx"] += 1
        assert response.status_code < 500, (method, path, query, response.text[:500])
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/json")
            error = response.json()["error"]
            assert set(error) <= {"code", "message", "field"} and error["code"], error
            assert error["message"], error
        return response


def run(test) -> None:
    settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )(test)()


class Pusher:
    """Pushes a change between two valid ones: whatever the change, the valid
    ones apply (unless the body cannot be read at all), and pulls go on."""

    def __init__(self, fuzz: Fuzzer) -> None:
        self.fuzz = fuzz
        self.device = fuzz.device
        self.cursor = self.device.pull_all()[1]

    def push(self, change: Any) -> None:
        before, after = contact(), contact()
        body = {"device_id": self.device.device_id, "changes": [before, change, after]}
        text = encode(body)
        response = self.fuzz.send("POST", PUSH_PATH, body=text)
        can_read = readable(body, text)
        if can_read is False:
            assert response.status_code in (400, 413), response.text[:300]
        if can_read is not True or response.status_code != 200:
            assert can_read is not True, response.text[:300]
            return
        results = response.json()["results"]
        assert [r["status"] for r in (results[0], results[2])] == ["applied", "applied"]
        assert results[1]["status"] in ("applied", "rejected")
        page = self.fuzz.send("GET", PULL_PATH, query=query_string({"after": self.cursor}))
        assert page.status_code == 200
        self.cursor = page.json()["next"]


def with_field(body: dict[str, Any], field: str, value: Any) -> Any:
    """The body with one field set to the value, or the value itself for "body"."""
    return value if field == "body" else {**body, field: value}


def test_push_refuses_each_hostile_change_alone_and_pulls_still_work(server, specialist):
    pusher = Pusher(Fuzzer(server, specialist))
    for place, value in sweep(PLACES_SWEPT, ATOMS):
        pusher.push(hostile_change(place, value))

    @given(place=PLACES, value=VALUES)
    def push(place, value) -> None:
        pusher.push(hostile_change(place, value))

    run(push)


def test_push_bodies_that_are_hostile_whole(server, specialist):
    fuzz = Fuzzer(server, specialist)
    valid = {"device_id": specialist.device_id, "changes": [contact()], "pending": 0}
    fields = ["device_id", "changes", "pending", "body"]
    for field, value in sweep(fields, ATOMS):
        fuzz.send("POST", PUSH_PATH, body=encode(with_field(valid, field, value)))

    @given(field=st.sampled_from(fields), value=VALUES)
    def push(field, value) -> None:
        fuzz.send("POST", PUSH_PATH, body=encode(with_field(valid, field, value)))

    run(push)
    assert fuzz.send("GET", PULL_PATH).status_code == 200


def test_enrollment_with_hostile_fields(server, specialist, new_user):
    fuzz = Fuzzer(server, specialist)
    user = new_user(specialist.team["name"])
    no_token = {"Authorization": ""}

    def enroll(field: str, value: Any, *, real_code: bool) -> None:
        code = server.admin.make_enrollment_code(user) if real_code else "WRONG-CODE"
        valid = {"code": code, "device_id": f"dev-{uuid.uuid4().hex[:12]}", "device_name": "p"}
        body = encode(with_field(valid, field, value))
        fuzz.send("POST", ENROLL_PATH, body=body, headers=no_token)

    fields = ["code", "device_id", "device_name", "body"]
    for field, value in sweep(fields, ATOMS):
        enroll(field, value, real_code=field != "code")

    @given(field=st.sampled_from(fields), value=VALUES, real_code=st.booleans())
    def random_enroll(field, value, real_code) -> None:
        enroll(field, value, real_code=real_code)

    run(random_enroll)


def test_queries_and_tokens_of_the_device_calls(server, specialist):
    fuzz = Fuzzer(server, specialist)
    me = specialist.user["id"]
    for value in QUERY_ATOMS:
        for params in ({"after": value}, {"limit": value}):
            fuzz.send("GET", PULL_PATH, query=query_string(params))
        for params in ({"user": value}, {"user": me, "on": value}, {"user": value, "on": value}):
            fuzz.send("GET", DUE_PATH, query=query_string(params))
        fuzz.send("GET", ME_PATH, query=query_string({"x": value}))
        fuzz.send("GET", HEALTH_PATH, query=query_string({"x": value}))
    # What HTTP allows in a header value: visible Latin-1, spaces inside.
    token_characters = st.characters(codec="latin-1", exclude_categories=["Cc"])

    @given(
        after=QUERY,
        limit=st.one_of(QUERY, st.integers().map(str)),
        token=st.one_of(st.none(), st.text(token_characters, max_size=80).map(str.strip)),
    )
    def calls(after, limit, token) -> None:
        headers = {} if token is None else {"Authorization": f"Bearer {token}".strip()}
        query = query_string({"after": after, "limit": limit})
        fuzz.send("GET", PULL_PATH, query=query, headers=headers)
        fuzz.send("GET", ME_PATH, query=query_string({"x": after}), headers=headers)
        due = query_string({"user": me, "on": after})
        fuzz.send("GET", DUE_PATH, query=due, headers=headers)

    run(calls)


def test_supervisor_calls_with_hostile_queries_and_bodies(server, new_team, new_user, enroll):
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    who = member("Rowan", ON - timedelta(days=40), job_seeking=True)
    worker.push_ok([contact(), who.to_wire(), job(who, ON - timedelta(days=2)).to_wire()])
    fuzz = Fuzzer(server, boss)
    plain = {
        "user": worker.user["id"],
        "week": "2025-11-19",
        "weeks": "8",
        "format": "csv",
        "on": "2025-11-19",
        "month": "2025-11",
    }

    def query(*names: str, **hostile: str) -> str:
        return query_string({**{name: plain[name] for name in names}, **hostile})

    # Each hostile value in each parameter of each call, the others plain.
    places = [
        *((TALLIES_PATH, ("week", "weeks"), name) for name in ("week", "weeks")),
        *((TEAM_WEEK_PATH, ("user", "week"), name) for name in ("user", "week")),
        *((TEAM_EXPORT_PATH, ("week", "format"), name) for name in ("week", "format", "team")),
        *((DUE_PATH, ("user", "on"), name) for name in ("user", "on")),
        *((TEAM_BILLING_PATH, ("month", "format"), name) for name in ("month", "format", "team")),
    ]
    for (path, names, name), value in sweep(places, QUERY_ATOMS):
        fuzz.send("GET", path, query=query(*names, **{name: value}))
    review = {"user": worker.user["id"], "week": "2025-11-19"}
    for field, value in sweep(("user", "week", "body"), ATOMS):
        fuzz.send("POST", TEAM_REVIEW_PATH, body=encode(with_field(review, field, value)))

    @given(
        user=st.one_of(QUERY, st.just(worker.user["id"])),
        week=QUERY,
        weeks=st.one_of(QUERY, st.integers().map(str)),
        format=st.one_of(QUERY, st.sampled_from(["csv", "pdf"])),
        team_id=QUERY,
        body=VALUES,
    )
    def calls(user, week, weeks, format, team_id, body) -> None:
        fuzz.send("GET", TALLIES_PATH, query=query_string({"week": week, "weeks": weeks}))
        fuzz.send("GET", TEAM_WEEK_PATH, query=query_string({"user": user, "week": week}))
        fuzz.send("GET", DUE_PATH, query=query_string({"user": user, "on": week}))
        fuzz.send("GET", TEAM_BILLING_PATH, query=query_string({"month": week, "format": format}))
        export = {"week": week, "format": format, "team": team_id}
        fuzz.send("GET", TEAM_EXPORT_PATH, query=query_string(export))
        fuzz.send("POST", TEAM_REVIEW_PATH, body=encode({"user": user, "week": week}))
        fuzz.send("POST", TEAM_REVIEW_PATH, body=encode(body))
        fuzz.send("GET", TALLIES_PATH, query=query_string({"week": week}), device=worker)

    run(calls)
