"""Random offline edits on two or three phones, synced in random orders, always
converge: every phone and the server end with the same winning records, of
every kind with structure (contacts, career profiles, plans with steps, jobs
with an end reason), unknown fields included."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store import Store
from sync.client import SyncClient
from sync.server.db import records
from tests.server_harness import start_server
from tests.sizes import tries
from tests.sync.conftest import PIN

MEMBER = "0193a6f0-5c1e-7d4a-9a51-3f2b8c9e1d21"
# The records every phone edits, by the same ids: one of each kind with
# structure (a plan's steps, a job's end), and each edit one of its three
# versions (unknown fields included).
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "employer_contact": [
        {"occurred_at": "2026-11-18T10:00:00-06:00", "employer": employer, "face_to_face": True}
        for employer in ("Aster Print", "Birchwood Deli", "Cobalt Garage")
    ],
    "career_profile": [
        {"member_id": MEMBER, "work_goal": "Print work"},
        {"member_id": MEMBER, "completed_on": "2026-11-02", "benefits": "SSDI", "disclosure": "no"},
        {"member_id": MEMBER, "completed_on": "2026-11-09", "strengths": "Careful", "future": [1]},
    ],
    "employment_plan": [
        {"member_id": MEMBER, "written_on": "2026-11-10", "goal": "A job in printing"},
        {
            "member_id": MEMBER,
            "written_on": "2026-11-10",
            "goal": "A job in printing",
            "steps": [
                {"text": "Visit two print shops", "who": "Rowan", "by": "2026-11-20"},
                {"text": "Update the resume", "done": True},
            ],
            "next_review": "2027-02-10",
        },
        {
            "member_id": MEMBER,
            "written_on": "2026-11-17",
            "goal": "Part-time print work",
            "steps": [{"text": "Ask about evening shifts", "done": False}],
        },
    ],
    "job": [
        {"member_id": MEMBER, "employer": "Aster Print", "start_date": "2026-11-03"},
        {
            "member_id": MEMBER,
            "employer": "Aster Print",
            "start_date": "2026-11-03",
            "end_date": "2026-11-14",
            "end_reason": "temporary_ended",
            "hours_per_week": 12.5,
        },
        {
            "member_id": MEMBER,
            "employer": "Aster Print",
            "start_date": "2026-11-04",
            "title": "Helper",
        },
    ],
}
SLOT_KINDS = tuple(VARIANTS)

step = st.one_of(
    st.tuples(
        st.just("edit"),
        st.integers(0, 2),
        st.integers(0, len(SLOT_KINDS) - 1),
        st.integers(0, 2),
    ),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, len(SLOT_KINDS) - 1), st.none()),
    st.tuples(st.just("sync"), st.integers(0, 2), st.none(), st.none()),
)


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    directory = tmp_path_factory.mktemp("convergence")
    server = start_server(f"sqlite:///{directory / 'central.db'}", log_dir=directory)
    server.admin.add_team("Convergence")
    yield server
    server.close()


State = dict[str, tuple[bool, dict[str, Any] | None]]  # by id: deleted, data


def state_of(store: Store, slots: list[str]) -> State:
    found: State = {}
    for slot in slots:
        record = store.get(slot)
        found[slot] = (False, dict(record.data)) if record else (True, None)
    return found


def server_state(central, user_id: str, slots: list[str]) -> State:
    with central.admin.engine.connect() as conn:
        rows = conn.execute(sa.select(records).where(records.c.owner_id == user_id)).all()
    stored: State = {r.id: (True, None) if r.deleted else (False, json.loads(r.data)) for r in rows}
    return {slot: stored.get(slot, (True, None)) for slot in slots}


@settings(
    max_examples=tries(15, 4),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(phones=st.integers(2, 3), steps=st.lists(step, min_size=1, max_size=25))
def test_random_offline_edits_and_sync_orders_converge(central, tmp_path_factory, phones, steps):
    name = f"Specialist {uuid.uuid4().hex[:8]}"
    user_id = central.admin.add_user(name, role="specialist", team="Convergence")
    slots = [str(uuid.uuid4()) for _ in SLOT_KINDS]  # a record belongs to one user
    root = tmp_path_factory.mktemp("phones")
    clients = []
    for n in range(phones):
        store = Store.create(root / f"phone-{n}", PIN)
        client = SyncClient(store=store, sleep=lambda _: None)
        client.enroll(central.base_url, central.admin.make_enrollment_code(name), f"phone {n}")
        clients.append(client)
    newest: dict[str, str] = {}  # the greatest version made of each record: the winner
    try:
        for action, phone, slot, variant in steps:
            client = clients[phone % phones]
            if action == "sync":
                client.sync()
            elif action == "edit":
                kind = SLOT_KINDS[slot]
                data = VARIANTS[kind][variant]
                made = client.store.put(kind, data, id=slots[slot])
                newest[made.id] = max(newest.get(made.id, ""), made.version)
            elif client.store.get(slots[slot]) is not None:
                made = client.store.delete(slots[slot])
                newest[made.id] = max(newest.get(made.id, ""), made.version)
        for _ in range(2):  # everyone pushes, then everyone has pulled everything
            for client in clients:
                client.sync()
        with central.admin.engine.connect() as conn:
            stored = dict(
                conn.execute(
                    sa.select(records.c.id, records.c.version).where(records.c.owner_id == user_id)
                ).all()
            )
        assert stored == newest
        expected = server_state(central, user_id, slots)
        for client in clients:
            assert state_of(client.store, slots) == expected
            assert client.store.outbox.pending_count() == 0
    finally:
        for client in clients:
            client.store.close()
