"""The demo team, and eight weeks of invented history for it.

Every name here is invented. The history is made the way phones make it: each
demo specialist's records are written into a throwaway device store and
pushed by the real SyncClient to this central store, served for the while on
a free loopback port, so validation, versions and every rule apply. The
supervisor reviews two weeks through the real review call, and one specialist
then logs a late contact in a reviewed week, which the grid shows as changed
since review.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from app.domain import TeamSettings
from app.store import Store
from sync.client import SyncClient
from sync.protocol import PushStatus
from sync.team import TeamClient

from .errors import AdminError
from .store import CentralStore

TEAM = "Demo team"
SUPERVISOR = "Demo Supervisor"
WEEKS = 8  # as many as the Team grid shows
DEVICE_NAME = "Demo history"
START_TIMEOUT = 15.0  # seconds for the embedded server to listen


@dataclass(frozen=True)
class DemoSpecialist:
    name: str
    counts: tuple[int, ...]  # face-to-face employer contacts of each week, this one last
    members: tuple[str, str, str]  # one who holds a job, one whose job ended, one new
    employers: tuple[str, ...]
    job_titles: tuple[str, str]  # the jobs of the first two members


SPECIALISTS = (
    # The one the tour connects as: nothing yet this week, so its first contact reads 1 of 6.
    DemoSpecialist(
        "Demo Specialist Ada",
        (6, 7, 6, 5, 6, 8, 6, 0),
        ("Avery Example", "Blake Sample", "Casey Placeholder"),
        ("Example Bakery", "Sample Hardware", "Placeholder Print Shop", "Example Garden Centre"),
        ("Bakery assistant", "Stock clerk"),
    ),
    DemoSpecialist(
        "Demo Specialist Ben",
        (4, 3, 5, 2, 4, 3, 3, 1),
        ("Drew Example", "Emery Sample", "Finley Placeholder"),
        ("Sample Diner", "Example Books", "Placeholder Cleaners"),
        ("Line cook", "Bookshop clerk"),
    ),
    DemoSpecialist(
        "Demo Specialist Cleo",
        (5, 6, 7, 6, 4, 6, 7, 2),
        ("Gray Example", "Harper Sample", "Indy Placeholder"),
        ("Example Grocery", "Sample Pet Supplies", "Placeholder Auto Repair", "Example Cafe"),
        ("Grocery clerk", "Kennel assistant"),
    ),
)
CODES_FOR = ((SPECIALISTS[0].name, "specialist"), (SUPERVISOR, "supervisor"))
REVIEWED_WEEKS = (WEEKS - 3, WEEKS - 2)  # the two weeks before this one
# Who logs a contact late, in which week: after the review, so it reads "changed since review".
LATE = (SPECIALISTS[1], WEEKS - 2)

# Contacts fall on working days at these hours (days counted from the week's start).
SLOTS = tuple((day, hour) for day in range(5) for hour in (9, 11, 14, 16))
PEOPLE = ("Pat Example", "Jo Sample", "Sam Placeholder")
TALKS = (
    ("Introduce IPS and ask about openings", "Manager asked to meet a candidate"),
    ("Follow up on an application", "Interview set for next week"),
    ("Learn what the business needs", "Busy season starts next month"),
    ("Check in after a hire", "Supervisor is pleased so far"),
)


@dataclass(frozen=True)
class DemoReady:
    codes: list[tuple[str, str, str]]  # (role, name, enrollment code)
    history: bool  # the history was made by this call


def set_up(store: CentralStore, database_url: str, *, history: bool) -> DemoReady:
    """The demo team and users (those missing), eight weeks of history when asked
    and none of the demo specialists has a device yet, and fresh codes for the
    phones of the first specialist and the supervisor."""
    now = datetime.now(UTC)
    team = store.admin.team_named(TEAM) or store.admin.add_team(TEAM)
    weeks = _weeks(team.settings, now)
    if store.admin.user_id_named(SUPERVISOR) is None:
        store.admin.add_user(SUPERVISOR, role="supervisor", team=TEAM)
    for specialist in SPECIALISTS:
        if store.admin.user_id_named(specialist.name) is None:
            store.admin.add_user(specialist.name, role="specialist", team=TEAM, started_on=weeks[0])
    made = history and not _any_device(store)
    if made:
        with _serving(store, database_url) as url:
            _make_history(store, url, team.settings, weeks, now)
    codes = [(role, name, store.admin.make_enrollment_code(name)) for name, role in CODES_FOR]
    return DemoReady(codes, made)


def _weeks(settings: TeamSettings, now: datetime) -> list[date]:
    return settings.weeks_ending(settings.local_date(now), WEEKS)


def _any_device(store: CentralStore) -> bool:
    names = {s.name for s in SPECIALISTS}
    return any(user["devices"] for user in store.admin.list_users() if user["name"] in names)


@contextmanager
def _serving(store: CentralStore, database_url: str) -> Iterator[str]:
    """This store's HTTP API on a free loopback port, for as long as the block runs."""
    import uvicorn  # as `serve` does: only the commands that serve load the web stack

    from .app import create_app, listen
    from .settings import Settings

    sock = listen("127.0.0.1", 0)
    app = create_app(Settings(database_url=database_url), store=store)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise AdminError("The demo's own server did not start; nothing was added.")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


