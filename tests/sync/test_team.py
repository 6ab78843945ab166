"""A supervisor's phone asks the server what is due on a specialist's
caseload (the same items the specialist's phone lists from its own store),
and for the team's fidelity."""

from datetime import timedelta

from app.domain import Quarter
from sync.team import TeamClient
from tests.due_cases import job, member, profile


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
