"""A supervisor's phone asks the server what is due on a specialist's
caseload (the same items the specialist's phone lists from its own store),
for the team's fidelity, and for the month's billing worksheet."""

from datetime import timedelta

import pytest

from app.domain import Quarter
from app.domain.billing import Month
from sync.errors import RequestError
from sync.team import BILLING_MONTHS_KEPT, TeamClient
from tests.due_cases import authorization, job, member, profile, visit


def test_a_supervisor_sees_the_items_the_specialists_phone_lists(devices):
    worker = devices.enroll(devices.user("Ada Specialist"))
    boss = TeamClient(devices.enroll(devices.user("Bea Supervisor", role="supervisor")))
    today = worker.store.today()
    rowan = member("Rowan", today - timedelta(days=40), job_seeking=True)
    for record in (rowan, profile(rowan, today - timedelta(days=3), benefits="SSDI")):
        worker.store.put(record.kind, dict(record.data), id=record.id)
    # Starting tomorrow: a job started since entry would meet the first contact.
    starting = job(rowan, today + timedelta(days=1))
    worker.store.put("job", dict(starting.data))
    worker.sync()

    listed = [item.to_wire() for item in worker.store.due_items()]
    assert {item["rule"] for item in listed} >= {"first_employer_contact", "work_incentives"}
    user_id = worker.account["user"]["id"]
    assert boss.due(user_id) == {
        "user": {"id": user_id, "name": "Ada Specialist"},
        "on": today.isoformat(),
        "items": listed,
    }
    earlier = today - timedelta(days=10)
    assert boss.due(user_id, earlier)["items"] == [
        item.to_wire() for item in worker.store.due_items(earlier)
    ]
    (row,) = [r for r in boss.tallies(today).body["rows"] if r["user"]["id"] == user_id]
    statuses = [item["status"] for item in listed]
    assert row["due"] == {"overdue": statuses.count("overdue"), "due": statuses.count("due")}


def test_a_supervisor_sees_the_fidelity_of_what_the_phones_logged(devices):
    worker = devices.enroll(devices.user("Ada Specialist"))
    boss = TeamClient(devices.enroll(devices.user("Bea Supervisor", role="supervisor")))
    today = worker.store.today()
    rowan = member("Rowan", today - timedelta(days=400), job_seeking=True)
    worker.store.put("member", dict(rowan.data), id=rowan.id)
    worker.store.put("job", dict(job(rowan, today - timedelta(days=200)).data))
    worker.sync()

    now = boss.fidelity()
    assert now["quarter"] == str(Quarter.of(today)) and now["as_of"] == today.isoformat()
    assert now["outcomes"]["served"] == 1 and now["outcomes"]["worked"] == 1
    (caseload,) = now["items"][0]["records"]
    assert caseload["members"][0]["name"] == "Rowan"
    chart = boss.fidelity(str(Quarter.of(today)), quarters=5)["outcomes_by_quarter"]
    assert [q["quarter"] for q in chart] == [
        str(Quarter.of(today).shifted(-n)) for n in range(4, -1, -1)
    ]
    assert chart[-1]["employment_rate"] == 1.0
    worked = [q["worked"] for q in chart]
    assert worked[-3:] == [1, 1, 1] and worked[0] == 0  # the job started 200 days ago


def test_a_supervisor_fetches_the_months_billing_and_a_specialist_is_refused(devices):
    worker = devices.enroll(devices.user("Ada Specialist"))
    boss = TeamClient(devices.enroll(devices.user("Bea Supervisor", role="supervisor")))
    last = Month.of(worker.store.today()).previous()
    entry = last.first - timedelta(days=60)
    checked = {"lrs_checked_on": entry.isoformat()}
    ready = member("Rowan Ready", entry, payer="lhcc", **checked)
    waiting = member("Sky Waiting", entry, payer="lhcc", **checked)  # no authorization
    records = [ready, waiting, authorization(ready, "lhcc", entry, last.last + timedelta(days=90))]
    records += [visit(ready, last.first + timedelta(days=d)) for d in (1, 3, 8)]
    records += [visit(waiting, last.first + timedelta(days=2))]
    for record in records:
        worker.store.put(record.kind, dict(record.data), id=record.id)
    worker.sync()

    fetched = boss.billing(str(last))
    body = fetched.body
    assert body["month"] == str(last) and body["team"]["name"] == "Riverside"
    rows = {row["member"]: row for row in body["rows"]}
    assert rows["Rowan Ready"]["specialist"] == "Ada Specialist"
    assert rows["Rowan Ready"]["payer"] == "lhcc" and rows["Rowan Ready"]["billable"] is True
    assert rows["Rowan Ready"]["encounters"] == [
        (last.first + timedelta(days=d)).isoformat() for d in (1, 3, 8)]
    assert rows["Rowan Ready"]["lines"] == [{"code": "H2024", "modifier": None, "units": 3}]
    assert rows["Sky Waiting"]["billable"] is False
    assert rows["Sky Waiting"]["blockers"] == ["no_authorization"]
    (total,) = body["totals"]
    assert (total["payer"], total["members"], total["billable"], total["encounters"]) == (
        "lhcc", 2, 1, 4)
    # Kept sealed for offline viewing, month by month, the last few only.
    assert boss.cached_billing(str(last)) == fetched
    assert boss.cached_billing(str(last.previous())) is None
    month = last
    for _ in range(BILLING_MONTHS_KEPT):
        month = month.previous()
        boss.billing(str(month))
    assert boss.cached_billing(str(last)) is None
    assert boss.cached_billing(str(last.previous())) is not None
    # The clerk's files.
    assert boss.billing_document(str(last), "csv").startswith(b"member,specialist,payer")
    assert boss.billing_document(str(last), "pdf").startswith(b"%PDF")

    # A specialist is refused, in words that say why.
    with pytest.raises(RequestError) as refused:
        TeamClient(worker).billing(str(last))
    assert refused.value.code == "forbidden"
    assert str(refused.value) == "Only a supervisor can see the team's billing."
