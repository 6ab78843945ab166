"""Payers on the phone (issue 19), through the real screens: the member form's
payer and the LRS check in one tap, and the LRS item leading to the form
that meets it."""

from __future__ import annotations

from datetime import date

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
