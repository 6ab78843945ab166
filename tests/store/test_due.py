"""The due list on the phone: the domain's items over the sealed records, from
the shared table of caseloads (tests/due_cases.py), and fresh after every
change although opened records are kept while unlocked."""

from datetime import UTC, datetime

import pytest

from app.domain import due_items
from app.store import Store, StoreLockedError
from tests.conftest import PIN
from tests.due_cases import (
    CASES,
    ON,
    PAYERS,
    PAYERS_LISTED,
    SETTINGS,
    DueCase,
    days,
    job,
    settled,
    visit,
)

NOON_ON = int(datetime(2026, 11, 20, 18, tzinfo=UTC).timestamp() * 1000)  # noon in Chicago


@pytest.fixture(scope="module")
def every_case(tmp_path_factory):
    """One store holding every case's records, pulled as from the server: the
    cases share no member, so each case's items are the items of its members."""
    store = Store.create(tmp_path_factory.mktemp("due") / "store", PIN, wall_ms=lambda: NOON_ON)
    store.inbox.apply_pulled([record for case in CASES for record in case.records], None)
    store.take_payers(PAYERS_LISTED)  # as a sync takes them
    yield store
    store.close()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_store_lists_what_the_domain_lists(every_case: Store, case: DueCase):
    members = {record.id for record in case.records if record.kind == "member"}
    listed = [item for item in every_case.due_items(case.on) if item.member_id in members]
    assert listed == due_items(case.records, case.on, SETTINGS, PAYERS)
    assert [(i.member, i.rule, i.due, i.status) for i in listed] == list(case.expected)


def test_the_whole_caseload_and_today_by_default(every_case: Store):
    everything = [record for case in CASES for record in case.records]
    assert every_case.today() == ON
    assert every_case.due_items() == due_items(everything, ON, SETTINGS, PAYERS)


def test_every_change_shows_at_once_and_nothing_outlives_the_lock(store_dir):
    store = Store.create(store_dir, PIN, wall_ms=lambda: NOON_ON)
    who, made = settled("Rowan")
    # Met before the start (a visit and benefits planning): the rules after it are left.
    before = [visit(who, days(-3)), visit(who, days(-3), f2f=False, type="work_incentives")]
    store.inbox.apply_pulled([*made, *before, job(who, days(-2))], None)
    assert [i.rule for i in store.due_items()] == ["contact_after_job_start", "follow_along_weekly"]

    seen = store.put("member_visit", dict(visit(who, days(-1)).data))
    assert [(i.rule, i.due) for i in store.due_items()] == [("follow_along_weekly", days(6))]
    store.delete(seen.id)
    assert [i.rule for i in store.due_items()] == ["contact_after_job_start", "follow_along_weekly"]

    # 04:00 UTC on the 20th is the 19th in Chicago, the 20th in UTC.
    late = dict(visit(who, ON, clock="04:00:00+00:00").data)
    store.put("member_visit", late)
    assert [i.due for i in store.due_items()] == [days(6)]  # the 19th: after the start
    store.update_settings(timezone="UTC")
    assert [i.due for i in store.due_items()] == [days(7)]

    store.lock()
    assert not store._core._opened  # no record opened with the key outlives it
    with pytest.raises(StoreLockedError):
        store.due_items()
    store.unlock(PIN)
    assert [i.due for i in store.due_items()] == [days(7)]
    store.close()


def test_records_opened_are_forgotten_when_the_store_locks_itself(store_dir):
    idle = [0.0]
    store = Store.create(store_dir, PIN, wall_ms=lambda: NOON_ON, monotonic=lambda: idle[0])
    who, made = settled("Rowan")
    store.inbox.apply_pulled(made, None)
    assert store.due_items() == [] and store._core._opened
    idle[0] += store.auto_lock_seconds + 1
    with pytest.raises(StoreLockedError):
        store.due_items()
    assert not store._core._opened
    store.close()
