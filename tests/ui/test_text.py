"""Dates as the screen says them: the year whenever it is not this year's."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.ui import text

TODAY = date(2026, 12, 7)  # a Monday


@pytest.mark.parametrize(("day", "said"), [
    (date(2026, 12, 7), "Mon 7 Dec"),
    (date(2026, 1, 6), "Tue 6 Jan"),
    (date(2024, 1, 6), "Sat 6 Jan 2024"),
    (date(2027, 1, 4), "Mon 4 Jan 2027"),
    (date(2000, 12, 7), "Thu 7 Dec 2000"),
])
def test_a_day_has_its_year_unless_it_is_this_year(day, said):
    assert text.day_label(day, today=TODAY) == said


def test_times_weeks_and_due_dates_say_the_year_of_another_year():
    assert text.when_label(datetime(2025, 12, 7, 9, 58), today=TODAY) == "Sun 7 Dec 2025 09:58"
    assert text.when_label(datetime(2026, 12, 3, 9, 58), today=TODAY) == "Thu 3 Dec 09:58"
    assert text.week_label(date(2025, 12, 29), today=TODAY) == "Week of Mon 29 Dec 2025"
    assert text.due_text(date(2024, 1, 6), TODAY) == "was due Sat 6 Jan 2024"
    assert text.due_text(date(2026, 11, 30), TODAY) == "was due Mon 30 Nov"
    assert text.due_text(date(2026, 12, 7), TODAY) == "due today"
    assert text.due_text(date(2026, 12, 10), TODAY) == "due Thu"
    assert text.due_text(date(2027, 1, 5), date(2026, 12, 20)) == "due Tue 5 Jan 2027"