def _make_history(
    store: CentralStore, url: str, settings: TeamSettings, weeks: list[date], now: datetime
) -> None:
    with tempfile.TemporaryDirectory(prefix="demo-phones-") as folder, ExitStack() as phones:

        def phone(name: str) -> SyncClient:
            device = Store.create(Path(folder) / name, _pin())
            phones.callback(device.close)
            client = SyncClient(store=device)
            client.enroll(url, store.admin.make_enrollment_code(name), DEVICE_NAME)
            return client

        clients = {}
        for specialist in SPECIALISTS:
            clients[specialist.name] = client = phone(specialist.name)
            _History(client.store, specialist, settings, weeks, now).write()
            _sync(client)
        supervisor = TeamClient(phone(SUPERVISOR))
        for client in clients.values():
            assert client.account is not None
            for week in REVIEWED_WEEKS:
                supervisor.review(client.account["user"]["id"], weeks[week])
        specialist, week = LATE
        late = clients[specialist.name]
        late.store.put("employer_contact", {
            "occurred_at": _at(settings, weeks[week], 4, 17).isoformat(),
            "employer": specialist.employers[0], "face_to_face": True,
            "purpose": "Drop off a resume", "outcome": "Owner will call back",
        })
        _sync(late)


def _pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(8))


def _sync(client: SyncClient) -> None:
    """Push and pull; any change the server did not apply is a fault in this module."""
    report = client.sync()
    assert report is not None  # no other sync runs on a phone of its own
    refused = {s: n for s, n in report.pushed.items() if s != PushStatus.APPLIED}
    if refused:
        rejections = client.store.outbox.rejections()
        reasons = "; ".join(f"{r.record.kind}: {r.message}" for r in rejections)
        raise AdminError(f"The server refused demo history ({refused}): {reasons}")


def _at(settings: TeamSettings, week: date, day: int, hour: int, minute: int = 0) -> datetime:
    """Local time on the `day`-th day of the week starting `week`."""
    return datetime.combine(week + timedelta(days=day), clock(hour, minute), settings.zone)


