"""In a real browser: a seeded random walk of 300+ taps over every screen of a
specialist, Back included (the app bar's arrow, many times in a row). After
every tap a screen must show within 2 s, and Back must show the screen the
walk came from. The figures (taps, slowest step) are printed."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .browser import expect, open_app, paste, phone, shot
from .conftest import PIN
from .test_walk import seed_records
from .walk import ADDRESSES, TYPED

TAPS = 320
# Taps missed and tried again change which choices the seed makes, so a walk
# may need more taps to reach every screen; it goes on until it has, up to this.
MAX_TAPS = 2 * TAPS
STEP_LIMIT = 2.0  # seconds from a tap to its screen
SAME_SCREEN_AFTER = 0.5  # a tap that changed no screen by then stayed on it
SCREEN = "[flt-semantics-identifier^='screen-']"
DIALOG = "[role=dialog], [role=alertdialog]"
TAB_SCREENS = {"Home": "home", "History": "history", "Members": "members",
               "Employers": "employers", "Settings": "settings"}
EVERY_SCREEN = {*TAB_SCREENS.values(), "sync", "connect", "employer_contact", "member_visit",
                "member", "employer"}
SHORT_TEXTS = [t for t in TYPED if len(t) < 200]
# Marks what can be tapped or typed into now and lists it: (mark, kind, label).
CANDIDATES = """() => {
  const found = [];
  let n = 0;
  for (const e of document.querySelectorAll(
      "flt-semantics[role=button], flt-semantics[role=tab], input, textarea")) {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const kind = e.tagName === "INPUT" || e.tagName === "TEXTAREA" ? "textbox"
      : e.getAttribute("role");
    e.setAttribute("data-walk", String(++n));
    found.push([String(n), kind, e.getAttribute("aria-label") || e.textContent || ""]);
  }
  return found;
}"""


def shown_screen(page, timeout: float = STEP_LIMIT) -> str | None:
    """The screen on show (its identifier) or "dialog" while a picker covers it,
    waiting up to `timeout` for one."""
    deadline = time.monotonic() + timeout
    while True:
        if page.locator(DIALOG).count():
            return "dialog"
        found = page.locator(SCREEN)
        if found.count():
            return found.first.get_attribute("flt-semantics-identifier").removeprefix("screen-")
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.03)


def screen_after_tap(page, before: str) -> tuple[str | None, float]:
    """The screen a tap led to and how long it took: a new screen as soon as it
    shows, or the same one when nothing changed for a while."""
    began = time.monotonic()
    while True:
        now = shown_screen(page)
        took = time.monotonic() - began
        if now != before or took > SAME_SCREEN_AFTER:
            return now, took
        time.sleep(0.05)


def wait_for(page, name: str) -> float:
    """Seconds until screen `name` shows; fails past the limit."""
    began = time.monotonic()
    expect(page.locator(f"[flt-semantics-identifier='screen-{name}']")).to_be_attached(
        timeout=STEP_LIMIT * 1000)
    return time.monotonic() - began


def target(page, mark: str, kind: str, label: str):
    """The candidate again: by role and name when it has one (a screen that
    redraws itself replaces its nodes), else by the mark just set."""
    if label and kind != "textbox":
        return page.get_by_role(kind, name=label, exact=True).first
    return page.locator(f"[data-walk='{mark}']")


@dataclass
class BrowserWalk:
    page: object
    rng: random.Random
    trail: list[str] = field(default_factory=lambda: ["home"])  # what Back must show
    backs: int = 0

    def step(self, here: str) -> tuple[float, str]:
        """One tap (or typing) on screen `here`: (seconds to its screen, what it was)."""
        page, rng = self.page, self.rng
        if here == "dialog" and page.get_by_role("button", name="Discard", exact=True).count():
            # "Discard this ...?" after a Back (it showed after the Back's own wait).
            began = time.monotonic()
            if self._answer_discard() == "Discard":
                self.trail = self.trail[:-1] or self.trail
            shown_screen(page)
            return time.monotonic() - began, "answered discard"
        if here == "dialog":  # a date or time picker: pick, or leave it, as a user would
            began = time.monotonic()
            buttons = page.locator(", ".join(f"{d} flt-semantics[role=button]"
                                             for d in DIALOG.split(", ")))
            count = buttons.count()
            if rng.random() < 0.5 and count:
                buttons.nth(rng.randrange(count)).click(timeout=2000)
            else:
                page.keyboard.press("Escape")
            shown_screen(page)
            return time.monotonic() - began, "picker"
        self.trail[-1:] = [here]
        offered = page.evaluate(CANDIDATES)
        by_kind = {kind: [c for c in offered if c[1] == kind]
                   for kind in ("button", "tab", "textbox")}
        choice = rng.random()
        began = time.monotonic()
        if choice < 0.25 and any(c[2] == "Back" for c in by_kind["button"]):
            page.get_by_role("button", name="Back", exact=True).click(timeout=2000)
            expected = self.trail[-2] if len(self.trail) > 1 else self.trail[-1]
            answer = ""
            if screen_after_tap(page, here)[0] == "dialog":
                # A form holding what was typed asks first: either answer.
                answer = self._answer_discard()
                if answer == "Keep editing":
                    expected = here
            took = wait_for(page, expected)
            if expected != here or answer == "":
                self.trail = self.trail[:-1] or self.trail
            self.backs += 1
            return took, f"Back to {expected}{f' ({answer})' if answer else ''}"
        if choice < 0.45 and by_kind["tab"]:
            mark, _, label = rng.choice(by_kind["tab"])
            target(page, mark, "tab", label).click(timeout=2000)
            tab = TAB_SCREENS.get(label.split("\n")[0].strip(), "home")
            took = wait_for(page, tab)
            self.trail = ["home"] if tab == "home" else ["home", tab]
            return took, f"tab {tab}"
        if choice < 0.6 and by_kind["textbox"]:
            mark, _, label = rng.choice(by_kind["textbox"])
            paste(target(page, mark, "textbox", label),
                  rng.choice(ADDRESSES if label == "Server address" else SHORT_TEXTS))
            return time.monotonic() - began, f"type into {label}"
        if not by_kind["button"]:  # caught between two screens: look again
            raise PlaywrightTimeout("nothing to tap yet")
        mark, _, label = rng.choice(by_kind["button"])
        target(page, mark, "button", label).click(timeout=2000)
        landed, took = screen_after_tap(page, here)
        assert landed is not None, f"no screen within {STEP_LIMIT} s after tapping {label!r}"
        if landed not in (here, "dialog", "lock"):
            if len(self.trail) > 1 and landed == self.trail[-2]:
                self.trail.pop()  # Save, Delete: the screen underneath
            else:
                self.trail.append(landed)
        return took, f"tap {label[:40]!r}"


    def _answer_discard(self) -> str:
        answer = self.rng.choice(["Keep editing", "Discard"])
        self.page.get_by_role("button", name=answer, exact=True).click(timeout=2000)
        # Gone before the next step looks: a question fading out is no question.
        expect(self.page.locator(DIALOG)).to_have_count(0, timeout=STEP_LIMIT * 1000)
        return answer


def unlock(page) -> None:
    paste(page.get_by_role("textbox", name="PIN", exact=True), PIN)
    page.get_by_role("button", name="Unlock").click()


def test_a_seeded_walk_of_300_taps_in_chromium(web_app, capsys):
    seed_records(web_app.data_dir)
    slowest, taps, missed, seen = (0.0, ""), 0, 0, set()
    with phone(web_app.url) as page:
        open_app(page, web_app.url)
        unlock(page)
        expect(page.locator("[flt-semantics-identifier='screen-home']")).to_be_attached(
            timeout=10000)
        walk = BrowserWalk(page, random.Random(20261125))
        steps: list[str] = []
        while taps < TAPS or (not seen >= EVERY_SCREEN and taps < MAX_TAPS):
            here = shown_screen(page)
            assert here is not None, f"no screen within {STEP_LIMIT} s (tap {taps})"
            seen.add(here)
            if here == "lock":  # Lock now: unlock and go on where the walk was
                unlock(page)
                wait_for(page, walk.trail[-1])
                continue
            try:
                took, step = walk.step(here)
            except AssertionError as failed:  # say how the walk got there
                raise AssertionError(f"{failed}\nlast steps: {steps[-12:]}; trail "
                                     f"{walk.trail}") from None
            except PlaywrightTimeout:
                # The node went away under the pointer (the screen redrew, a bar
                # or a picker slid in): pick again. A frozen app fails the next
                # screen check instead.
                missed += 1
                assert missed < 60, "too many taps missed their target"
                continue
            taps += 1
            steps.append(f"{here}: {step}")
            assert took <= STEP_LIMIT, f"{step} took {took:.2f} s (tap {taps})"
            slowest = max(slowest, (took, step))
        shot(page, "walk_end")
    with capsys.disabled():
        print(f"\nchromium walk: {taps} taps ({walk.backs} Back, {missed} retried), "
              f"slowest step {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    assert walk.backs >= 30
    assert seen >= EVERY_SCREEN, f"never reached: {EVERY_SCREEN - seen}"
