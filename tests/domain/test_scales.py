"""The fidelity anchors as data: each holds at its edge, and each says
whether it was checked against the published scale."""

import pytest

from app.domain import ITEMS, SCALES, fidelity_rating


@pytest.mark.parametrize("item", list(ITEMS))
def test_every_anchor_holds_at_its_edge(item):
    """The bound earns the anchor's rating; just past it earns the next."""
    scale = SCALES[item]
    step = 1 if scale.less_is_better else -0.0001
    assert [a.rating for a in scale.anchors] == [5, 4, 3, 2, 1]
    for anchor, following in zip(scale.anchors, scale.anchors[1:], strict=False):
        assert anchor.bound is not None
        assert scale.rating(anchor.bound) == anchor.rating
        assert scale.rating(anchor.bound + step) == following.rating
    assert scale.anchors[-1].bound is None


def test_anchors_are_marked_verified_only_where_checked():
    def marks(item):
        return [anchor.verified for anchor in SCALES[item].anchors]

    assert marks("caseload_size") == [True] * 5
    assert marks("frequent_employer_contact") == [True, False, False, False, False]
    for item in ITEMS:
        if item not in ("caseload_size", "frequent_employer_contact"):
            assert not any(marks(item)), item
    assert "chosen by IPS Field Log" in SCALES["follow_along"].basis
    assert (
        SCALES["community_based_services"]
        .says()
        .startswith("5 = 65% or more (unverified); 4 = 50-64% (unverified)")
    )




def test_the_tallies_rating_reads_the_same_anchors():
    scale = SCALES["frequent_employer_contact"]
    for average in (0, 1.99, 2, 3.5, 4, 4.99, 5, 5.99, 6, 9):
        assert fidelity_rating(average) == scale.rating(average)
