"""A member's path to work through the real screens: the caseload, the
member's page, profile, plan, jobs, visits and closing, checked on the store
and on what was sent."""

from __future__ import annotations

from datetime import date, timedelta

from .conftest import run


def test_a_member_from_entry_to_a_job_and_back(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        await h.tab("Members")
        await h.click("add_member")
        await h.type("field:display_name", "Rowan Q.")
        await h.click("save")
        rowan = store.list("member")[0]
        assert rowan.data["status"] == "active" and rowan.data["job_seeking"] is True
        await h.click(f"member_page:{rowan.id}")
        assert r.app.route == f"member_page/{rowan.id}"

        # A visit logged from the member's page has the member filled in.
        await h.click("member_log_visit")
        assert h.by_key("field:member_id").value == rowan.id
        await h.choose("field:type", "career_profile")
        await h.click("save")
        assert r.app.route == f"member_page/{rowan.id}"
        assert store.list("member_visit")[0].data["member_id"] == rowan.id

        # The profile: a draft over sessions, then complete.
        await h.click("member_profile")
        await h.type("field:work_goal", "Work in a bakery, mornings")
        await h.click("save")
        profile = store.list("career_profile")[0]
        assert profile.data["member_id"] == rowan.id and "completed_on" not in profile.data
        await h.click("member_profile")
        await h.type("field:benefits", "SSDI")
        await h.toggle("field:completed_on", True)
        await h.click("save")
        profile = store.get(profile.id)
        assert profile.data["completed_on"] == store.today().isoformat()
        assert profile.data["work_goal"] == "Work in a bakery, mornings"  # kept
        assert "Career profile complete" in h.sent_since()

        # The plan, with steps; ticking a step is one tap on the member's page.
        await h.click("member_plan")
        await h.type("field:goal", "A morning job in a bakery")
        await h.click("add_step")
        await h.type("step:1:text", "Visit three bakeries")
        await h.type("step:1:who", "Rowan and Pat")
        await h.click("add_step")
        await h.type("step:2:text", "Practise the interview")
        await h.click("save")
        plan = store.list("employment_plan")[0]
        assert [s["text"] for s in plan.data["steps"]] == ["Visit three bakeries",
                                                          "Practise the interview"]
        await h.toggle("plan_step:0", True)
        assert store.get(plan.id).data["steps"][0]["done"] is True

        # A job starts, then ends; the timeline holds it all.
        await h.click("member_job")
        await h.type("field:employer", "Example Bakery")
        await h.type("field:title", "Baker's assistant")
        await h.type("field:hours_per_week", "22,5")
        await h.click("save")
        job = store.list("job")[0]
        assert job.data["hours_per_week"] == 22.5 and job.data["competitive"] is True
        assert h.by_key("member_job").content == "End job"
        await h.click("member_job")
        await h.choose("field:end_reason", "quit")
        await h.click("save")
        job = store.get(job.id)
        assert job.data["end_date"] == store.today().isoformat()
        assert job.data["title"] == "Baker's assistant"  # the end form kept the rest
        sent = h.sent_since()
        assert "Started at Example Bakery as Baker's assistant" in sent
        assert "Left Example Bakery" in sent

        # Back many times: member's page, Members, Home.
        await h.back()
        assert r.app.route == "members"
        await h.back()
        assert r.app.route == "home"

    run(flow())


def test_closing_asks_why_and_shows_outreach_attempts(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        ike = store.put("member", {"display_name": "Ike P.", "program_entry": "2026-09-01",
                                   "status": "active", "job_seeking": True})
        for days in (9, 5, 2):
            when = (r.clock.now - timedelta(days=days)).isoformat()
            store.put("member_visit", {"occurred_at": when, "member_id": ike.id,
                                       "type": "outreach_attempt", "face_to_face": False,
                                       "setting": "phone"})
        r.app.nav.open(f"member_page/{ike.id}")
        await h.click("member_close")
        assert "were outreach attempts" in h.by_key("outreach_attempts").value
        assert "never closed for missed appointments" in h.sent_since()
        await h.click("close_confirm")
        assert h.by_key("close_reason:error").value == "Choose why services end."
        assert store.get(ike.id).data["status"] == "active"
        await h.choose("close_reason", "Moved away")
        await h.click("close_confirm")
        closed = store.get(ike.id)
        assert closed.data["status"] == "closed" and closed.data["closed_reason"] == "Moved away"
        assert r.app.route == f"member_page/{ike.id}"
        await h.click("member_reopen")
        assert store.get(ike.id).data["status"] == "active"
        assert "closed_reason" not in store.get(ike.id).data

    run(flow())


def test_the_caseload_filter(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        for name, status, seeking in (("Ana", "active", True), ("Bea", "active", False),
                                      ("Cy", "closed", True)):
            closing = {"closed_on": "2026-10-01", "closed_reason": "Moved away"} \
                if status == "closed" else {}
            store.put("member", {"display_name": name, "program_entry": "2026-09-01",
                                 "status": status, "job_seeking": seeking, **closing})
        ids = {m.data["display_name"]: m.id for m in store.list("member")}
        await h.tab("Members")
        assert h.by_key("caseload").value == "2 active · limit 20"
        shown = lambda: {n for n, i in ids.items() if h.find(f"member_page:{i}")}  # noqa: E731
        assert shown() == {"Ana", "Bea"}
        for choice, names in (("seeking", {"Ana"}), ("closed", {"Cy"}),
                              ("all", {"Ana", "Bea", "Cy"})):
            control = h.by_key("caseload_filter")
            h.session.apply_patch(control._i, {"selected": [choice]})
            await h.fire(control, "change", [choice])
            assert shown() == names

    run(flow())


def test_due_items_appear_on_home_and_go_as_the_work_is_logged(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        today = store.today()
        assert h.find("nothing_due") is not None
        entered = (today - timedelta(days=31)).isoformat()
        maria = store.put("member", {"display_name": "Maria T.", "program_entry": entered,
                                     "status": "active", "job_seeking": True})
        r.app.nav.show()
        overdue = h.by_key(f"due:career_profile:{maria.id}")
        assert overdue.subtitle.value.startswith("Was due")
        assert overdue.subtitle.color == "error"
        assert h.find(f"due:first_employer_contact:{maria.id}") is not None

        # A face-to-face contact for her meets the first-contact rule.
        await h.click(f"due:first_employer_contact:{maria.id}")
        assert r.app.route == f"member_page/{maria.id}"
        assert h.find("member_due:first_employer_contact") is not None
        await h.click("member_log_contact")
        await h.type("field:employer", "Example Bakery")
        await h.click("save")
        assert h.find("member_due:first_employer_contact") is None

        # A job starting today: see her within 3 days; a visit today meets it.
        await h.click("member_job")
        await h.type("field:employer", "Example Bakery")
        await h.click("save")
        assert h.find("member_due:contact_after_job_start") is not None
        await h.click("member_log_visit")
        await h.click("save")
        assert h.find("member_due:contact_after_job_start") is None
        await h.back()
        assert r.app.route == "home"
        r.app.nav.switch_tab("members")
        assert "Working at Example Bakery since" in h.sent_since()

    run(flow())


def test_a_date_more_than_a_year_back_is_asked_about_once(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await h.tab("Members")
        await h.click("add_member")
        await h.type("field:display_name", "Rowan Q.")
        await h.pick_date("field:program_entry:date", date(2000, 11, 18))
        mark = h.mark()
        await h.click("save")
        assert "That is 26 years ago: is the year right?" in h.sent_since(mark)
        assert "Program entry date: Sat 18 Nov 2000." in h.sent_since(mark)
        assert r.app.store.count("member") == 0
        await h.click("change_date")
        await h.pick_date("field:program_entry:date", date(2025, 11, 18))
        await h.click("save")  # a year to the day is not "more than a year"
        assert r.app.store.count("member") == 1
        member = r.app.store.list("member")[0]
        await h.click(f"member_page:{member.id}")
        await h.click("member_edit")
        await h.pick_date("field:program_entry:date", date(2024, 2, 1))
        await h.click("save")
        yes = h.by_key("year_right")
        await h.click("year_right")
        assert r.app.store.get(member.id).data["program_entry"] == "2024-02-01"
        assert r.app.route == f"member_page/{member.id}"
        await h.fire(yes, "click")  # a second tap while the question fades: nothing more
        assert r.app.route == f"member_page/{member.id}"
        await h.click("member_edit")
        await h.type("field:display_name", "Rowan Quill")
        await h.click("save")  # the date is as stored: nothing to ask
        assert r.app.store.get(member.id).data["display_name"] == "Rowan Quill"

    run(flow())
