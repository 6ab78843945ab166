"""Push and pull: statuses, last writer wins, the conflict log, paging and resume."""

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from sync.protocol import MAX_BODY_BYTES, MAX_CHANGES, PULL_PATH, PUSH_PATH
from sync.server.db import conflicts, devices, iso, records, seq_counter, utc_now

from .conftest import BASE_MS, DAY_MS, contact, version


def conflict_log(server, record_id):
    with server.admin.engine.connect() as conn:
        return conn.execute(
            sa.select(conflicts.c.version, conflicts.c.winner_version, conflicts.c.reason)
            .where(conflicts.c.record_id == record_id)
            .order_by(conflicts.c.id)
        ).all()


def test_push_applies_and_pull_returns_the_record_with_unknown_fields(specialist):
    change = contact(future_field={"nested": [1, 2]})
    assert specialist.push_ok([change]) == [{"id": change["id"], "status": "applied"}]
    pulled, _ = specialist.pull_all()
    assert len(pulled) == 1
    seq = pulled[0].pop("seq")
    assert isinstance(seq, int) and pulled[0] == change


def test_resending_a_batch_is_idempotent(specialist):
    batch = [contact(), contact()]
    specialist.push_ok(batch)
    assert [r["status"] for r in specialist.push_ok(batch)] == ["duplicate", "duplicate"]
    pulled, _ = specialist.pull_all()
    assert sorted(r["id"] for r in pulled) == sorted(c["id"] for c in batch)


def test_last_writer_wins_and_losers_are_logged(server, new_team, new_user, enroll):
    name = new_user(new_team())
    phone, tablet = enroll(name, "dev-phone"), enroll(name, "dev-tablet")
    rid = str(uuid.uuid4())
    older = contact(record_id=rid, ver=version(BASE_MS, 0, "dev-phone"), employer="Older")
    newer = contact(record_id=rid, ver=version(BASE_MS + 5, 0, "dev-tablet"), employer="Newer")

    assert tablet.push_ok([newer])[0]["status"] == "applied"
    assert phone.push_ok([older])[0]["status"] == "stale"
    assert phone.push_ok([older])[0]["status"] == "stale"  # resent: logged once
    pulled, _ = phone.pull_all()
    assert [r["data"]["employer"] for r in pulled] == ["Newer"]
    assert conflict_log(server, rid) == [(older["version"], newer["version"], "stale")]

    newest = contact(record_id=rid, ver=version(BASE_MS + 9, 0, "dev-phone"), employer="Newest")
    assert phone.push_ok([newest])[0]["status"] == "applied"
    assert conflict_log(server, rid)[-1] == (newer["version"], newest["version"], "superseded")


def test_own_later_edits_and_tombstones_replace_the_record(specialist):
    rid = str(uuid.uuid4())
    device = specialist.device_id
    first = contact(record_id=rid, ver=version(BASE_MS, 0, device))
    gone = {
        "id": rid,
        "kind": "employer_contact",
        "version": version(BASE_MS, 1, device),
        "deleted": True,
        "data": {},
    }
    assert [r["status"] for r in specialist.push_ok([first, gone])] == ["applied", "applied"]
    pulled, _ = specialist.pull_all()
    assert len(pulled) == 1 and pulled[0]["deleted"] is True and pulled[0]["data"] == {}


def test_rejections_do_not_block_the_rest_of_the_batch(specialist):
    good = contact()
    missing = contact()
    del missing["data"]["employer"]
    bad_kind = {**contact(), "kind": "horoscope"}
    results = specialist.push_ok([missing, good, bad_kind, "not a record"])
    assert [r["status"] for r in results] == ["rejected", "applied", "rejected", "rejected"]
    assert results[0]["error"]["code"] == "invalid"
    assert "employer" in results[0]["error"]["message"]
    assert results[0]["error"]["field"] == "employer"
    assert results[2]["error"]["code"] == "unknown_kind"
    assert results[3]["error"]["code"] == "invalid"
    assert [r["id"] for r in specialist.pull_all()[0]] == [good["id"]]


def test_version_more_than_a_day_ahead_is_rejected(specialist):
    now_ms = int(utc_now().timestamp() * 1000)
    ahead = contact(ver=version(now_ms + 2 * DAY_MS, 0, specialist.device_id))
    nearly = contact(ver=version(now_ms + DAY_MS - 60_000, 0, specialist.device_id))
    results = specialist.push_ok([ahead, nearly])
    assert results[0]["status"] == "rejected"
    assert results[0]["error"]["code"] == "clock_ahead"
    assert results[1]["status"] == "applied"


