"""Renderer-less harness: a real ft.Page and Session over a fake connection that
records every message the app sends to the client.

Tests run the app's main, find controls by `key`, fire events through
`Session.dispatch_event` like a real client (so 1.0's automatic update after a
handler runs for real) and check what was SENT, not only Python attributes.

It uses Flet internals (Session, Connection, the msgpack encoder, the
REGISTER_CLIENT reply), hence the pinned version below.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page, context
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    InvokeMethodRequestBody,
    Message,
    MessageAction,
    RegisterClientResponseBody,
    configure_encode_object_for_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub
from flet.version import flet_version

PINNED_FLET = "1.0.5"
assert flet_version == PINNED_FLET, (
    f"tests/ui/harness.py drives Flet {PINNED_FLET} internals; check it against {flet_version}"
)


class FakeConnection(Connection):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.loop = loop
        self.executor = concurrent.futures.ThreadPoolExecutor()
        self.pubsubhub = PubSubHub(loop=loop, executor=self.executor)
        self.page_url = "http://test/"
        self.sent: list[Message] = []
        self.session: Session | None = None

    def send_message(self, message: Message) -> None:
        # Encode like the real socket server: the encoder records the state
        # snapshots later diffs are computed against.
        msgpack.packb([message.action, message.body],
                      default=configure_encode_object_for_msgpack(BaseControl))
        self.sent.append(message)
        if message.action == MessageAction.INVOKE_METHOD:
            # Answer like a client would (confirm_pop and the like return nothing).
            call: InvokeMethodRequestBody = message.body
            self.loop.call_soon(self.session.handle_invoke_method_results,
                                call.control_id, call.call_id, None, None)


class Harness:
    def __init__(self, main) -> None:
        self.main = main
        self.conn: FakeConnection | None = None
        self.session: Session | None = None
        self._checked_selection = 0  # messages already checked for a selection

    @property
    def page(self) -> ft.Page:
        return self.session.page

    async def start(self) -> Harness:
        self.conn = FakeConnection(asyncio.get_running_loop())
        self.session = Session(self.conn)
        self.conn.session = self.session
        # What the socket server does on REGISTER_CLIENT: apply the client's
        # page properties, then send the initial patch that mounts the page.
        self.session.apply_page_patch({"route": "/", "web": True, "width": 412, "height": 915})
        self.conn.send_message(Message(MessageAction.REGISTER_CLIENT, RegisterClientResponseBody(
            session_id=self.session.id, page_patch=self.session.get_page_patch(), error="")))
        _context_page.set(self.session.page)
        context.reset_auto_update()
        self.main(self.session.page)
        await self.session.after_event(self.session.page)
        self.raise_if_crashed()
        return self

    def close(self) -> None:
        self.conn.executor.shutdown(wait=False)

    def raise_if_crashed(self) -> None:
        """dispatch_event() swallows handler exceptions: surface them. Also
        fails when the app sent a text selection: the web client applies a
        field's stored selection again whenever the field is drawn, which moves
        the cursor of someone typing (issue 24's scrambled employer)."""
        for message in self.conn.sent:
            if message.action == MessageAction.SESSION_CRASHED:
                raise AssertionError("handler crashed: " + message.body.message)
        if "'selection'" in self.sent_since(self._checked_selection):
            raise AssertionError("the app sent a text field's selection")
        self._checked_selection = len(self.conn.sent)

    # ----- what reached the client ------------------------------------------------

    def mark(self) -> int:
        """A point in the message log; `sent_since(mark)` looks only after it."""
        return len(self.conn.sent)

    def sent_since(self, mark: int = 0) -> str:
        """Everything sent to the client after `mark`, as one searchable text.

        Patches hold new controls whole (as dataclasses) and changed values as
        leaves; msgpack-decoding them yields plain dicts and strings."""
        texts: list[str] = []
        for message in self.conn.sent[mark:]:
            if message.action in (MessageAction.PATCH_CONTROL, MessageAction.REGISTER_CLIENT):
                packed = msgpack.packb(message.body,
                                       default=configure_encode_object_for_msgpack(BaseControl))
                texts.append(repr(msgpack.unpackb(packed, strict_map_key=False)))
        return "\n".join(texts)

    # ----- lookup -----------------------------------------------------------------

    def walk(self, root: Any = None):
        seen: set[int] = set()

        def _walk(control: Any):
            if control is None or id(control) in seen:
                return
            if isinstance(control, ft.DialogControl) and not control.open:
                return  # closed: no longer on screen (the client removes it later)
            seen.add(id(control))
            yield control
            for name in getattr(type(control), "__dataclass_fields__", {}):
                if name.startswith("_") and name not in ("_dialogs", "_overlay"):
                    continue
                value = getattr(control, name, None)
                if isinstance(value, ft.BaseControl):
                    yield from _walk(value)
                elif isinstance(value, list):
                    for item in value:
                        if isinstance(item, ft.BaseControl):
                            yield from _walk(item)

        yield from _walk(root or self.page)

    def find(self, key: str) -> Any | None:
        for control in self.walk():
            found = getattr(control, "key", None)
            if found == key or getattr(found, "value", None) == key:
                return control
        return None

    def by_key(self, key: str) -> Any:
        control = self.find(key)
        if control is None:
            raise LookupError(f"no control with key {key!r} on screen")
        return control

    def last_snack(self) -> ft.SnackBar:
        return [d for d in self.page._dialogs.controls if isinstance(d, ft.SnackBar)][-1]

    def top_view(self) -> ft.View:
        return self.page.views[-1]

    # ----- events, as a real client sends them --------------------------------------

    async def fire(self, control: ft.BaseControl, event: str, data: Any = None) -> None:
        await self.session.dispatch_event(control._i, event, data)
        await asyncio.sleep(0)
        self.raise_if_crashed()

    async def type(self, key: str, value: str) -> None:
        """Type into a field: the client's value patch first, then on_change."""
        control = self.by_key(key)
        self.session.apply_patch(control._i, {"value": value})
        await self.fire(control, "change", value)

    async def click(self, key: str) -> None:
        await self.fire(self.by_key(key), "click")

    async def submit(self, key: str) -> None:
        await self.fire(self.by_key(key), "submit")

    async def back(self) -> None:
        """The phone's back gesture: the View refuses to pop and asks the app."""
        await self.fire(self.top_view(), "confirm_pop")
        await asyncio.sleep(0)

    async def browser_back(self, times: int = 1) -> None:
        """The browser's Back button pressed `times` times at once: the page's
        history goes that many entries down the app's own three (/app1 to
        /app3, on top of the page's "/"), then the app puts them back on top,
        which the client reports as route changes too."""
        landed = 3 - times
        await self.fire(self.page, "route_change",
                        {"route": f"/app{landed}" if landed else "/"})
        for entry in range(landed + 1, 4):
            await self.fire(self.page, "route_change", {"route": f"/app{entry}"})

    async def tab(self, label: str) -> None:
        """Tap a destination of the bottom tab bar."""
        bar = self.top_view().navigation_bar
        index = [d.label for d in bar.destinations].index(label)
        self.session.apply_patch(bar._i, {"selected_index": index})
        await self.fire(bar, "change", index)

    async def toggle(self, key: str, value: bool) -> None:
        control = self.by_key(key)
        self.session.apply_patch(control._i, {"value": value})
        await self.fire(control, "change", value)

    async def choose(self, key: str, value: str) -> None:
        """Pick an option of a dropdown."""
        dropdown = self.by_key(key)
        self.session.apply_patch(dropdown._i, {"value": value})
        await self.fire(dropdown, "select", value)

    async def segment(self, key: str, value: str) -> None:
        """Tap one segment of a segmented button."""
        control = self.by_key(key)
        self.session.apply_patch(control._i, {"selected": [value]})
        await self.fire(control, "change", [value])

    async def pick_date(self, key: str, day: Any) -> None:
        """Tap a date button and pick `day` in the picker it opens."""
        await self.click(key)
        picker = [d for d in self.page._dialogs.controls if isinstance(d, ft.DatePicker)][-1]
        self.session.apply_patch(picker._i, {"value": day})
        await self.fire(picker, "change", day)
