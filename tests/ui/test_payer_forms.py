"""Payers on the phone (issue 19), through the real screens: the member form's
payer and the LRS check in one tap, a member's authorizations on their page
with what is left of them this month, and the LRS and authorization items
leading to the form that meets them."""

from __future__ import annotations

from datetime import date, timedelta

from app.ui.forms import NO_PAYERS
from tests.due_cases import PAYERS_LISTED

from .conftest import run


def _member(store, name: str, **fields):
    return store.put("member", {"display_name": name, "program_entry": "2026-01-05",
                                "status": "active", "job_seeking": True, **fields})


def _on_screen(h, key: str) -> bool:
    """The control is there and neither it nor anything around it is hidden."""
    target = h.by_key(key)
    return all(c.visible is not False for c in h.walk(h.top_view())
               if any(inner is target for inner in h.walk(c)))


def _visit(store, who, day: date, **fields):
    data = {"occurred_at": f"{day.isoformat()}T10:00:00-06:00", "member_id": who.id,
            "type": "job_support", "face_to_face": True, "setting": "community", **fields}
    return store.put("member_visit", data)


def test_the_member_form_offers_the_payers_and_checks_lrs_in_one_tap(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        today = store.today()

        # Before the first sync: said plainly, no empty drop-down, no LRS.
        await h.tab("Members")
        await h.click("add_member")
        assert h.by_key("field:payer").value == NO_PAYERS
        assert not _on_screen(h, "field:lrs_checked_on:today")
        await h.type("field:display_name", "Ana P.")
        await h.click("save")
        (ana,) = store.list("member")
        assert "payer" not in ana.data and "lrs_checked_on" not in ana.data

        # Once the server listed its payers: a drop-down, "None" first.
        store.take_payers(PAYERS_LISTED)
        await h.click("add_member")
        payer = h.by_key("field:payer")
        assert [o.text for o in payer.options] == [
            "None", "AmeriHealth Caritas Louisiana", "Louisiana Healthcare Connections",
            "New York PROS"]
        assert not _on_screen(h, "field:lrs_checked_on:today")
        # A Louisiana payer brings the LRS check; "Checked today" is one tap.
        await h.choose("field:payer", "lhcc")
        assert _on_screen(h, "field:lrs_checked_on:today")
        await h.click("field:lrs_checked_on:today")
        assert h.by_key("field:lrs_checked_on:date").content == "Wed 18 Nov"
        await h.type("field:display_name", "Bo L.")
        await h.click("save")
        bo = next(m for m in store.list("member") if m.data["display_name"] == "Bo L.")
        assert (bo.data["payer"], bo.data["lrs_checked_on"]) == ("lhcc", today.isoformat())

        # New York: no LRS check.
        await h.click("add_member")
        await h.choose("field:payer", "ny_pros")
        assert not _on_screen(h, "field:lrs_checked_on:today")
        await h.type("field:display_name", "Cy N.")
        await h.click("save")
        cy = next(m for m in store.list("member") if m.data["display_name"] == "Cy N.")
        assert cy.data["payer"] == "ny_pros" and "lrs_checked_on" not in cy.data

        # Editing: a date already set stays shown whatever the payer; None
        # takes the payer off and keeps the rest.
        await h.click(f"member_page:{bo.id}")
        assert "Payer: Louisiana Healthcare Connections · LRS checked Wed 18 Nov" in \
            h.by_key("member_payer").value
        await h.click("member_edit")
        assert h.by_key("field:payer").value == "lhcc"
        await h.choose("field:payer", "ny_pros")
        assert _on_screen(h, "field:lrs_checked_on:today")
        await h.choose("field:payer", "-")
        await h.click("save")
        data = store.get(bo.id).data
        assert "payer" not in data and data["lrs_checked_on"] == today.isoformat()

    run(flow())


def test_the_lrs_item_leads_to_the_member_form_and_leaves_once_checked(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        store.take_payers(PAYERS_LISTED)
        # An authorization requested already: only the LRS check is due.
        dee = _member(store, "Dee L.", payer="acla")
        store.put("authorization", {"member_id": dee.id, "payer": "acla",
                                    "status": "requested"})
        r.app.nav.show()
        assert h.find(f"due:lrs_check:{dee.id}") is not None
        await h.click(f"due:lrs_check:{dee.id}")
        assert r.app.route == f"member/{dee.id}"
        assert _on_screen(h, "field:lrs_checked_on:today")
        await h.click("field:lrs_checked_on:today")
        await h.click("save")
        assert r.app.route == "home"
        assert h.find(f"due:lrs_check:{dee.id}") is None
        assert store.get(dee.id).data["lrs_checked_on"] == store.today().isoformat()

    run(flow())


def test_an_authorization_from_home_in_two_taps_leaves_home_and_the_members_page(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        store.take_payers(PAYERS_LISTED)
        eve = _member(store, "Eve A.", payer="lhcc", lrs_checked_on="2026-01-05")
        r.app.nav.show()

        # The member's page says it is due and that none is on file.
        r.app.nav.open(f"member_page/{eve.id}")
        assert h.find("member_due:authorization") is not None
        assert "Louisiana Healthcare Connections needs an authorization" in \
            h.by_key("no_authorization").value
        await h.back()

        # Home: the item, one tap to a new authorization of the member's payer,
        # Requested; Save is the second tap.
        await h.click(f"due:authorization:{eve.id}")
        assert r.app.route == f"authorization/new:{eve.id}"
        assert h.by_key("field:member_id").value == eve.id
        assert h.by_key("field:payer").value == "lhcc"
        assert [o.text for o in h.by_key("field:payer").options][0] != "None"
        assert h.by_key("field:status").selected == ["requested"]
        await h.click("save")
        assert r.app.route == "home"
        assert "Authorization saved." in h.last_snack().content.value
        assert h.find(f"due:authorization:{eve.id}") is None
        (auth,) = store.list("authorization")
        assert auth.data == {"member_id": eve.id, "payer": "lhcc", "status": "requested"}

        r.app.nav.open(f"member_page/{eve.id}")
        assert h.find("member_due:authorization") is None
        tile = h.by_key(f"authorization:{auth.id}")
        assert tile.title.value == "Requested"
        assert tile.subtitle.value == "No dates yet · No unit limit"

        # Tap to edit: approved for a span that ends in 10 days, so the
        # renewal falls due; it leads to a new authorization too.
        today = store.today()
        await h.click(f"authorization:{auth.id}")
        assert r.app.route == f"authorization/{auth.id}"
        await h.segment("field:status", "approved")
        await h.pick_date("field:start_date:date", today - timedelta(days=60))
        await h.pick_date("field:end_date:date", today + timedelta(days=10))
        await h.type("field:number", "LA-0117")
        await h.click("save")
        assert r.app.route == f"member_page/{eve.id}"
        assert h.by_key(f"authorization:{auth.id}").title.value == "Approved · No. LA-0117"
        assert h.find("member_due:authorization_renewal") is not None
        await h.click("member_due:authorization_renewal")
        assert r.app.route == f"authorization/new:{eve.id}"
        await h.click("save")
        assert r.app.route == f"member_page/{eve.id}"
        assert h.find("member_due:authorization_renewal") is None
        assert {i.rule for i in store.due_items() if i.member_id == eve.id} \
            .isdisjoint({"authorization", "authorization_renewal", "lrs_check"})

    run(flow())


def test_an_approved_authorization_without_dates_says_so_and_keeps_what_was_typed(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        store.take_payers(PAYERS_LISTED)
        fay = _member(store, "Fay B.", payer="acla", lrs_checked_on="2026-01-05")
        r.app.nav.open(f"member_page/{fay.id}")
        await h.click("add_authorization")
        await h.segment("field:status", "approved")
        await h.type("field:number", "ACLA-88")
        await h.type("field:units", "6")
        await h.type("field:notes", "Faxed on Monday")
        mark = h.mark()
        await h.click("save")
        assert "Pick the first day it covers: an approved authorization needs both dates." \
            in h.sent_since(mark)
        assert "the job" not in h.sent_since(mark)
        assert store.list("authorization") == []
        assert r.app.route == f"authorization/new:{fay.id}"
        assert h.by_key("field:status").selected == ["approved"]
        assert (h.by_key("field:number").value, h.by_key("field:units").value,
                h.by_key("field:notes").value) == ("ACLA-88", "6", "Faxed on Monday")

        # An end before the start: the end's own message.
        today = store.today()
        await h.pick_date("field:start_date:date", today)
        await h.pick_date("field:end_date:date", today - timedelta(days=1))
        mark = h.mark()
        await h.click("save")
        assert "Pick the last day it covers, on or after the first" in h.sent_since(mark)
        assert store.list("authorization") == []

        # Units that are no number: the domain's words, on the field.
        await h.pick_date("field:end_date:date", today + timedelta(days=90))
        await h.type("field:units", "six")
        await h.click("save")
        assert h.by_key("field:units").error == \
            "This must be a whole number. Correct it, then save again."
        await h.type("field:units", "6")
        await h.click("save")
        (auth,) = store.list("authorization")
        assert auth.data == {"member_id": fay.id, "payer": "acla", "status": "approved",
                             "number": "ACLA-88", "start_date": today.isoformat(),
                             "end_date": (today + timedelta(days=90)).isoformat(),
                             "units": 6, "notes": "Faxed on Monday"}

    run(flow())


def test_the_members_page_shows_the_units_left_this_month(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        store.take_payers(PAYERS_LISTED)
        gil = _member(store, "Gil U.", payer="lhcc", lrs_checked_on="2026-01-05")
        long = store.put("authorization", {
            "member_id": gil.id, "payer": "lhcc", "status": "approved", "number": "A-1",
            "start_date": "2026-09-01", "end_date": "2026-12-31", "units": 10})
        # Encounters: Oct 20, Nov 2, Nov 9 (twice: one day), Nov 16; not the
        # phone call nor the outreach attempt, nor a day before the start.
        for day in (date(2026, 8, 31), date(2026, 10, 20), date(2026, 11, 2),
                    date(2026, 11, 9), date(2026, 11, 9), date(2026, 11, 16)):
            _visit(store, gil, day)
        _visit(store, gil, date(2026, 11, 10), face_to_face=False, setting="phone")
        _visit(store, gil, date(2026, 11, 11), type="outreach_attempt")
        r.app.nav.open(f"member_page/{gil.id}")
        tile = h.by_key(f"authorization:{long.id}")
        assert tile.title.value == "Approved · No. A-1"
        assert tile.subtitle.value == "Tue 1 Sep to Thu 31 Dec · 6 of 10 units left this month"

        # A monthly bundle's units are months; one used past its units shows
        # in red how far over it is.
        hal = _member(store, "Hal M.", payer="acla", lrs_checked_on="2026-01-05")
        short = store.put("authorization", {
            "member_id": hal.id, "payer": "acla", "status": "approved",
            "start_date": "2026-09-01", "end_date": "2026-11-30", "units": 1})
        for day in (date(2026, 10, 5), date(2026, 11, 2), date(2026, 11, 3)):
            _visit(store, hal, day)
        r.app.nav.open(f"member_page/{hal.id}")
        tile = h.by_key(f"authorization:{short.id}")
        assert tile.subtitle.value == "Tue 1 Sep to Mon 30 Nov · 1 over its 1 unit this month"
        assert tile.subtitle.color == "error"

    run(flow())
