"""The web build in a real browser: Playwright driving Debian's chromium.

Starts `main.py --web` on a free loopback port with a temporary data
directory, logs a contact through the form, reloads, unlocks, and finally
searches every file the app wrote for the words typed. Screenshots of each
screen go to test-output/screens/ (412 x 915, a large phone).
"""

from __future__ import annotations

from .browser import create_pin, expect, open_app, phone, shot, type_into
from .conftest import PIN

# Invented words that must never appear readable in the data directory.
TYPED = {"employer": "Quillfeather Bakery", "contact": "Ottoline Vance",
         "purpose": "Zyxwvut opening"}


def test_log_a_contact_reload_unlock_and_nothing_readable_on_disk(web_app, tmp_path):
    url, data_dir = web_app.url, web_app.data_dir
    outside: list[str] = []
    with phone(url, refused=outside) as page:
        open_app(page, url)
        shot(page, "01_create_pin")
        create_pin(page)
        expect(page.get_by_text("0 of 6", exact=True)).to_be_visible(timeout=10000)

        page.get_by_role("button", name="Log employer contact").click()
        type_into(page, "Employer", TYPED["employer"])
        type_into(page, "Contact person", TYPED["contact"])
        type_into(page, "Purpose", TYPED["purpose"])
        shot(page, "03_employer_contact_form")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("1 of 6", exact=True)).to_be_visible(timeout=10000)
        expect(page.get_by_text("On this phone only")).to_be_visible()
        shot(page, "02_home", tmp_path)

        page.reload()
        open_app(page, url)
        shot(page, "00_unlock")
        type_into(page, "PIN", PIN)
        page.get_by_role("button", name="Unlock").click()
        expect(page.get_by_text("1 of 6", exact=True)).to_be_visible(timeout=10000)

        for tab, name in (("History", "04_history"), ("Members", "05_members"),
                          ("Employers", "06_employers"), ("Settings", "07_settings")):
            page.get_by_role("tab", name=tab).click()
            expect(page.get_by_role("heading", name=tab)).to_be_visible(timeout=10000)
            shot(page, name)
        page.get_by_role("tab", name="Home").click()
        page.get_by_role("button", name="Log member visit").click()
        expect(page.get_by_role("button", name="Save")).to_be_visible(timeout=10000)
        shot(page, "08_member_visit_form")

    assert (tmp_path / "02_home.png").stat().st_size > 10_000
    assert all("127.0.0.1" not in u for u in outside)
    files = [f for f in data_dir.rglob("*") if f.is_file()]
    assert files, "the app wrote nothing to the data directory"
    for f in files:
        content = f.read_bytes().lower()
        for word in TYPED.values():
            for part in word.lower().split():
                assert part.encode() not in content, f"{part!r} readable in {f.name}"


def test_the_shipped_fonts_load_in_the_offline_build(web_app):
    """Symbols and emoji need fonts the offline build cannot fetch: the app ships
    them, and the browser loads them from the app itself."""
    loaded: dict[str, int] = {}
    with phone(web_app.url) as page:
        page.on("response", lambda r: loaded.__setitem__(r.url.rsplit("/", 1)[-1], r.status)
                if "/fonts/" in r.url else None)
        open_app(page, web_app.url)
        expect(page.get_by_role("button", name="Create")).to_be_visible(timeout=10000)
    assert loaded.get("DejaVuSans.ttf") == 200
    assert loaded.get("NotoColorEmoji.ttf") == 200
