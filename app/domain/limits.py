"""The limits every record must meet (PROTOCOL.md, additions of 2026-11-25).

One copy for the phone's `put`, the server's push and the phone's pull, so
what a phone queues is what the server accepts, and nothing the server
accepted can stop a phone's pull (a year 9999 overflowing a time zone, text
that cannot be encoded, data nested deeper than anything can walk).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .errors import ValidationError

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
EARLIEST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
# A contact or visit is logged after it happens; this much ahead allows for clocks.
FUTURE_ALLOWANCE = timedelta(minutes=15)
MAX_DATA_BYTES = 64 * 1024
MAX_DEPTH = 16  # the data object itself is level 1

# A record's data as compact JSON text, as it is measured and stored (one
# encoder made once: json.dumps with options builds one per call).
DATA_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)

# NUL, and UTF-16 surrogates standing alone (JSON's "\ud800" escapes decode to them).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_text(value: str, field: str) -> None:
    """Text any database and any encoding can hold: no NUL, no lone surrogate."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return
    what = "a NUL character" if found.group() == "\x00" else "a broken character"
    raise ValidationError(field, f"holds {what} (position {found.start() + 1}); remove it")


def check_date_range(day: date, field: str) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            field,
            f"is {day.isoformat()}; dates must lie between "
            f"{EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}",
        )


def check_not_future(at: datetime, now: datetime, field: str) -> None:
    """A contact or visit is logged after it happens (allowing for clocks a little off)."""
    if at > now + FUTURE_ALLOWANCE:
        raise ValidationError(
            field,
            "is in the future; a contact or visit is logged after it happens, "
            "so give a time no later than now",
        )


def check_data_limits(data: Mapping[str, Any]) -> None:
    """Every string storable, numbers finite, at most MAX_DEPTH levels and
    MAX_DATA_BYTES as JSON, unknown fields included. A problem inside a field
    is reported on that top-level field."""
    try:
        text = DATA_JSON.encode(data)
        size = len(text.encode())  # a lone surrogate cannot be encoded
    except (TypeError, ValueError, RecursionError):
        text = None
    # Every record is checked on every push and pull: most pass on their JSON
    # text alone (in a third of the time of visiting each value); any doubt,
    # and the visit finds the field at fault. JSON written this way escapes a
    # NUL (an escaped backslash before "u0000" only sends a record the long way).
    if text is None or "\\u0000" in text or not _plain_shape(data):
        _check_each_value(data)
        if text is None:  # the text could not be written before the visit passed
            size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_DATA_BYTES:
        raise ValidationError(
            "data", f"is {size:,} bytes as JSON; a record holds at most {MAX_DATA_BYTES:,}"
        )


def _plain_shape(data: Mapping[str, Any]) -> bool:
    """Text field names and at most MAX_DEPTH levels, for data that JSON could
    write (so every mapping in it is a dict)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, dict):
            for key in value:
                if type(key) is not str:
                    return False
            value = value.values()
        for item in value:
            if isinstance(item, dict | list):
                stack.append((item, depth + 1))
    return True


def _check_each_value(data: Mapping[str, Any]) -> None:
    """The limits, value by value: raises on the first problem found."""
    # Iterative, so no nesting depth can exhaust the stack.
    stack: list[tuple[Any, int, str]] = [(data, 1, "data")]
    while stack:
        value, depth, field = stack.pop()
        if isinstance(value, str):
            check_text(value, field)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(field, "holds a number that is not finite")
        elif isinstance(value, Mapping | list):
            if depth > MAX_DEPTH:
                raise ValidationError(field, f"nests more than {MAX_DEPTH} levels deep")
            if isinstance(value, Mapping):
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise ValidationError(field, "has a field name that is not text")
                    # A name that cannot be stored cannot be sent back either.
                    check_text(key, field)
                    stack.append((item, depth + 1, key if depth == 1 else field))
            else:
                stack.extend((item, depth + 1, field) for item in value)
