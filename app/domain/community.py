"""Time in the community: "dedicate 65% or more of their time working on
supported employment services in the community" (PROS, principle 3).

One rule for the fidelity item `community_based_services` and New York's
PROS report (PROTOCOL.md, additions of 2026-12-07): community minutes are
`member_visit` minutes with `setting` `community` and the minutes of
face-to-face employer contacts; all minutes are every logged minute of both
kinds. A record without `minutes` adds none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COMMUNITY_TARGET = 0.65
TIMED_KINDS = ("member_visit", "employer_contact")


@dataclass
class Minutes:
    """The minutes a specialist logged, and how many were in the community."""

    records: int = 0  # visits and employer contacts taken in
    minutes: int = 0
    community: int = 0
    without_minutes: int = 0  # records that give no minutes

    def add(self, kind: str, data: Mapping[str, Any]) -> None:
        """Take in one live visit or employer contact."""
        self.records += 1
        spent = data.get("minutes")
        if not isinstance(spent, int) or isinstance(spent, bool):
            self.without_minutes += 1
            return
        self.minutes += spent
        if in_community(kind, data):
            self.community += spent

    @property
    def share(self) -> float | None:
        return self.community / self.minutes if self.minutes else None


def in_community(kind: str, data: Mapping[str, Any]) -> bool:
    """A visit in the community, or an employer met face to face (out at the
    employer's, by the nature of job development)."""
    if kind == "member_visit":
        return data.get("setting") == "community"
    return kind == "employer_contact" and data.get("face_to_face") is True