def test_more_than_500_changes_applies_nothing(specialist):
    response = specialist.push([contact() for _ in range(MAX_CHANGES + 1)])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_changes"
    assert specialist.pull_all()[0] == []
    assert len(specialist.push_ok([contact() for _ in range(MAX_CHANGES)])) == MAX_CHANGES


def test_body_over_one_mib_is_413(specialist):
    huge = contact(notes="x" * MAX_BODY_BYTES)
    response = specialist.push([huge])
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_a_specialist_cannot_touch_or_read_anothers_records(new_team, new_user, enroll):
    team = new_team()
    alice, bob = enroll(new_user(team)), enroll(new_user(team))
    record = contact()
    alice.push_ok([record])
    hijack = {**record, "version": version(BASE_MS + 1, 0, bob.device_id)}
    results = bob.push_ok([hijack, contact()])
    assert results[0]["status"] == "rejected"
    assert results[0]["error"]["code"] == "forbidden"
    assert results[1]["status"] == "applied"
    assert record["id"] not in {r["id"] for r in bob.pull_all()[0]}
    assert alice.pull_all()[0][0]["data"] == record["data"]


def test_push_for_another_device_id_is_forbidden(specialist):
    response = specialist.client.post(
        PUSH_PATH, json={"device_id": "someone-else", "changes": []}, headers=specialist.auth
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_pending_is_remembered_per_device(server, specialist):
    specialist.push_ok([contact()], pending=42)
    with server.admin.engine.connect() as conn:
        row = conn.execute(devices.select().where(devices.c.id == specialist.device_id)).one()
    assert row.pending == 42 and row.last_sync_at is not None


def test_pull_pages_in_seq_order_and_resumes_from_a_cursor(specialist):
    changes = [contact() for _ in range(7)]
    specialist.push_ok(changes)
    first = specialist.get(PULL_PATH, limit=3).json()
    assert len(first["changes"]) == 3 and first["more"] is True
    # An interrupted pull resumes from the last stored cursor: same page again.
    assert specialist.get(PULL_PATH, limit=3).json()["changes"] == first["changes"]
    rest, cursor = specialist.pull_all(after=first["next"], limit=3)
    everything = first["changes"] + rest
    assert [r["id"] for r in everything] == [c["id"] for c in changes]
    seqs = [r["seq"] for r in everything]
    assert seqs == sorted(seqs) and len(set(seqs)) == 7
    # Nothing new: the same cursor comes back.
    quiet = specialist.get(PULL_PATH, after=cursor).json()
    assert quiet == {**quiet, "changes": [], "next": cursor, "more": False}
    # A record changed again appears once, at its latest seq.
    edited = {**changes[0], "version": version(BASE_MS + 1, 0, specialist.device_id)}
    specialist.push_ok([edited])
    again, _ = specialist.pull_all(after=cursor)
    assert [r["id"] for r in again] == [edited["id"]] and again[0]["seq"] > seqs[-1]


def test_first_pull_with_nothing_gives_a_cursor_for_now(specialist, new_team, new_user, enroll):
    empty = specialist.get(PULL_PATH).json()
    assert empty["changes"] == [] and empty["more"] is False and isinstance(empty["next"], str)
    specialist.push_ok([contact()])
    assert len(specialist.get(PULL_PATH, after=empty["next"]).json()["changes"]) == 1


def test_a_plain_cursor_from_before_generations_still_pulls_on(server, specialist):
    """Devices hold cursors of the old form, `s<seq>`, until their next pull;
    they belong to the generation the store had when generations began."""
    first, second = contact(), contact()
    specialist.push_ok([first, second])
    changes, _ = specialist.pull_all()
    plain = f"s{changes[0]['seq']}"
    page = specialist.get(PULL_PATH, after=plain).json()
    assert [r["id"] for r in page["changes"]] == [second["id"]] and "resend" not in page
    assert page["next"] != f"s{changes[1]['seq']}"  # the new form from now on
    assert specialist.get(PULL_PATH, after=page["next"]).json()["changes"] == []

    server.cli("restored")  # a backup restored since: the plain cursor is from before
    page = specialist.get(PULL_PATH, after=plain).json()
    assert page["resend"] is True
    assert [r["id"] for r in page["changes"]] == [first["id"], second["id"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"after": "garbage"}, "after"),
    ],
)
def test_bad_pull_parameters_are_invalid(specialist, params, field):
    response = specialist.get(PULL_PATH, **params)
    assert response.status_code == 422
    assert response.json()["error"] == {
        **response.json()["error"],
        "code": "invalid",
        "field": field,
    }


