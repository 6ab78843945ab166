"""The counting rule: face to face and not deleted; generic and repeat visits count."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import (
    Record,
    TeamSettings,
    changes_since_review,
    fidelity_rating,
    finished_weeks_average,
    team_average,
    week_tally,
    weekly_counts,
)

WEEK = date(2026, 11, 16)
SETTINGS = TeamSettings("monday", "America/Chicago", 6)


def contact(n, *, day=17, face_to_face=True, deleted=False, employer="Harbor Hardware", members=()):
    data = (
        {}
        if deleted
        else {
            "occurred_at": f"2026-11-{day:02d}T10:{n % 60:02d}:00-06:00",
            "employer": employer,
            "face_to_face": face_to_face,
            "member_ids": list(members),
        }
    )
    return Record(
        f"00000000-0000-7000-8000-{n:012d}",
        "employer_contact",
        f"1763820000000.{n:05d}.dev",
        deleted,
        data,
    )


def test_counting_rule():
    records = [
        contact(1),  # generic, face to face
        contact(2, members=["m-1"]),  # member-specific
        contact(3),  # same employer again: counts again
        contact(4, face_to_face=False),  # phone: listed, not counted
        contact(5, deleted=True),  # tombstone: neither
        contact(6, day=23),  # next week
        Record(
            "00000000-0000-7000-8000-000000000007",
            "member_visit",
            "1763820000000.00007.d",
            False,
            {"occurred_at": "2026-11-17T10:00:00-06:00", "face_to_face": True},
        ),
    ]
    tally = week_tally(records, SETTINGS, WEEK)
    assert (tally.count, tally.target, tally.met, tally.short_by) == (3, 6, False, 3)
    assert len(tally.contacts) == 4
    assert [c.data["occurred_at"] for c in tally.contacts] == sorted(
        (c.data["occurred_at"] for c in tally.contacts), reverse=True
    )
    assert weekly_counts(records, SETTINGS, [WEEK, date(2026, 11, 23)]) == [3, 1]


@given(st.lists(st.tuples(st.integers(16, 29), st.booleans(), st.booleans()), max_size=40))
def test_tally_count_is_the_face_to_face_live_contacts_of_the_week(specs):
    records = [
        contact(n, day=day, face_to_face=f2f, deleted=gone)
        for n, (day, f2f, gone) in enumerate(specs)
    ]
    expected = sum(1 for day, f2f, gone in specs if f2f and not gone and day < 23)
    assert week_tally(records, SETTINGS, WEEK).count == expected
    assert weekly_counts(records, SETTINGS, [WEEK])[0] == expected


def test_fidelity_rating_thresholds():
    assert [fidelity_rating(x) for x in (7, 6, 5.5, 5, 4, 3, 2, 1.9, 0)] == [
        5,
        5,
        4,
        4,
        3,
        2,
        2,
        1,
        1,
    ]


def test_fidelity_rating_without_an_average_is_no_data():
    assert fidelity_rating(None) is None


MON = date(2026, 11, 2)  # weeks start on Mondays: Nov 2, 9, 16, 23
WEEKS = [MON + timedelta(weeks=n) for n in range(4)]


@pytest.mark.parametrize(
    ("counts", "since", "today", "average"),
    [
        # every week ended (today is the Monday after the last), all since joining
        ([6, 4, 5, 7], WEEKS[0], date(2026, 11, 30), 5.5),
        # the current week has not ended: left out, however low
        ([6, 4, 5, 0], WEEKS[0], date(2026, 11, 29), 5.0),
        ([6, 4, 5, 0], WEEKS[0], date(2026, 11, 23), 5.0),
        # weeks before the specialist joined are left out
        ([0, 0, 5, 7], WEEKS[2], date(2026, 11, 30), 6.0),
        # joined this week: no finished week of theirs yet
        ([0, 0, 0, 3], WEEKS[3], date(2026, 11, 25), None),
        # joined after all the weeks shown
        ([0, 0, 0, 0], date(2026, 12, 7), date(2026, 12, 9), None),
        # all the weeks shown are in the future
        ([0, 0, 0, 0], WEEKS[0], date(2026, 11, 1), None),
        # joined before the weeks shown: all of them count
        ([1, 2, 3, 4], date(2020, 1, 6), date(2027, 1, 1), 2.5),
    ],
)
def test_the_average_counts_finished_weeks_since_joining(counts, since, today, average):
    assert finished_weeks_average(WEEKS, counts, since=since, today=today) == average


@pytest.mark.parametrize(
    ("averages", "team", "rating"),
    [
        ([6.0, 4.0], 5.0, 4),
        ([6.0, None, 4.0], 5.0, 4),  # a specialist with no finished week is left out
        ([None, None], None, None),  # no finished weeks at all: no data, not a 1
        ([], None, None),
        ([1.0], 1.0, 1),
        ([7.0, 6.5], 6.75, 5),
    ],
)
def test_the_team_average_and_rating_use_the_specialists_averages(averages, team, rating):
    assert team_average(averages) == team
    assert fidelity_rating(team_average(averages)) == rating


@pytest.mark.parametrize(
    ("reviewed", "now", "added", "edited", "removed"),
    [
        ({"a": "1", "b": "1"}, {"a": "1", "b": "1"}, (), (), 0),
        ({"a": "1"}, {"a": "1", "c": "1"}, ("c",), (), 0),  # logged or moved into the week
        ({"a": "1", "b": "1"}, {"a": "2", "b": "1"}, (), ("a",), 0),  # edited
        ({"a": "1", "b": "1"}, {"a": "1"}, (), (), 1),  # deleted or moved out of the week
        ({}, {"z": "1", "y": "1"}, ("y", "z"), (), 0),
        ({"a": "1", "b": "1"}, {"b": "2", "c": "1"}, ("c",), ("b",), 1),
    ],
)
def test_changes_since_a_review(reviewed, now, added, edited, removed):
    changes = changes_since_review(reviewed, now)
    assert (changes.added, changes.edited, changes.removed) == (added, edited, removed)
    assert bool(changes) == bool(added or edited or removed)
