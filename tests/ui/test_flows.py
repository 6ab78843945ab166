"""The specialist's flows through the real views, checked on what was sent."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from app.store import Store, StoreErasedError, WrongPinError

from .conftest import PIN, run


def test_first_run_log_edit_delete_and_undo(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        assert r.app.route == "setup"
        await r.create_pin()
        assert r.app.route == "home"
        assert "0 of 6" in h.sent_since()

        mark = h.mark()
        await r.log_contact("Riverside Hardware")
        assert r.app.route == "home"
        sent = h.sent_since(mark)
        assert "1 of 6" in sent
        assert "Contact saved. This week: 1 of 6." in sent
        # Never connected: the records are on this phone only, and it says so.
        assert "On this phone only" in sent and "All synced" not in sent

        # A phone call is logged but does not count.
        mark = h.mark()
        await r.log_contact("Lakeside Diner", face_to_face=False)
        sent = h.sent_since(mark)
        assert "1 of 6" in sent and "2 of 6" not in sent
        assert "do not count toward the target" in sent

        # The new-contact form starts empty and offers the employers met last,
        # the latest first.
        await h.click("log_contact")
        assert h.by_key("field:employer").value == ""
        assert h.by_key("suggest:0").label.value == "Lakeside Diner"
        assert h.by_key("suggest:1").label.value == "Riverside Hardware"
        mark = h.mark()
        await h.type("field:employer", "ri")
        assert "Riverside Hardware" in h.sent_since(mark)
        # Back on a form holding what was typed asks first.
        await h.back()
        assert r.app.route == "employer_contact"
        assert "Discard this employer contact?" in h.sent_since(mark)
        await h.back()  # asking already: one question, not two
        stale = h.by_key("discard")
        await h.click("keep_editing")
        assert r.app.route == "employer_contact"
        await h.fire(stale, "click")  # a second tap while the question fades: nothing
        assert r.app.route == "employer_contact"
        assert h.by_key("field:employer").value == "ri"
        await h.back()
        await h.click("discard")
        assert r.app.route == "home"
        # A form left as it was opened goes back at once.
        await h.click("log_contact")
        await h.back()
        assert r.app.route == "home"
        # The browser's Back button is the app's Back, and never leaves the app.
        await h.tab("Settings")
        await h.click("connect_to_server")
        await h.type("server_address", "http://127.0.0.1:9")
        await h.browser_back()
        assert r.app.route == "connect"  # asks first
        await h.click("discard")
        assert r.app.route == "settings"
        for _ in range(3):
            await h.browser_back()
            assert r.app.route == "home"
        # Backs faster than the app puts its entries back: each still counts.
        await h.tab("Settings")
        await h.click("connect_to_server")
        await h.browser_back(times=2)
        assert r.app.route == "home"
        await h.browser_back(times=3)
        assert r.app.route == "home"

        # Edit the phone contact into a face-to-face one, from History.
        await h.tab("History")
        phone = r.app.store.list("employer_contact")[0]
        assert phone.data["employer"] == "Lakeside Diner"
        await h.click(f"open:{phone.id}")
        assert r.app.route == f"employer_contact/{phone.id}"
        await h.toggle("field:face_to_face", True)
        await h.type("field:purpose", "Ask about kitchen openings")
        mark = h.mark()
        await h.click("save")
        assert r.app.route == "history"
        sent = h.sent_since(mark)
        assert "Ask about kitchen openings" in sent
        assert "2 of 6" in sent  # the week heading

        # Delete it, undo, delete again.
        await h.click(f"delete:{phone.id}")
        assert r.app.store.week_tally(r.clock.now).count == 1
        mark = h.mark()
        assert h.last_snack().content.value == "Deleted."
        await h.fire(h.last_snack(), "action")
        assert "2 of 6" in h.sent_since(mark)
        await h.click(f"delete:{phone.id}")
        first = r.app.store.list("employer_contact")[0]
        await h.click(f"delete:{first.id}")

        mark = h.mark()
        await h.tab("Home")
        assert "0 of 6" in h.sent_since(mark)

    run(flow())


def test_one_view_for_the_whole_session_and_back_any_number_of_times(start_app):
    """Flet's client animates a different View coming on top for 300 ms, and
    mixing Views with content swaps once froze the second Back: the app keeps
    one View, whose content changes, and its own back stack."""
    async def flow():
        r = await start_app()
        h = r.harness
        view = h.top_view()
        await r.create_pin()
        for _ in range(3):
            await h.click("log_contact")
            assert r.app.route == "employer_contact"
            await h.back()  # the phone's gesture
            assert r.app.route == "home"
            await h.click("open_sync")
            await h.click("back")  # the app bar's arrow
            assert r.app.route == "home"
        await h.click("log_contact")
        await h.type("field:employer", "Riverside Hardware")
        await h.click("save")
        assert r.app.route == "home" and h.by_key("tally").value == "1 of 6"

        # Tabs, a record opened from History, Back, Back: home, and Home stays.
        await h.tab("History")
        contact = r.app.store.list("employer_contact")[0]
        await h.click(f"open:{contact.id}")
        assert r.app.nav.stack == ["home", "history", f"employer_contact/{contact.id}"]
        await h.back()
        assert r.app.route == "history"
        for _ in range(5):
            await h.back()
            assert r.app.route == "home"
        assert h.page.views == [view]
        assert h.find("back") is None  # Home has no back arrow

    run(flow())


def test_wrong_pin_says_tries_left_then_unlocks(start_app, tmp_path):
    Store.create(tmp_path / "data", PIN).close()

    async def flow():
        r = await start_app()
        h = r.harness
        assert r.app.route == "lock"
        mark = h.mark()
        await h.type("pin", "111111")
        await h.submit("pin")
        assert "Wrong PIN. Check it and try again: 9 tries left" in h.sent_since(mark)
        await h.type("pin", PIN)
        await h.click("unlock")
        assert r.app.route == "home"

    run(flow())


def test_lockout_explains_the_erase_and_offers_a_new_pin(start_app, tmp_path):
    Store.create(tmp_path / "data", PIN).close()

    async def flow():
        r = await start_app()
        h = r.harness
        for _ in range(10):
            await h.type("pin", "111111")
            await h.click("unlock")
        assert r.app.route == "erased"
        assert "data on this device was erased after 10 wrong PINs" in h.sent_since()
        await h.click("new_pin")
        assert r.app.route == "setup"
        await r.create_pin()
        assert r.app.route == "home"

    run(flow())


def test_a_fresh_session_after_an_erase_starts_at_the_explanation(start_app, tmp_path):
    Store.create(tmp_path / "data", PIN).close()
    for _ in range(10):
        with contextlib.suppress(WrongPinError, StoreErasedError):
            Store.open(tmp_path / "data", "999999")

    async def flow():
        r = await start_app()
        assert r.app.route == "erased"

    run(flow())


def test_auto_lock_returns_to_the_pin_and_back(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await h.click("log_contact")
        r.clock.seconds += 200
        await h.type("field:notes", "typing counts as use")
        r.clock.seconds += 200
        r.app.check_idle()
        assert r.app.route.startswith("employer_contact")  # 200 s since typing

        r.clock.seconds += 301
        mark = h.mark()
        r.app.check_idle()
        assert r.app.route == "lock"
        assert "Locked after 5 minutes without use" in h.sent_since(mark)
        assert r.app.gate.store.locked

        await h.type("pin", PIN)
        await h.click("unlock")
        assert r.app.route == "employer_contact"

    run(flow())


def test_store_lock_behind_the_screen_shows_the_pin(start_app):
    """The store locks itself too; a tap after that shows the PIN screen."""

    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        r.clock.seconds += 10_000
        await h.click("log_contact")
        assert r.app.route == "lock"
        assert "locked itself to protect the data" in h.sent_since()

    run(flow())


def test_validation_messages_on_the_fields(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await h.type("pin", "123")
        await h.type("confirm_pin", "123")
        await h.click("create")
        assert "The PIN is 3 digits; use at least 6. Choose another." in h.sent_since()
        await h.type("pin", PIN)
        await h.type("confirm_pin", "246811")
        await h.click("create")
        assert "The two PINs differ" in h.sent_since()
        await r.create_pin()

        await h.click("log_contact")
        await h.type("field:employer", "   ")
        mark = h.mark()
        await h.click("save")
        assert h.by_key("field:employer").error.startswith("Enter the employer you met")
        assert "Enter the employer you met, or tap a suggestion below." in h.sent_since(mark)
        assert r.app.store.count("employer_contact") == 0

        r.app.nav.open("member_visit")
        mark = h.mark()
        await h.type("field:minutes", "forty")
        await h.click("save")
        sent = h.sent_since(mark)
        assert "Enter minutes as a whole number" in sent

    run(flow())


def test_members_visits_and_employers(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await h.tab("Members")
        await h.click("add_member")
        await h.type("field:display_name", "Sam R.")
        mark = h.mark()
        await h.click("save")
        assert r.app.route == "members"
        assert "1 active · limit 20" in h.sent_since(mark)

        await h.tab("Employers")
        await h.click("add_employer")
        await h.type("field:name", "Northside Grocery")
        await h.click("save")
        assert "Northside Grocery" in h.sent_since(mark)

        member = r.app.store.list("member")[0]
        await h.tab("Home")
        await h.click("log_visit")
        await h.choose("field:member_id", member.id)
        await h.type("field:minutes", "45")
        await h.click("save")
        visit = r.app.store.list("member_visit")[0]
        assert visit.data["member_id"] == member.id and visit.data["minutes"] == 45

        # A contact for the member, at a directory employer, links both.
        await h.click("log_contact")
        await h.type("field:employer", "northside grocery")
        await h.fire(h.by_key(f"member:{member.id}"), "select", True)
        await h.click("save")
        contact = r.app.store.list("employer_contact")[0]
        assert contact.data["member_ids"] == [member.id]
        assert contact.data["employer_id"] == r.app.store.list("employer")[0].id

        r.app.nav.switch_tab("history")
        assert "Sam R.: Job search" in h.sent_since(mark)

    run(flow())


def test_settings_change_target_pin_and_reject_bad_zone(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await h.tab("Settings")
        await h.type("timezone", "Mars/Olympus")
        await h.click("save_team")
        assert "Enter a time zone like America/Chicago" in h.sent_since()
        await h.type("timezone", "America/New_York")
        await h.type("contact_target", "4")
        await h.click("save_team")
        assert r.app.store.settings.contact_target == 4
        mark = h.mark()
        await h.tab("Home")
        assert "0 of 4" in h.sent_since(mark)

        await h.tab("Settings")
        await h.type("old_pin", "999999")
        await h.type("new_pin", "135790")
        await h.type("confirm_new_pin", "135790")
        await h.click("change_pin")
        assert "That is not the current PIN" in h.sent_since()
        await h.type("old_pin", PIN)
        await h.click("change_pin")
        assert "PIN changed" in h.sent_since()
        await h.click("lock_now")
        await h.type("pin", "135790")
        await h.click("unlock")
        assert r.app.route == "settings"

    run(flow())


def test_a_reload_asks_for_the_pin_again(start_app):
    """A browser reload reconnects to the same session: it must not stay open."""

    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await h.fire(h.page, "disconnect")
        assert r.app.gate.store.locked
        await h.fire(h.page, "connect")
        assert r.app.route == "lock"

    run(flow())


def test_values_that_reach_the_app_just_after_the_tap_are_used(start_app):
    """A paste or a password manager fills a field just before the tap; the web
    client can deliver that value after the tap itself. The form acts on it."""
    async def late(h, key: str, value: str, tap: str) -> None:
        tapped = asyncio.create_task(h.click(tap))
        await asyncio.sleep(0.05)
        h.session.apply_patch(h.by_key(key)._i, {"value": value})
        await tapped

    async def flow():
        r = await start_app()
        h = r.harness
        await h.type("pin", PIN)
        await late(h, "confirm_pin", PIN, "create")
        assert r.app.route == "home"

        await h.click("log_contact")
        await late(h, "field:employer", "Quillfeather Bakery", "save")
        assert r.app.route == "home"
        assert r.app.store.list("employer_contact")[0].data["employer"] == "Quillfeather Bakery"

        r.app.lock()
        await late(h, "pin", PIN, "unlock")
        assert r.app.route == "home"

    run(flow())


def test_every_bad_field_shows_at_once_and_each_message_goes_when_fixed(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await h.click("log_visit")
        await h.type("field:minutes", "forty")
        await h.click("save")
        assert h.by_key("field:member_id:error").value.startswith("Choose the member")
        # A screen reader hears the field, that nothing is chosen, and the error.
        assert "'label': 'Member: none chosen. Choose the member." in h.sent_since()
        assert h.by_key("field:minutes").error.startswith("Enter minutes as a whole number")

        mark = h.mark()
        await h.type("field:minutes", "45")  # fixed: its message goes before any Save
        assert h.by_key("field:minutes").error is None
        assert h.by_key("field:member_id:error").visible
        assert "'error', None" in h.sent_since(mark)
        assert r.app.store.count("member_visit") == 0

    run(flow())


def test_a_contact_cannot_be_dated_in_the_future(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await h.click("log_contact")
        await h.type("field:employer", "Quillfeather Bakery")
        await h.pick_date("field:occurred_at:date", (r.clock.now + timedelta(days=2)))
        await h.click("save")
        assert h.by_key("field:occurred_at:date") is not None
        assert "This is in the future" in h.sent_since()
        assert r.app.route == "employer_contact"
        assert r.app.store.count("employer_contact") == 0

    run(flow())


def test_the_last_employer_is_one_tap_away_and_can_be_cleared(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await r.log_contact("Sunrise Bakery")
        await h.click("log_contact")
        employer = h.by_key("field:employer")
        assert employer.value == ""
        await h.fire(employer, "focus")
        await h.click("suggest:0")
        assert employer.value == "Sunrise Bakery"
        assert h.find("suggest:0") is None  # the field says it already
        await h.click("clear_employer")
        assert employer.value == ""
        assert h.by_key("suggest:0").label.value == "Sunrise Bakery"  # offered again

    run(flow())


def test_history_says_who_a_contact_was_for_and_can_be_searched(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        store = r.app.store
        rowan = store.put("member", {"display_name": "Rowan Q.", "program_entry": "2026-09-01",
                                     "status": "active"})
        store.put("employer_contact", {"occurred_at": "2026-11-17T10:00:00-06:00",
                                       "employer": "Bluebird Print Shop", "face_to_face": True,
                                       "contact_person": "Pat Lee", "member_ids": [rowan.id]})
        store.put("member_visit", {"occurred_at": "2026-11-16T09:00:00-06:00",
                                   "member_id": rowan.id, "type": "job_search",
                                   "face_to_face": True, "setting": "community"})
        mark = h.mark()
        await h.tab("History")
        sent = h.sent_since(mark)
        assert "Pat Lee · For Rowan Q." in sent
        assert "Week of Mon 16 Nov · 1 of 6 · 2 not yet synced" in sent
        # The delete button has its own name; the row's name is the record's.
        contact = store.list("employer_contact")[0]
        assert h.by_key(f"delete:{contact.id}").tooltip == "Delete Bluebird Print Shop"

        await h.type("history_search", "pat")
        assert h.find(f"open:{contact.id}") is not None
        assert h.find(f"open:{store.list('member_visit')[0].id}") is None
        await h.type("history_search", "")
        kinds = h.by_key("history_kind")
        h.session.apply_patch(kinds._i, {"selected": ["member_visit"]})
        await h.fire(kinds, "change", ["member_visit"])
        assert h.find(f"open:{contact.id}") is None
        assert h.find(f"open:{store.list('member_visit')[0].id}") is not None

    run(flow())


def test_saving_a_contact_of_an_earlier_week_names_that_week(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await h.click("log_contact")
        await h.type("field:employer", "Quillfeather Bakery")
        await h.pick_date("field:occurred_at:date", r.clock.now - timedelta(days=7))
        mark = h.mark()
        await h.click("save")
        assert "Contact saved. Week of Mon 9 Nov: 1 of 6." in h.sent_since(mark)
        assert h.by_key("tally").value == "0 of 6"  # this week did not change

    run(flow())


def test_employers_met_join_the_directory_and_duplicates_merge(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await r.log_contact("Sunrise Bakery")
        await r.log_contact("Sunrise Bakery Inc")
        await r.log_contact("sunrise bakery")  # the same entry, in any case
        store = r.app.store
        names = sorted(e.data["name"] for e in store.list("employer"))
        assert names == ["Sunrise Bakery", "Sunrise Bakery Inc"]
        mark = h.mark()
        await h.tab("Employers")
        assert "Met 2 times" in h.sent_since(mark)

        duplicate = next(e for e in store.list("employer") if e.data["name"].endswith("Inc"))
        keep = next(e for e in store.list("employer") if e.id != duplicate.id)
        await h.click(f"open:{duplicate.id}")
        # An entry's page lists its contacts (tap one to open it), and merges.
        assert h.by_key("employer_contacts").value == "Contacts (1)"
        contact = next(c for c in store.list("employer_contact")
                       if c.data["employer"] == "Sunrise Bakery Inc")
        await h.click(f"employer_contact:{contact.id}")
        assert r.app.route == f"employer_contact/{contact.id}"
        await h.back()
        await h.click("merge")
        await h.click(f"merge_into:{keep.id}")
        mark = h.mark()
        await h.click("merge_confirm")
        assert "Merged: 1 contact now name Sunrise Bakery." in h.sent_since(mark)
        assert r.app.route == "employers"
        assert [e.data["name"] for e in store.list("employer")] == ["Sunrise Bakery"]
        assert {c.data["employer_id"] for c in store.list("employer_contact")} == {keep.id}

    run(flow())


def test_the_pin_can_be_shown_by_a_named_button(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        assert h.by_key("reveal:pin").tooltip == "Show PIN"
        await h.click("reveal:pin")
        assert h.by_key("pin").password is False
        assert h.by_key("reveal:pin").tooltip == "Hide PIN"
        await h.click("reveal:pin")
        assert h.by_key("pin").password is True

    run(flow())


def test_a_form_left_half_typed_comes_back_after_the_app_locks_itself(start_app):
    async def flow():
        r = await start_app()
        h = r.harness
        await r.create_pin()
        await h.click("log_contact")
        await h.type("field:employer", "Half Typed Bakery")
        await h.type("field:purpose", "Ask about the early shift")
        r.app.lock("Locked after 5 minutes without use, to protect the data.")
        assert r.app.route == "lock"
        assert h.find("field:employer") is None  # nothing of the form shows while locked
        await h.type("pin", PIN)
        await h.click("unlock")
        assert r.app.route == "employer_contact"
        assert h.by_key("field:employer").value == "Half Typed Bakery"
        assert h.by_key("field:purpose").value == "Ask about the early shift"
        await h.click("save")
        assert r.app.route == "home"
        (saved,) = r.app.store.list("employer_contact")
        assert saved.data["purpose"] == "Ask about the early shift"
        # A form with nothing typed is built afresh, as before.
        await h.click("log_contact")
        r.app.lock()
        await h.type("pin", PIN)
        await h.click("unlock")
        assert r.app.route == "employer_contact"
        assert h.by_key("field:employer").value == ""

    run(flow())
