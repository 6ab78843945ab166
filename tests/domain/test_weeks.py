"""Weeks in the team's time zone: start day, late evenings, DST, year ends."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import WEEKDAYS, TeamSettings, ValidationError


def test_monday_and_sunday_weeks():
    wednesday = date(2026, 11, 18)
    assert TeamSettings("monday").week_of(wednesday) == date(2026, 11, 16)
    assert TeamSettings("sunday").week_of(wednesday) == date(2026, 11, 15)
    assert TeamSettings("wednesday").week_of(wednesday) == wednesday


def test_late_evening_on_the_last_day_stays_in_its_week():
    chicago = TeamSettings("monday", "America/Chicago")
    # Sunday 23:30 in Chicago is Monday 05:30 UTC: it still belongs to the old week.
    assert chicago.week_of_instant("2026-11-22T23:30:00-06:00") == date(2026, 11, 16)
    assert chicago.week_of_instant("2026-11-23T05:30:00+00:00") == date(2026, 11, 16)
    assert chicago.week_of_instant("2026-11-23T00:00:00-06:00") == date(2026, 11, 23)


def test_dst_change_weeks_are_whole_local_weeks():
    chicago = TeamSettings("sunday", "America/Chicago")
    # DST ends Sunday 2026-11-01 at 02:00 local: that week is 169 hours long.
    start, end = chicago.week_bounds(date(2026, 11, 1))
    assert end - start == timedelta(hours=169)
    assert chicago.week_of_instant("2026-11-01T01:30:00-05:00") == date(2026, 11, 1)
    assert chicago.week_of_instant("2026-11-01T01:30:00-06:00") == date(2026, 11, 1)
    assert chicago.week_of_instant("2026-10-31T23:59:00-05:00") == date(2026, 10, 25)
    # DST starts 2026-03-08: 167 hours, and Saturday 23:30 CST is still the old week.
    start, end = chicago.week_bounds(date(2026, 3, 8))
    assert end - start == timedelta(hours=167)
    assert chicago.week_of_instant("2026-03-07T23:30:00-06:00") == date(2026, 3, 1)


def test_weeks_across_the_year_end():
    ny = TeamSettings("monday", "America/New_York")
    assert ny.week_of_instant("2026-12-31T23:59:00-05:00") == date(2026, 12, 28)
    assert ny.week_of_instant("2027-01-03T23:59:00-05:00") == date(2026, 12, 28)
    assert ny.week_of_instant("2027-01-04T00:00:00-05:00") == date(2027, 1, 4)
    assert ny.weeks_ending(date(2027, 1, 5), 3) == [
        date(2026, 12, 21),
        date(2026, 12, 28),
        date(2027, 1, 4),
    ]


def test_days_left_counts_today():
    chicago = TeamSettings("monday", "America/Chicago")
    assert chicago.days_left(datetime(2026, 11, 16, 12, tzinfo=UTC)) == 7
    assert chicago.days_left(datetime(2026, 11, 23, 3, tzinfo=UTC)) == 1  # Sun 21:00


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"week_start": "funday"}, "week_start"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"contact_target": 0}, "contact_target"),
        ({"contact_target": "6"}, "contact_target"),
    ],
)
def test_bad_settings_are_named(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        TeamSettings(**kwargs)
    assert caught.value.field == field


@given(
    instant=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    week_start=st.sampled_from(WEEKDAYS),
    zone=st.sampled_from(
        [
            "America/Chicago",
            "America/New_York",
            "Pacific/Auckland",
            "Europe/London",
            "America/Santiago",
            "Asia/Kolkata",
        ]
    ),
)
def test_every_instant_falls_inside_the_bounds_of_its_week(instant, week_start, zone):
    settings = TeamSettings(week_start, zone)
    week = settings.week_of_instant(instant)
    start, end = settings.week_bounds(week)
    assert start <= instant < end
    assert WEEKDAYS[week.weekday()] == week_start
