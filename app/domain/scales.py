"""The anchors of the IPS Fidelity Scale items the log can evidence, as data.

Each anchor gives the rating a value earns and says whether it was checked
against the published scale (`verified`). Anchors recalled but not checked
are kept here, marked, so they can be corrected without touching the logic
(notes/ips.md). Where PROTOCOL.md gives anchors they are its anchors; the
follow-along anchors are this project's own choice (the scale has none for
this measure), so every one of them is unverified.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Anchor:
    rating: int
    # The lowest value earning this rating (the highest, on a scale where less
    # is better); None on the last anchor, which takes every other value.
    bound: float | None
    says: str  # the values, as a reviewer reads them: "21-25", "65% or more"
    verified: bool  # checked against the published scale

    def to_wire(self) -> dict[str, object]:
        return {"rating": self.rating, "says": self.says, "verified": self.verified}


@dataclass(frozen=True)
class Scale:
    anchors: tuple[Anchor, ...]  # from rating 5 down to 1
    basis: str  # where the anchors come from, in a sentence
    less_is_better: bool = False

    def rating(self, value: float) -> int:
        for anchor in self.anchors:
            if anchor.bound is None:
                return anchor.rating
            if value <= anchor.bound if self.less_is_better else value >= anchor.bound:
                return anchor.rating
        raise AssertionError("the last anchor of a scale takes every other value")

    @property
    def verified(self) -> bool:
        return all(anchor.verified for anchor in self.anchors)

    def says(self) -> str:
        """The anchors in a line: "5 = 20 or fewer; 4 = 21-25; ...", unverified
        ones marked."""
        return "; ".join(
            f"{a.rating} = {a.says}{'' if a.verified else ' (unverified)'}" for a in self.anchors
        )


def _unverified_shares(*bounds: tuple[int, float, str], lower: str) -> tuple[Anchor, ...]:
    """Anchors on a share (0 to 1) for ratings 5 to 2, then 1 for anything lower."""
    rated = tuple(Anchor(rating, bound, says, False) for rating, bound, says in bounds)
    return (*rated, Anchor(1, None, lower, False))


UNCHECKED = "as PROTOCOL.md gives them, not checked against the published IPS Fidelity Scale"

CASELOAD_SIZE = Scale(
    (
        Anchor(5, 20, "20 or fewer", True),
        Anchor(4, 25, "21-25", True),
        Anchor(3, 30, "26-30", True),
        Anchor(2, 40, "31-40", True),
        Anchor(1, None, "41 or more", True),
    ),
    "the IPS Fidelity Scale, caseload size",
    less_is_better=True,
)
FREQUENT_EMPLOYER_CONTACT = Scale(
    (
        Anchor(5, 6, "6 or more", True),  # the weekly target of the sources
        Anchor(4, 5, "5", False),
        Anchor(3, 4, "4", False),
        Anchor(2, 2, "2-3", False),
        Anchor(1, None, "fewer than 2", False),
    ),
    "the IPS Fidelity Scale; below 5 recalled and not checked against it",
)
RAPID_JOB_SEARCH = Scale(
    (
        Anchor(5, 30, "30 days or fewer", False),
        Anchor(4, 60, "31-60 days", False),
        Anchor(3, 150, "61-150 days", False),
        Anchor(2, 270, "151-270 days", False),
        Anchor(1, None, "271 days or more", False),
    ),
    UNCHECKED,
    less_is_better=True,
)
COMMUNITY_BASED_SERVICES = Scale(
    _unverified_shares(
        (5, 0.65, "65% or more"),
        (4, 0.50, "50-64%"),
        (3, 0.40, "40-49%"),
        (2, 0.30, "30-39%"),
        lower="under 30%",
    ),
    UNCHECKED,
)
FOLLOW_ALONG = Scale(
    _unverified_shares(
        (5, 0.90, "90% or more"),
        (4, 0.80, "80-89%"),
        (3, 0.70, "70-79%"),
        (2, 0.60, "60-69%"),
        lower="under 60%",
    ),
    "chosen by IPS Field Log: neither PROTOCOL.md nor the scale gives anchors for this measure",
)
DIVERSITY = Scale(
    _unverified_shares(
        (5, 0.85, "85% or more"),
        (4, 0.70, "70-84%"),
        (3, 0.60, "60-69%"),
        (2, 0.50, "50-59%"),
        lower="under 50%",
    ),
    UNCHECKED,
)
COMPETITIVE_JOBS = Scale(
    _unverified_shares(
        (5, 0.95, "95% or more"),
        (4, 0.85, "85-94%"),
        (3, 0.75, "75-84%"),
        (2, 0.65, "65-74%"),
        lower="under 65%",
    ),
    UNCHECKED,
)
