"""Tallies, a specialist's week and reviews: counts equal the domain's own."""

import uuid
from datetime import date, datetime, time, timedelta

import pytest

from app.domain import Record, TeamSettings, weekly_counts
from sync.protocol import TALLIES_PATH, TEAM_EXPORT_PATH, TEAM_REVIEW_PATH, TEAM_WEEK_PATH
from sync.server.db import utc_now

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
    device = enroll(new_user(team, started_on=date(2025, 10, 1)))
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
    assert row["average"] == pytest.approx(sum(expected) / 6, abs=0.01)  # weeks long over
    assert row["since"] == settings.week_of(date(2025, 10, 1)).isoformat()
    assert row["reviews"] == [None] * 6
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


CHICAGO = TeamSettings("monday", "America/Chicago", 6)


def _week(offset: int) -> date:
    """The start of the week `offset` weeks from this one, in Chicago."""
    return CHICAGO.week_of(CHICAGO.local_date(utc_now())) + timedelta(weeks=offset)


def _during(week: date) -> str:
    """A time inside that week, never in the future: this week's is now."""
    if week == _week(0):
        return utc_now().isoformat()
    return datetime.combine(week + timedelta(days=1), time(10), tzinfo=CHICAGO.zone).isoformat()


# Contacts per week, three weeks ago to this week; the last week has not ended.
COUNTS = {-3: 5, -2: 2, -1: 4, 0: 1}


@pytest.mark.parametrize(
    ("start_weeks", "average"),
    [
        (-3, round(11 / 3, 2)),  # started three weeks ago: every finished week
        (-2, 3.0),  # two weeks ago: the week before is left out
        (-1, 4.0),
        (0, None),  # started this week: nothing has ended yet
        (None, None),  # no start given: the first enrollment, just now, marks it
    ],
)
def test_the_average_counts_finished_weeks_since_the_specialist_started(
    new_team, new_user, enroll, start_weeks, average
):
    started = None if start_weeks is None else _week(start_weeks) + timedelta(days=2)
    worker = enroll(new_user(new_team(), started_on=started))
    worker.push_ok(
        [contact(_during(_week(offset))) for offset, n in COUNTS.items() for _ in range(n)]
    )
    body = worker.get(TALLIES_PATH, weeks=4).json()
    (row,) = body["rows"]
    assert body["weeks"] == [_week(offset).isoformat() for offset in COUNTS]
    assert row["counts"] == list(COUNTS.values())
    assert row["average"] == average
    assert row["since"] == _week(0 if start_weeks is None else start_weeks).isoformat()


def test_a_specialist_never_enrolled_has_no_average_yet(new_team, new_user, enroll):
    team = new_team()
    boss, idle = enroll(new_user(team, "supervisor")), new_user(team)
    (row,) = boss.get(TALLIES_PATH, weeks=3).json()["rows"]
    assert row["user"]["name"] == idle
    assert row == {**row, "counts": [0, 0, 0], "average": None, "since": _week(0).isoformat()}


@pytest.mark.parametrize("day", ["1970-01-01", "2999-12-31"])
def test_weeks_far_in_the_past_or_future_are_answered(new_team, new_user, enroll, day):
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    worker.push_ok([contact(_during(_week(-1)))])
    tallies = boss.get(TALLIES_PATH, week=day, weeks=52)
    assert tallies.status_code == 200, tallies.text
    (row,) = tallies.json()["rows"]
    assert row["counts"] == [0] * 52 and row["reviews"] == [None] * 52
    assert row["average"] is None  # before joining, or not ended
    week = boss.get(TEAM_WEEK_PATH, user=worker.user["id"], week=day)
    assert week.status_code == 200 and week.json()["count"] == 0
    review = boss.post(TEAM_REVIEW_PATH, {"user": worker.user["id"], "week": day})
    assert review.status_code == 200 and review.json()["review"]["count"] == 0
    assert boss.get(TEAM_EXPORT_PATH, week=day, format="pdf").status_code == 200


REVIEW_WEEK = "2025-11-19"  # the week of Monday 17 November 2025


