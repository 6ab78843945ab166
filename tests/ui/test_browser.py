"""The web build in a real browser: Playwright driving Debian's chromium.

Starts `main.py --web` on a free loopback port with a temporary data
directory, logs a contact through the form, reloads, unlocks, and finally
searches every file the app wrote for the words typed. Screenshots of each
screen go to test-output/screens/ (412 x 915, a large phone).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screens"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PIN = "246810"
# Invented words that must never appear readable in the data directory.
TYPED = {"employer": "Quillfeather Bakery", "contact": "Ottoline Vance",
         "purpose": "Zyxwvut opening"}

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing: CI must install it (.ci/system-deps)", pytrace=False)
    pytest.skip("chromium is not installed at /usr/bin/chromium", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, data_dir: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "FLET_FORCE_WEB_SERVER": "1"}  # never open a browser window
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "main.py", "--web", "--port", str(port), "--data-dir", str(data_dir)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None:
            raise RuntimeError("main.py --web exited: " + log.read_text()[-2000:])
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("main.py --web did not listen within 30 s")


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=30000)
    # Flutter draws on a canvas; its accessibility tree is what tests can read.
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    page.wait_for_selector("flt-semantics", timeout=15000)


def type_into(page: Page, label: str, value: str) -> None:
    """Click the field first: Flutter makes its real <input> on focus."""
    page.get_by_role("textbox", name=label, exact=True).click()
    time.sleep(0.2)
    page.keyboard.type(value)


def shot(page: Page, name: str, *extra: Path) -> None:
    time.sleep(0.7)  # right after an expect() the previous frame may still show
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, *extra):
        page.screenshot(path=str(folder / f"{name}.png"))


@pytest.fixture
def server(tmp_path):
    data_dir = tmp_path / "data"
    port = free_port()
    proc = start_server(port, data_dir, tmp_path / "server.log")
    yield f"http://127.0.0.1:{port}/", data_dir
    proc.terminate()
    proc.wait(timeout=10)


def test_log_a_contact_reload_unlock_and_nothing_readable_on_disk(server, tmp_path):
    url, data_dir = server
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 412, "height": 915})

        def local_only(route):
            # Everything must come from the local server; the flet-web client
            # still asks a CDN for an optional module, which we refuse.
            if route.request.url.startswith(url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", local_only)
        open_app(page, url)
        shot(page, "01_create_pin")
        type_into(page, "PIN", PIN)
        type_into(page, "Confirm PIN", PIN)
        page.get_by_role("button", name="Create").click()
        expect(page.get_by_text("0 of 6", exact=True)).to_be_visible(timeout=10000)

        page.get_by_role("button", name="Log employer contact").click()
        type_into(page, "Employer", TYPED["employer"])
        type_into(page, "Contact person", TYPED["contact"])
        type_into(page, "Purpose", TYPED["purpose"])
        shot(page, "03_employer_contact_form")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("1 of 6", exact=True)).to_be_visible(timeout=10000)
        expect(page.get_by_text("1 waiting to sync")).to_be_visible()
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
        browser.close()

    assert (tmp_path / "02_home.png").stat().st_size > 10_000
    assert all("127.0.0.1" not in u for u in outside)
    files = [f for f in data_dir.rglob("*") if f.is_file()]
    assert files, "the app wrote nothing to the data directory"
    for f in files:
        content = f.read_bytes().lower()
        for word in TYPED.values():
            for part in word.lower().split():
                assert part.encode() not in content, f"{part!r} readable in {f.name}"
