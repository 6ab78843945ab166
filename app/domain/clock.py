"""Hybrid-logical-clock version stamps, exactly as PROTOCOL.md defines them.

A version is `<ms since epoch, 13 digits>.<counter, 5 digits>.<device id>`.
Fixed widths make versions compare correctly as plain strings, which is how
both sides compare them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ValidationError, shown

# ASCII digits only: versions compare as plain strings.
VERSION_PATTERN = re.compile(r"^([0-9]{13})\.([0-9]{5})\.([A-Za-z0-9-]{1,64})$")
MAX_COUNTER = 99_999
# A wall clock within this of the server's is left alone (plain HLC behaviour).
TRUSTED_SKEW_MS = 60_000


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, order=True)
class Stamp:
    ms: int
    counter: int

    def version(self, device_id: str) -> str:
        return f"{self.ms:013d}.{self.counter:05d}.{device_id}"


def parse_version(version: object) -> tuple[Stamp, str]:
    """Split a version into its (ms, counter) stamp and device id."""
    match = VERSION_PATTERN.fullmatch(version) if isinstance(version, str) else None
    if match is None:
        raise ValidationError(
            "version",
            f"{shown(version)} is not a version stamp <13-digit ms>.<5-digit counter>.<device id>",
        )
    return Stamp(int(match[1]), int(match[2])), match[3]


class HybridClock:
    """Issues versions for one device that only grow, even if the wall clock steps back.

    `observe` moves the clock past a version or server time seen from
    elsewhere, so a later local edit sorts after everything already seen.
    `offset_ms` corrects a wall clock known to be wrong (measured against the
    server), so a phone set days ahead does not stamp versions days ahead.
    """

    def __init__(
        self,
        device_id: str,
        *,
        last: Stamp = Stamp(0, 0),
        offset_ms: int = 0,
        wall_ms: Callable[[], int] = wall_clock_ms,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9-]{1,64}", device_id):
            raise ValidationError("device_id", f"{device_id!r} is not a usable device id")
        self.device_id = device_id
        self.last = last
        self.offset_ms = offset_ms
        self._wall_ms = wall_ms

    def tick(self) -> str:
        wall = self._wall_ms() + self.offset_ms
        if wall > self.last.ms:
            stamp = Stamp(wall, 0)
        elif self.last.counter < MAX_COUNTER:
            stamp = Stamp(self.last.ms, self.last.counter + 1)
        else:  # counter exhausted within one millisecond: borrow the next one
            stamp = Stamp(self.last.ms + 1, 0)
        self.last = stamp
        return stamp.version(self.device_id)

    def observe_version(self, version: str) -> None:
        stamp, _ = parse_version(version)
        self.last = max(self.last, stamp)

    def observe_ms(self, ms: int) -> None:
        self.last = max(self.last, Stamp(ms, 0))

    def observe_server_ms(self, server_ms: int) -> None:
        """Move past the server's time; correct the wall clock only when it is
        clearly wrong, since the measurement itself is off by the network delay."""
        skew = server_ms - self._wall_ms()
        self.offset_ms = skew if abs(skew) > TRUSTED_SKEW_MS else 0
        self.observe_ms(server_ms)

    def rebase(self, last: Stamp) -> None:
        """Set the clock back to `last`: only for versions no server ever accepted
        (rejected as too far ahead), which nothing else can have seen."""
        self.last = last