def _week_contacts() -> dict[str, dict]:
    """A week to review, a contact of the week after and one not yet logged."""
    return {
        "a": contact("2025-11-17T10:00:00-06:00"),
        "b": contact("2025-11-18T10:00:00-06:00"),
        "c": contact("2025-11-19T10:00:00-06:00", face_to_face=False),
        "later": contact("2025-11-26T10:00:00-06:00"),
        "new": contact("2025-11-21T10:00:00-06:00"),
    }


def _edit(record: dict, **data) -> dict:
    return {**record, "version": version(BASE_MS + 1), "data": {**record["data"], **data}}


def _tombstone(record: dict) -> dict:
    return {**record, "version": version(BASE_MS + 1), "deleted": True, "data": {}}


# What is done to the reviewed week: the changes pushed, then which contacts
# show as added and edited, and how many as removed.
CHANGES = {
    "edited": (lambda w: [_edit(w["a"], outcome="Hiring in May")], [], ["a"], 0),
    "added": (lambda w: [w["new"]], ["new"], [], 0),
    "deleted": (lambda w: [_tombstone(w["b"])], [], [], 1),
    "moved out": (lambda w: [_edit(w["c"], occurred_at="2025-11-25T10:00:00-06:00")], [], [], 1),
    "moved in": (
        lambda w: [_edit(w["later"], occurred_at="2025-11-20T10:00:00-06:00")],
        ["later"],
        [],
        0,
    ),
}


@pytest.mark.parametrize(("change", "added", "edited", "removed"), CHANGES.values(), ids=CHANGES)
def test_a_review_remembers_what_was_reviewed(
    new_team, new_user, enroll, change, added, edited, removed
):
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    week = _week_contacts()
    worker.push_ok([week[name] for name in ("a", "b", "c", "later")])
    body = {"user": worker.user["id"], "week": REVIEW_WEEK}

    first = boss.post(TEAM_REVIEW_PATH, body).json()["review"]
    assert first == {**first, "count": 2, "changed": False}
    assert first["by"] == {"id": boss.user["id"], "name": boss.user["name"]}
    assert boss.post(TEAM_REVIEW_PATH, body).json()["review"] == first  # nothing changed

    assert {r["status"] for r in worker.push_ok(change(week))} == {"applied"}
    seen = boss.get(TEAM_WEEK_PATH, user=worker.user["id"], week=REVIEW_WEEK).json()
    assert seen["review"] == {
        **first,
        "changed": True,
        "since_review": {
            "added": [week[name]["id"] for name in added],
            "edited": [week[name]["id"] for name in edited],
            "removed": removed,
        },
    }
    (row,) = boss.get(TALLIES_PATH, week=REVIEW_WEEK, weeks=2).json()["rows"]
    assert row["reviews"] == [None, {**first, "changed": True}]

    # Reviewing again takes a new snapshot: the change is no longer a change.
    again = boss.post(TEAM_REVIEW_PATH, body).json()["review"]
    assert again == {**again, "changed": False, "count": seen["count"]}
    assert again["at"] >= first["at"]
    assert (
        boss.get(TEAM_WEEK_PATH, user=worker.user["id"], week=REVIEW_WEEK).json()["review"] == again
    )


def test_a_change_to_another_week_leaves_the_review_alone(new_team, new_user, enroll):
    team = new_team()
    boss, worker = enroll(new_user(team, "supervisor")), enroll(new_user(team))
    worker.push_ok([contact("2025-11-18T10:00:00-06:00")])
    review = boss.post(TEAM_REVIEW_PATH, {"user": worker.user["id"], "week": REVIEW_WEEK})
    worker.push_ok([contact("2025-11-25T10:00:00-06:00"), contact("2025-11-12T10:00:00-06:00")])
    week = boss.get(TEAM_WEEK_PATH, user=worker.user["id"], week=REVIEW_WEEK).json()
    assert week["review"] == review.json()["review"]
    assert week["review"]["changed"] is False and "since_review" not in week["review"]
