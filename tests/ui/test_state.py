"""The plain-Python view state: suggestions, messages, dates, the idle touch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.domain import ValidationError, quarter_fidelity
from app.store import Store, StoreLockedError
from app.ui.fidelity import record_lines, value_text
from app.ui.forms import field_message, picked_date, suggest
from app.ui.pin_gate import default_data_dir
from tests.fidelity_cases import CASES, QUARTER, SETTINGS, TODAY

from .conftest import PIN

NAMES = ["Riverside Hardware", "Lakeside Diner", "Ace River Tours"]


def test_suggest_prefers_names_starting_with_the_text():
    assert suggest("riv", NAMES) == ["Riverside Hardware", "Ace River Tours"]
    assert suggest("", NAMES, limit=2) == NAMES[:2]
    assert suggest("lakeside diner", NAMES) == []  # already exactly one of them


def test_field_messages_say_what_to_do():
    assert field_message(ValidationError("employer", "is required and cannot be blank")) \
        .startswith("Enter the employer")
    long = field_message(ValidationError("notes", "is 4100 characters long; the limit is 4000"))
    assert long == ("This is 4100 characters long; the limit is 4000. "
                    "Correct it, then save again.")


@pytest.mark.parametrize("hours", [-10, -6, 0, 5.5, 9, 12])
def test_picked_date_is_the_day_whatever_the_browser_zone(hours):
    local_midnight = datetime(2026, 11, 18, tzinfo=timezone(timedelta(hours=hours)))
    assert picked_date(local_midnight.astimezone(UTC)) == date(2026, 11, 18)


def test_default_data_dir_prefers_the_phone_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    assert default_data_dir() == tmp_path / "field-log"
    monkeypatch.delenv("FLET_APP_STORAGE_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "ips-field-log"


def test_store_touch_restarts_the_idle_time(tmp_path):
    clock = [0.0]
    store = Store.create(tmp_path / "s", PIN, monotonic=lambda: clock[0])
    clock[0] = 250
    store.touch()
    clock[0] = 500
    assert store.idle_seconds() == 250
    assert store.count("member") == 0  # still unlocked
    clock[0] = 1000
    with pytest.raises(StoreLockedError):
        store.touch()
    store.close()


def test_a_packaged_app_never_serves_the_web_build(monkeypatch):
    import main

    monkeypatch.setenv("FLET_PLATFORM", "android")
    assert main.serve_web(asked_for_web=False) is False
    monkeypatch.delenv("FLET_PLATFORM")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main.serve_web(asked_for_web=False) is True  # no screen here: the web build
    assert main.serve_web(asked_for_web=True) is True


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_fidelity_record_row_reads_as_a_line(case):
    """The Fidelity screen turns each item's rows into lines, whatever the item."""
    found = quarter_fidelity(case.logs(), QUARTER, SETTINGS, TODAY)
    for item in found.items:
        wire = item.to_wire()
        lines = record_lines(wire["item"], wire["records"])
        assert len(lines) == len(wire["records"])
        assert all(line.title and line.detail for line in lines)
        assert value_text(wire["item"], wire["value"])
