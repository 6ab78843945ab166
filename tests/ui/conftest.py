"""Fixtures for the UI tests: the app in the renderer-less harness, with a
clock the test moves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from app.ui import FieldLogApp

from .harness import Harness

PIN = "246810"
# A Wednesday: the Monday-start week has days on both sides.
NOW = datetime(2026, 11, 18, 15, 30, tzinfo=UTC)


@dataclass
class Clock:
    seconds: float = 1000.0
    now: datetime = field(default=NOW)

    def monotonic(self) -> float:
        return self.seconds


@dataclass
class Running:
    harness: Harness
    app: FieldLogApp
    clock: Clock

    async def create_pin(self) -> None:
        await self.harness.type("pin", PIN)
        await self.harness.type("confirm_pin", PIN)
        await self.harness.click("create")

    async def log_contact(self, employer: str, *, face_to_face: bool = True) -> None:
        h = self.harness
        await h.click("log_contact")
        await h.type("field:employer", employer)
        if not face_to_face:
            await h.toggle("field:face_to_face", False)
        await h.click("save")


@pytest.fixture
def start_app(tmp_path):
    """`await start_app()` runs a fresh app session on the test's data dir."""
    clock = Clock()
    harnesses: list[Harness] = []

    async def start() -> Running:
        apps: list[FieldLogApp] = []

        def main(page):
            app = FieldLogApp(page, tmp_path / "data", now=lambda: clock.now,
                              monotonic=clock.monotonic, watch_idle=False)
            apps.append(app)
            app.start()

        harness = await Harness(main).start()
        harnesses.append(harness)
        return Running(harness, apps[0], clock)

    yield start
    for harness in harnesses:
        harness.close()


def run(coro):
    return asyncio.run(coro)
