"""The forms of the rules as the policies write them (issue 17), through the
real screens: an employer contact says what it was for and who made it, a
visit keeps face to face and its setting in agreement as the user taps,
closing asks when and why, a job's end asks when the loss was learned, and
follow-along can be declined on the member's page."""

from __future__ import annotations

from datetime import timedelta

from app.domain import Record

from .conftest import run


def _member(store, name: str, **fields):
    return store.put("member", {"display_name": name, "program_entry": "2026-01-05",
                                "status": "active", "job_seeking": True, **fields})


def test_an_employer_contact_says_what_it_was_for_and_who_made_it(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        seeker, worker = _member(store, "Ana S."), _member(store, "Bo W.")
        start = (store.today() - timedelta(days=20)).isoformat()
        store.put("job", {"member_id": worker.id, "employer": "Quill Books",
                          "start_date": start})

        # Opened for a working member: job support, by default; it does not count.
        r.app.nav.open(f"member_page/{worker.id}")
        await h.click("member_log_contact")
        assert h.by_key("field:service").selected == ["job_support"]
        assert h.by_key("field:by").selected == ["specialist"]
        assert h.by_key("field:minutes").value == "15"
        await h.type("field:employer", "Quill Books")
        await h.click("save")
        support = store.list("employer_contact")[0]
        assert support.data["service"] == "job_support" and support.data["minutes"] == 15
        assert "Job support for a working member does not count" in h.last_snack().content.value
        assert store.week_tally().count == 0

        # A seeker joins: not every member listed works, so job search again;
        # once the specialist taps a choice, members no longer move it.
        r.app.nav.switch_tab("home")
        await h.click("log_contact")
        await h.fire(h.by_key(f"member:{worker.id}"), "select", True)
        assert h.by_key("field:service").selected == ["job_support"]
        await h.fire(h.by_key(f"member:{seeker.id}"), "select", True)
        assert h.by_key("field:service").selected == ["job_development"]
        await h.segment("field:service", "job_support")
        await h.fire(h.by_key(f"member:{seeker.id}"), "select", False)
        await h.fire(h.by_key(f"member:{seeker.id}"), "select", True)
        assert h.by_key("field:service").selected == ["job_support"]
        await h.segment("field:service", "job_development")

        # Made by the member alone: logged, meets the first contact, not counted.
        await h.segment("field:by", "member")
        await h.type("field:employer", "Harbor Hardware")
        await h.type("field:minutes", "")
        await h.click("save")
        alone = store.list("employer_contact")[0]
        assert alone.data["by"] == "member" and "minutes" not in alone.data
        assert "member made alone does not count" in h.last_snack().content.value
        assert store.week_tally().count == 0
        assert "first_employer_contact" not in {i.rule for i in store.due_items()
                                                if i.member_id == seeker.id}
        mark = h.mark()
        r.app.nav.switch_tab("history")
        shown = h.sent_since(mark)
        assert "Made by the member" in shown and "Job support" in shown

    run(flow())


def test_a_visit_keeps_face_to_face_and_setting_in_agreement(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        who = _member(store, "Cy V.")
        await h.click("log_visit")
        await h.choose("field:member_id", who.id)
        assert h.by_key("field:face_to_face").value is True
        await h.choose("field:setting", "phone")
        assert h.by_key("field:face_to_face").value is False
        await h.toggle("field:face_to_face", True)
        assert h.by_key("field:setting").value == "community"
        await h.toggle("field:face_to_face", False)
        assert h.by_key("field:setting").value == "phone"
        await h.choose("field:setting", "office")
        assert h.by_key("field:face_to_face").value is True
        await h.click("save")
        visit = store.list("member_visit")[0]
        assert (visit.data["face_to_face"], visit.data["setting"]) == (True, "office")

        # The next visit starts from the last setting, in agreement.
        await h.click("log_visit")
        assert h.by_key("field:setting").value == "office"
        assert h.by_key("field:face_to_face").value is True

    run(flow())


def test_a_visit_stored_face_to_face_by_phone_is_shown_and_asks_for_the_fix(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        who = _member(store, "Di O.")
        old = {"occurred_at": (r.clock.now - timedelta(days=2)).isoformat(),
               "member_id": who.id, "type": "job_support", "face_to_face": True,
               "setting": "phone", "minutes": 20}
        # As a server that took it before the rule sends it: pulled, kept, shown.
        store.inbox.apply_pulled([_wire("member_visit", old)], None)
        (visit,) = store.list("member_visit")
        r.app.nav.open(f"member_page/{who.id}")
        assert "Face to face · Phone" in h.sent_since()
        r.app.nav.open(f"member_visit/{visit.id}")
        await h.type("field:notes", "Checked in")
        await h.click("save")
        assert "not face to face" in h.by_key("field:setting:error").value
        await h.choose("field:setting", "community")
        await h.click("save")
        assert store.get(visit.id).data["setting"] == "community"

    run(flow())


def _wire(kind: str, data: dict) -> Record:
    return Record("00000000-0000-7000-8000-00000000aaaa", kind,
                  "1763820000000.00001.elsewhere", False, data)


def test_closing_asks_the_day_and_the_reason(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        who = _member(store, "Eli C.")
        r.app.nav.open(f"close_member/{who.id}")
        await h.choose("close_reason", "Moved away")
        # A day before program entry is refused on the field.
        await h.pick_date("field:closed_on:date", store.today().replace(year=2025, month=12))
        await h.click("close_confirm")
        assert "on or after program entry" in h.sent_since()
        assert store.get(who.id).data["status"] == "active"
        last_week = store.today() - timedelta(days=7)
        await h.pick_date("field:closed_on:date", last_week)
        await h.click("close_confirm")
        closed = store.get(who.id).data
        assert (closed["status"], closed["closed_on"], closed["closed_reason"]) == (
            "closed", last_week.isoformat(), "Moved away")

    run(flow())


def test_a_jobs_end_asks_when_the_loss_was_learned(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        who = _member(store, "Fay J.")
        today = store.today()
        job = store.put("job", {"member_id": who.id, "employer": "Quill Books",
                                "start_date": (today - timedelta(days=90)).isoformat()})
        r.app.nav.open(f"member_page/{who.id}")
        await h.click("member_job")
        assert "within 3 days of learning" in h.by_key("form_intro").value
        ended = today - timedelta(days=20)
        await h.pick_date("field:end_date:date", ended)
        await h.choose("field:end_reason", "laid_off")
        await h.click("save")
        data = store.get(job.id).data
        assert (data["end_date"], data["loss_learned_on"]) == (ended.isoformat(),
                                                               today.isoformat())
        loss = [i for i in store.due_items() if i.rule == "contact_after_job_loss"]
        assert [(i.due, i.status) for i in loss] == [(today + timedelta(days=3), "due")]

        # A planned last day ahead: learned of that day, not before it.
        job2 = store.put("job", {"member_id": who.id, "employer": "Harbor Hardware",
                                 "start_date": (today - timedelta(days=10)).isoformat()})
        r.app.nav.open(f"job_end/{job2.id}")
        await h.pick_date("field:end_date:date", today + timedelta(days=5))
        await h.choose("field:end_reason", "temporary_ended")
        await h.click("save")
        assert store.get(job2.id).data["loss_learned_on"] == (today + timedelta(days=5)).isoformat()

        # A job ended long ago, before the field: correcting its reason keeps
        # the loss learned on the end date, so no job-loss item comes back.
        old_end = today - timedelta(days=60)
        job3 = store.put("job", {"member_id": who.id, "employer": "Copper Kettle Diner",
                                 "start_date": (today - timedelta(days=200)).isoformat(),
                                 "end_date": old_end.isoformat(), "end_reason": "quit"})
        r.app.nav.open(f"job_end/{job3.id}")
        await h.choose("field:end_reason", "fired")
        await h.pick_date("field:end_date:date", old_end - timedelta(days=1))
        await h.click("save")
        data = store.get(job3.id).data
        assert (data["end_reason"], data["loss_learned_on"]) == ("fired", old_end.isoformat())
        assert [i.due for i in store.due_items() if i.rule == "contact_after_job_loss"] == [
            today + timedelta(days=3)]  # the first job's only

    run(flow())


def test_follow_along_can_be_declined_and_wanted_again(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        who = _member(store, "Gus F.")
        today = store.today()
        store.put("job", {"member_id": who.id, "employer": "Quill Books",
                          "start_date": (today - timedelta(days=60)).isoformat()})
        follows = lambda: {i.rule for i in store.due_items()  # noqa: E731
                           if i.rule.startswith("follow_along")}
        assert follows() == {"follow_along_monthly"}
        r.app.nav.open(f"member_page/{who.id}")
        await h.click("member_follow_along_stop")
        await h.click("keep_follow_along")
        assert "follow_along_ended_on" not in store.get(who.id).data
        await h.click("member_follow_along_stop")
        await h.click("stop_follow_along")
        assert store.get(who.id).data["follow_along_ended_on"] == today.isoformat()
        assert follows() == set()
        assert "No follow-along wanted since" in h.by_key("follow_along_ended").value
        await h.click("member_follow_along_resume")
        assert "follow_along_ended_on" not in store.get(who.id).data
        assert follows() == {"follow_along_monthly"}

    run(flow())


def test_a_member_closed_before_the_rule_can_still_be_edited(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        old = _wire("member", {"display_name": "Hal B.", "program_entry": "2025-06-02",
                               "status": "closed"})
        store.inbox.apply_pulled([old], None)
        r.app.nav.open(f"member/{old.id}")
        await h.type("field:notes", "Moved to another county")
        await h.click("save")
        data = store.get(old.id).data
        assert data["notes"] == "Moved to another county" and data["status"] == "closed"
        assert data["closed_on"] == "2025-11-22"  # the day of the record's last change
        assert data["closed_reason"].startswith("Not recorded")

    run(flow())