def _in_minutes(minutes: int) -> str:
    return (utc_now() + timedelta(minutes=minutes)).isoformat()


def _nested(levels: int) -> dict:
    """An unknown field that makes `data` nest `levels` levels deep."""
    inner: dict = {"leaf": 1}
    for _ in range(levels - 2):
        inner = {"x": inner}
    return inner


# Each makes a change beyond the limits (PROTOCOL.md additions of 2026-11-25):
# (the change, the field named, words of the message).
BEYOND_THE_LIMITS = [
    (lambda: contact(_in_minutes(16)), "occurred_at", "in the future"),
    (lambda: contact(_in_minutes(60 * 24 * 400)), "occurred_at", "in the future"),
    (lambda: contact("9999-12-31T23:59:59-06:00"), "occurred_at", "between 2000-01-01"),
    (lambda: contact("1999-12-31T23:59:59+00:00"), "occurred_at", "between 2000-01-01"),
    (lambda: contact(employer="Bake\x00ry"), "employer", "NUL"),
    (lambda: contact(employer="Bake\ud800ry"), "employer", "broken character"),
    (lambda: contact(future={"deep": ["\udfff"]}), "future", "broken character"),
    (lambda: contact(**{"odd\ud800name": 1}), "data", "broken character"),
    (lambda: contact(future=_nested(17)), "future", "more than 16 levels"),
    (lambda: contact(future="x" * 70_000), "data", "at most 65,536"),
    (lambda: contact(future=float("inf")), "future", "not finite"),
    (lambda: {**contact(), "id": "\ud800"}, "id", "not a UUID"),
    (lambda: {**contact(), "version": "1763820000000.00000.dev\n"}, "version", "version stamp"),
]


@pytest.mark.parametrize(("make", "field", "words"), BEYOND_THE_LIMITS)
def test_a_change_beyond_the_limits_is_rejected_and_the_rest_applies(
    specialist, make, field, words
):
    before, bad, after = contact(), make(), contact()
    results = specialist.push_ok([before, bad, after])
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    error = results[1]["error"]
    assert error["code"] == "invalid" and error["field"] == field, error
    assert words in error["message"] and error["message"].startswith(f"{field}: ")
    pulled, _ = specialist.pull_all()
    assert sorted(r["id"] for r in pulled) == sorted([before["id"], after["id"]])


def test_a_lone_surrogate_id_is_not_sent_back(specialist):
    results = specialist.push_ok([{**contact(), "id": "\udc00x"}, {"id": ["a", "list"]}])
    assert [r["id"] for r in results] == [None, None]


def test_an_occurred_at_up_to_15_minutes_ahead_is_allowed_for_clocks(specialist):
    visit = {
        **contact(),
        "kind": "member_visit",
        "data": {
            "occurred_at": _in_minutes(14),
            "member_id": "m1",
            "type": "job_search",
            "face_to_face": True,
            "setting": "community",
        },
    }
    ahead = {
        **visit,
        "id": str(uuid.uuid4()),
        "data": {**visit["data"], "occurred_at": _in_minutes(16)},
    }
    results = specialist.push_ok([contact(_in_minutes(14)), visit, ahead])
    assert [r["status"] for r in results] == ["applied", "applied", "rejected"]
    assert results[2]["error"]["field"] == "occurred_at"


def test_a_tombstone_is_held_to_the_limits_on_data(specialist):
    rid = str(uuid.uuid4())
    specialist.push_ok([contact(record_id=rid)])
    gone = {**contact(record_id=rid, ver=version(BASE_MS + 1)), "deleted": True, "data": {}}
    bad_gone = {**gone, "id": str(uuid.uuid4()), "data": {"note": "\x00"}}
    results = specialist.push_ok([gone, bad_gone])
    assert [r["status"] for r in results] == ["applied", "rejected"]


def test_a_record_stored_before_the_limits_is_still_pulled(server, specialist):
    """Data nested deeper than the limits allow, stored before they applied: the
    pull hands it over as it is (the device sets aside what it cannot store)."""
    legacy = contact(future=_nested(300))
    with server.admin.writing() as (conn, seq):
        conn.execute(
            records.insert().values(
                id=legacy["id"],
                owner_id=specialist.user["id"],
                kind=legacy["kind"],
                version=legacy["version"],
                deleted=False,
                data=json.dumps(legacy["data"]),
                seq=seq + 1,
                occurred_ms=None,
                updated_at=iso(utc_now()),
            )
        )
        conn.execute(seq_counter.update().values(value=seq + 1))
    pulled, _ = specialist.pull_all()
    assert [{k: v for k, v in r.items() if k != "seq"} for r in pulled] == [legacy]
