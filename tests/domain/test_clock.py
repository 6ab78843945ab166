"""Hybrid-logical-clock versions: fixed widths, only growing, past what was seen."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import HybridClock, Stamp, ValidationError, parse_version

DEVICE = "6c0d6f8e-0c9f-4c59-9a3b-2b1b0c7f4a11"


def test_version_format_matches_the_protocol():
    clock = HybridClock(DEVICE, wall_ms=lambda: 1763820000123)
    assert clock.tick() == f"1763820000123.00000.{DEVICE}"
    assert clock.tick() == f"1763820000123.00001.{DEVICE}"
    assert parse_version(clock.tick()) == (Stamp(1763820000123, 2), DEVICE)


def test_wall_clock_stepping_back_never_makes_a_smaller_version():
    walls = iter([2_000_000_000_000, 1_000_000_000_000, 1_000_000_000_001])
    clock = HybridClock(DEVICE, wall_ms=lambda: next(walls))
    first, second, third = clock.tick(), clock.tick(), clock.tick()
    assert first < second < third


def test_counter_overflow_borrows_the_next_millisecond():
    clock = HybridClock(DEVICE, last=Stamp(1763820000123, 99_999), wall_ms=lambda: 1)
    assert clock.tick().startswith("1763820000124.00000.")


def test_observing_a_pulled_version_or_server_time_moves_past_it():
    clock = HybridClock(DEVICE, wall_ms=lambda: 1_000_000_000_000)
    clock.observe_version("1900000000000.00042.other-device")
    assert clock.tick() > "1900000000000.00042.other-device"
    clock.observe_ms(1_950_000_000_000)
    assert clock.tick() > "1950000000000"


@given(
    st.lists(
        st.one_of(
            st.integers(0, 9_999_999_999_999).map(lambda ms: ("wall", ms)),
            st.integers(0, 9_999_999_999_999).map(lambda ms: ("seen", ms)),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_versions_only_grow_whatever_the_clocks_do(events):
    wall = [0]
    clock = HybridClock(DEVICE, wall_ms=lambda: wall[0])
    issued = []
    for what, ms in events:
        if what == "wall":
            wall[0] = ms
        else:
            clock.observe_ms(ms)
        issued.append(clock.tick())
    assert issued == sorted(issued) and len(set(issued)) == len(issued)


def test_a_clearly_wrong_wall_clock_is_corrected_by_the_server_time():
    wall = [5_000_000_000_000]  # far ahead of the server
    clock = HybridClock(DEVICE, wall_ms=lambda: wall[0])
    clock.observe_server_ms(1_800_000_000_000)
    assert clock.offset_ms == 1_800_000_000_000 - 5_000_000_000_000
    clock.rebase(Stamp(1_800_000_000_000, 0))
    wall[0] += 1_000
    assert clock.tick().startswith("1800000001000.00000.")


def test_a_small_skew_is_network_delay_and_left_alone():
    clock = HybridClock(DEVICE, wall_ms=lambda: 1_800_000_000_000)
    clock.observe_server_ms(1_800_000_000_000 - 59_000)
    assert clock.offset_ms == 0


def test_a_version_is_ascii_digits_and_nothing_after_the_device():
    for bad in (
        f"1763820000123.00002.{DEVICE}\n",  # a trailing newline
        f"{'١' * 13}.00002.{DEVICE}",  # Arabic-Indic digits sort apart from ASCII ones
        f"1763820000123.０００００.{DEVICE}",  # full-width digits
    ):
        with pytest.raises(ValidationError) as caught:
            parse_version(bad)
        assert caught.value.field == "version"
