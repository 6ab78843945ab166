"""Tallies, a specialist's week and reviews: counts equal the domain's own."""

import uuid
from datetime import date

import pytest

from app.domain import Record, TeamSettings, weekly_counts
from sync.protocol import TALLIES_PATH, TEAM_REVIEW_PATH, TEAM_WEEK_PATH

from .conftest import BASE_MS, contact, version

# Instants near week and day edges, to catch a wrong zone or start day.
OCCURRED = [
    "2025-11-16T23:30:00-06:00",  # Sunday night in Chicago, Monday in UTC
    "2025-11-17T00:10:00-06:00",
    "2025-11-17T05:30:00+00:00",  # Sunday night in Chicago
    "2025-11-19T10:00:00-06:00",
    "2025-11-22T23:59:00-06:00",
    "2025-11-23T12:00:00-06:00",
    "2025-11-24T06:00:00+00:00",
    "2025-11-10T09:00:00-06:00",
    "2025-10-28T09:00:00-05:00",  # before the end of daylight saving time
]


def _mixed_contacts(device_id):
    changes = []
    for n, when in enumerate(OCCURRED):
        changes.append(contact(when, face_to_face=n % 4 != 3))
    changes.append(
        {
            **contact(OCCURRED[3]),
            "kind": "member_visit",
            "data": {
                "occurred_at": OCCURRED[3],
                "member_id": "m1",
                "type": "job_search",
                "face_to_face": True,
                "setting": "community",
            },
        }
    )
    deleted = contact(OCCURRED[4], record_id=str(uuid.uuid4()))
    tombstone = {
        **deleted,
        "version": version(BASE_MS + 1, 0, device_id),
        "deleted": True,
        "data": {},
    }
    return changes + [deleted, tombstone]


@pytest.mark.parametrize(
    ("week_start", "timezone"),
    [
        ("monday", "America/Chicago"),
        ("sunday", "America/Chicago"),
        ("wednesday", "Pacific/Auckland"),
        ("monday", "UTC"),
    ],
)
def test_tallies_match_the_domain_count(new_team, new_user, enroll, week_start, timezone):
    team = new_team(week_start=week_start, timezone=timezone)
    device = enroll(new_user(team))
    changes = _mixed_contacts(device.device_id)
    device.push_ok(changes)
    response = device.get(TALLIES_PATH, week="2025-11-25", weeks=6)
    assert response.status_code == 200, response.text
    body = response.json()

    settings = TeamSettings(week_start, timezone, 6)
    weeks = settings.weeks_ending(date(2025, 11, 25), 6)
    latest = {c["id"]: Record.from_wire(c) for c in changes}  # later changes win
    expected = weekly_counts(latest.values(), settings, weeks)
    assert body["weeks"] == [w.isoformat() for w in weeks]
    assert [row["counts"] for row in body["rows"]] == [expected]
    assert sum(expected) > 0
    row = body["rows"][0]
    assert row["user"] == {"id": device.user["id"], "name": device.user["name"]}
    assert row["average"] == pytest.approx(sum(expected) / 6, abs=0.01)
    assert body["target"] == 6 and body["team"]["week_start"] == week_start


def test_supervisor_sees_every_specialist_of_own_team_only(new_team, new_user, enroll):
    team, other = new_team(), new_team()
    boss = enroll(new_user(team, "supervisor"))
    busy, idle = enroll(new_user(team)), new_user(team)
    outsider = enroll(new_user(other))
    busy.push_ok([contact("2025-11-19T10:00:00-06:00")] * 1, pending=3)
    outsider.push_ok([contact("2025-11-19T10:00:00-06:00")])

    body = boss.get(TALLIES_PATH, week="2025-11-19", weeks=2).json()
    rows = {row["user"]["name"]: row for row in body["rows"]}
    assert set(rows) == {busy.user["name"], idle}
    assert rows[busy.user["name"]]["counts"] == [0, 1]
    assert rows[busy.user["name"]]["pending"] == 3
    assert rows[busy.user["name"]]["last_sync"] is not None
    assert rows[idle] == {**rows[idle], "counts": [0, 0], "pending": 0, "last_sync": None}

    mine = busy.get(TALLIES_PATH, week="2025-11-19", weeks=2).json()
    assert [row["user"]["name"] for row in mine["rows"]] == [busy.user["name"]]


def test_tallies_default_to_eight_weeks_and_check_their_parameters(specialist):
    body = specialist.get(TALLIES_PATH).json()
    assert len(body["weeks"]) == 8 and len(body["rows"][0]["counts"]) == 8
    for params in ({"weeks": 0}, {"weeks": 53}, {"week": "2025-13-01"}):
        response = specialist.get(TALLIES_PATH, **params)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid"


def test_team_week_lists_the_contacts_and_review_marks_it(new_team, new_user, enroll):
    team = new_team()
    boss = enroll(new_user(team, "supervisor"))
    worker = enroll(new_user(team))
    counted = contact("2025-11-19T10:00:00-06:00", contact_person="Pat Example")
    phone_call = contact("2025-11-20T10:00:00-06:00", face_to_face=False)
    next_week = contact("2025-11-24T10:00:00-06:00")
    worker.push_ok([counted, phone_call, next_week])

    week = boss.get(TEAM_WEEK_PATH, user=worker.user["id"], week="2025-11-21").json()
    assert week["week_start"] == "2025-11-17"
    assert week["count"] == 1 and week["target"] == 6
    assert [c["id"] for c in week["contacts"]] == [phone_call["id"], counted["id"]]
    assert week["user"]["id"] == worker.user["id"] and week["review"] is None

    body = {"user": worker.user["id"], "week": "2025-11-18"}
    first = boss.post(TEAM_REVIEW_PATH, body)
    assert first.status_code == 200, first.text
    review = first.json()["review"]
    assert review["by"]["id"] == boss.user["id"] and review["at"]
    assert boss.post(TEAM_REVIEW_PATH, body).json()["review"] == review
    assert (
        boss.get(TEAM_WEEK_PATH, user=worker.user["id"], week="2025-11-17").json()["review"]
        == review
    )


def test_team_calls_are_for_supervisors_of_that_team(new_team, new_user, enroll):
    team, other = new_team(), new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    stranger = enroll(new_user(other))
    colleague = enroll(new_user(team))
    for caller, user in [(boss, stranger), (worker, colleague), (boss, "no-such-user")]:
        user_id = user if isinstance(user, str) else user.user["id"]
        for response in (
            caller.get(TEAM_WEEK_PATH, user=user_id, week="2025-11-17"),
            caller.post(TEAM_REVIEW_PATH, {"user": user_id, "week": "2025-11-17"}),
        ):
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "forbidden"
