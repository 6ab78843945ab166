"""The browser tests' shared steps: Playwright driving Debian's chromium on the
web build (started by the `web_app` fixture), as a 412 x 915 phone.

Importing this skips the importing test module when chromium is missing, and
fails it on CI (which must install it: .ci/system-deps).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import PIN, ROOT

CHROMIUM = Path("/usr/bin/chromium")
FOCUS_SETTLE = 0.15  # seconds for Flutter to attach its editing to a tapped field
SHOTS = ROOT / "test-output" / "screens"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing: CI must install it (.ci/system-deps)", pytrace=False)
    pytest.skip("chromium is not installed at /usr/bin/chromium", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402


@contextmanager
def phone(app_url: str, refused: list[str] | None = None, *,
          width: int = 412) -> Iterator[Page]:
    """A page that loads only from the app: anything else (the flet-web client
    still asks a CDN for an optional module) is refused, and noted in `refused`."""
    def local_only(route) -> None:
        if route.request.url.startswith(app_url):
            route.continue_()
        else:
            if refused is not None:
                refused.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 915})
            page.route("**/*", local_only)
            yield page
        finally:
            browser.close()


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=30000)
    # Flutter draws on a canvas; its accessibility tree is what tests can read.
    page.locator("flt-semantics-placeholder").dispatch_event("click")
    # The app's first screen (not the page's empty start) is up.
    try:
        page.wait_for_selector("[flt-semantics-identifier^='screen-']", state="attached",
                               timeout=15000)
    except PlaywrightTimeout:
        # Say which case this is: accessibility never switched on (the
        # placeholder still there, no nodes), or nodes without a screen's.
        found = page.evaluate("""() => ({
          placeholder: !!document.querySelector('flt-semantics-placeholder'),
          nodes: document.querySelectorAll('flt-semantics').length,
          identifiers: Array.from(document.querySelectorAll('[flt-semantics-identifier]'))
            .map(e => e.getAttribute('flt-semantics-identifier')).slice(0, 20)})""")
        shot(page, "open_app_failed")
        raise AssertionError(f"no screen in the accessibility tree after 15 s: {found}; "
                             f"see {SHOTS}/open_app_failed.png") from None
    time.sleep(FOCUS_SETTLE)


def type_into(page: Page, label: str, value: str) -> None:
    """Click the field first: Flutter makes its real <input> on focus."""
    page.get_by_role("textbox", name=label, exact=True).click()
    time.sleep(0.2)
    page.keyboard.type(value)


def paste(field, value: str) -> None:
    """Tap the field, then put the whole value in at once, as a paste does.

    Playwright's `fill` alone writes into the accessibility node before
    Flutter has made it the field's editing element, and Flutter then resets
    it: a harness artefact, not what a finger and a paste do. So the field is
    tapped and given a moment to take focus first; the value then goes in
    whole, and what follows (a tap at once) races it like a real paste."""
    label = field.get_attribute("aria-label", timeout=2000)
    field.click(timeout=2000)
    field.page.wait_for_function(
        "label => document.activeElement?.getAttribute('aria-label') === label", arg=label,
        timeout=2000)
    time.sleep(FOCUS_SETTLE)
    field.fill(value, timeout=2000)


def shot(page: Page, name: str, *extra: Path) -> None:
    time.sleep(0.7)  # right after an expect() the previous frame may still show
    SHOTS.mkdir(parents=True, exist_ok=True)
    for folder in (SHOTS, *extra):
        page.screenshot(path=str(folder / f"{name}.png"))


def create_pin(page: Page) -> None:
    """First run: create the PIN and wait for Home."""
    type_into(page, "PIN", PIN)
    type_into(page, "Confirm PIN", PIN)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("button", name="Log employer contact")).to_be_visible(timeout=10000)


def connect(page: Page, server_url: str, code: str, *, shot_name: str | None = None) -> None:
    """Settings -> Connect to server, as the specialist types it."""
    page.get_by_role("tab", name="Settings").click()
    page.get_by_role("button", name="Connect to server").click()
    type_into(page, "Server address", server_url)
    type_into(page, "Enrollment code", code)
    if shot_name:
        shot(page, shot_name)
    page.get_by_role("button", name="Connect", exact=True).click()