class _History:
    """One specialist's eight weeks: members and their path to work, the employer
    directory, face-to-face contacts as in `counts` (and a phone call every
    other week, which does not count). Nothing is dated after `now`."""

    def __init__(self, store: Store, specialist: DemoSpecialist, settings: TeamSettings,
                 weeks: list[date], now: datetime) -> None:
        self.store, self.specialist, self.settings = store, specialist, settings
        self.weeks, self.now = weeks, now

    def at(self, week: int, day: int, hour: int, minute: int = 0) -> datetime:
        return _at(self.settings, self.weeks[week], day, hour, minute)

    def put(self, kind: str, data: dict[str, Any]) -> str:
        return self.store.put(kind, data).id

    def timed(self, kind: str, when: datetime, data: dict[str, Any]) -> None:
        """A contact or visit, unless it would lie in the future."""
        if when < self.now:
            self.put(kind, {"occurred_at": when.isoformat(), **data})

    def visit(self, member: str, when: datetime, kind: str, setting: str = "community",
              minutes: int = 45) -> None:
        self.timed("member_visit", when, {"member_id": member, "type": kind,
                                          "face_to_face": True, "setting": setting,
                                          "minutes": minutes})

    def write(self) -> None:
        s, w = self.specialist, self.weeks
        holder, ended, new = (
            self.put("member", {"display_name": name, "program_entry": entry.isoformat(),
                                "status": "active", "job_seeking": True})
            for name, entry in zip(s.members, (w[0] - timedelta(days=21),
                                               w[0] - timedelta(days=60), w[WEEKS - 3]),
                                   strict=True))
        self.path_to_work(holder, ended, new)
        employers = {name: self.put("employer", {"name": name}) for name in s.employers}
        for week, count in enumerate(s.counts):
            for k in range(count):
                day, hour = SLOTS[k * len(SLOTS) // count]
                name = s.employers[(week + k) % len(s.employers)]
                purpose, outcome = TALKS[(week + k) % len(TALKS)]
                members = [holder] if week < 4 else [new] if week >= WEEKS - 2 else []
                self.timed("employer_contact", self.at(week, day, hour, 30 * (k % 2)), {
                    "employer": name, "employer_id": employers[name], "face_to_face": True,
                    "contact_person": PEOPLE[k % len(PEOPLE)], "purpose": purpose,
                    "outcome": outcome, "member_ids": members if k == 0 else [],
                    "minutes": 15 + 5 * (k % 3),
                })
            if week >= 5:  # job support at the holder's new employer: logged, not counted
                name = s.employers[0]
                self.timed("employer_contact", self.at(week, 2, 11), {
                    "employer": name, "employer_id": employers[name], "face_to_face": True,
                    "service": "job_support", "member_ids": [holder], "minutes": 20,
                    "purpose": "Check in with the manager on how the new job goes"})
            if week % 2 == 0:
                name = s.employers[-1]
                self.timed("employer_contact", self.at(week, 0, 8, 30), {
                    "employer": name, "employer_id": employers[name], "face_to_face": False,
                    "purpose": "Phone call to set up a visit", "member_ids": []})

    def path_to_work(self, holder: str, ended: str, new: str) -> None:
        """Profiles, plans, jobs and weekly visits: a member who started a job in
        the fifth week, one whose job ended in the sixth, one who joined in the sixth."""
        s, w = self.specialist, self.weeks
        self.put("career_profile", {
            "member_id": holder, "completed_on": (w[0] + timedelta(days=2)).isoformat(),
            "work_goal": f"Work as a {s.job_titles[0].lower()}",
            "strengths": "Punctual, friendly with customers",
            "preferences": "Mornings, 20 hours a week", "benefits": "Receives disability benefits",
            "disclosure": "undecided"})
        self.put("employment_plan", {
            "member_id": holder, "written_on": (w[1] + timedelta(days=1)).isoformat(),
            "goal": f"A part-time job as a {s.job_titles[0].lower()}",
            "steps": [{"text": "Visit three employers together", "who": "Specialist and member",
                       "by": (w[2] + timedelta(days=4)).isoformat(), "done": True},
                      {"text": "Plan benefits with a counsellor", "who": "Member",
                       "by": (w[3] + timedelta(days=4)).isoformat(), "done": True}],
            "next_review": (w[1] + timedelta(days=91)).isoformat()})
        self.put("job", {
            "member_id": holder, "employer": s.employers[0], "title": s.job_titles[0],
            "start_date": w[4].isoformat(), "hours_per_week": 20, "competitive": True})
        self.put("career_profile", {
            "member_id": ended, "completed_on": (w[0] - timedelta(days=30)).isoformat(),
            "work_goal": "Steady daytime work", "disclosure": "yes"})
        self.put("employment_plan", {
            "member_id": ended, "written_on": (w[0] - timedelta(days=20)).isoformat(),
            "goal": "Keep a job for six months", "steps": [{"text": "Weekly check-in"}]})
        self.put("job", {
            "member_id": ended, "employer": s.employers[1], "title": s.job_titles[1],
            "start_date": (w[0] + timedelta(days=1)).isoformat(),
            "end_date": (w[5] + timedelta(days=3)).isoformat(), "end_reason": "laid_off",
            "hours_per_week": 15, "competitive": True})
        self.put("career_profile", {
            "member_id": new, "work_goal": "Something outdoors", "interests": "Gardening"})
        self.visit(holder, self.at(1, 3, 13), "work_incentives", "office", 60)
        for week in range(WEEKS):
            self.visit(holder, self.at(week, 2, 10), "job_search" if week < 4 else "job_support")
            self.visit(ended, self.at(week, 4, 11), "job_support" if week < 5 else "job_search",
                       minutes=30)
            if week >= WEEKS - 3:
                self.visit(new, self.at(week, 1, 15),
                           "engagement" if week == WEEKS - 3 else "career_profile", "office")
