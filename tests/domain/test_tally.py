"""The counting rule: face to face and not deleted; generic and repeat visits count."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.domain import Record, TeamSettings, fidelity_rating, week_tally, weekly_counts

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
