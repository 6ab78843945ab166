"""A seeded random walk over the running app in the renderer-less harness: each
step taps, types, picks or goes back on whatever the screen offers, the way an
impatient new user would, with wrong and extreme input among the typing."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import flet as ft

from .conftest import PIN
from .harness import Harness

# What an impatient user types or pastes: empty, blanks, long, odd characters,
# numbers out of range, text where numbers go.
TYPED = (
    "", "   ", "Riverside Hardware", "0", "-5", "99999999999999999999", "4.5", "forty",
    "x" * 5000, "Caf\u00e9 \u00e0 la cr\u00e8me", "\U0001f600\U0001f680 emoji", "\u202eRTL",
    "'; DROP TABLE records; --", "=HYPERLINK(\"http://x\")", "line\nbreaks\n\n", "\t",
    "America/Chicago", "Mars/Olympus", "246810", "1", "60", "1441",
)
# Server addresses that never leave this machine: refused on the field, or a
# closed port on loopback (tests contact nothing but 127.0.0.1).
ADDRESSES = ("", "not an address", "http://192.0.2.7", "127.0.0.1:9", "http://127.0.0.1:9/",
             "ftp://127.0.0.1", "https://")


def typed(rng: random.Random, control: ft.TextField) -> str:
    if control.password:
        return PIN
    if getattr(control.key, "value", control.key) == "server_address":
        return rng.choice(ADDRESSES)
    return rng.choice(TYPED)


@dataclass
class Walk:
    harness: Harness
    seed: int
    steps: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.taken: dict[str, int] = {}  # how often each action was taken

    def _pick(self, offered: list[tuple[str, Any]]) -> tuple[str, Any]:
        """A random action, those taken less often more likely: the walk keeps
        finding screens it has not seen, as a curious user does."""
        weights = [1 / (1 + self.taken.get(self._name(kind, control), 0))
                   for kind, control in offered]
        kind, control = self.rng.choices(offered, weights=weights)[0]
        name = self._name(kind, control)
        self.taken[name] = self.taken.get(name, 0) + 1
        return kind, control

    @staticmethod
    def _name(kind: str, control: Any) -> str:
        key = getattr(control, "key", None)
        return f"{kind} {getattr(key, 'value', key) or type(control).__name__}"

    def actions(self) -> list[tuple[str, Any]]:
        """What the screen offers now: (kind, control)."""
        found: list[tuple[str, Any]] = []
        asking = [d for d in self.harness.page._dialogs.controls
                  if isinstance(d, ft.AlertDialog) and d.open and d.modal]
        if asking:  # a question covers the screen: only its buttons can be tapped
            return [("click", c) for c in self.harness.walk(asking[-1])
                    if getattr(c, "on_click", None) is not None]
        for control in self.harness.walk(self.harness.top_view()):
            if not getattr(control, "visible", True) or getattr(control, "disabled", False):
                continue
            if isinstance(control, ft.TextField):
                found.append(("type", control))
            elif isinstance(control, ft.Switch):
                found.append(("toggle", control))
            elif isinstance(control, ft.Dropdown) and control.options:
                found.append(("pick", control))
            elif isinstance(control, ft.Chip) and control.on_select is not None:
                found.append(("select", control))
            elif isinstance(control, ft.NavigationBar):
                found.append(("tab", control))
            elif getattr(control, "on_click", None) is not None:
                found.append(("click", control))
        for dialog in self.harness.page._dialogs.controls:
            if isinstance(dialog, ft.SnackBar) and dialog.on_action is not None and dialog.open:
                found.append(("undo", dialog))
        found.append(("back", None))
        return found

    async def step(self) -> str:
        h, rng = self.harness, self.rng
        kind, control = self._pick(self.actions())
        label = self._name(kind, control)
        match kind:
            case "type":
                text = typed(rng, control)
                h.session.apply_patch(control._i, {"value": text})
                await h.fire(control, "change", text)
                if rng.random() < 0.2:
                    await h.fire(control, "submit", text)
            case "toggle":
                h.session.apply_patch(control._i, {"value": not control.value})
                await h.fire(control, "change", not control.value)
            case "pick":
                option = rng.choice(control.options)
                h.session.apply_patch(control._i, {"value": option.key})
                await h.fire(control, "select", option.key)
            case "select":
                await h.fire(control, "select", not control.selected)
            case "tab":
                index = rng.randrange(len(control.destinations))
                h.session.apply_patch(control._i, {"selected_index": index})
                await h.fire(control, "change", index)
                label = f"tab {control.destinations[index].label}"
            case "undo":
                await h.fire(control, "action")
            case "back":
                await h.back()
            case _:
                await h.fire(control, "click")
        self.steps.append(label)
        return label
