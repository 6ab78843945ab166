"""Records: every piece of field data, with a client-made id and a version."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import parse_version
from .errors import ValidationError, shown
from .kinds import check_data_shape, kind_spec, parse_datetime, validate_data


def new_record_id() -> str:
    """A UUID v7: 48 bits of ms time, then random bits, so ids sort by creation."""
    ms = time.time_ns() // 1_000_000
    value = (ms & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


# A UUID as str(uuid.UUID) writes it, which nearly every device sends: taken
# as it is, where parsing it took a tenth of checking a whole record.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def check_record_id(value: object) -> str:
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(str(value))) if isinstance(value, str) else _bad_id(value)
    except ValueError:
        return _bad_id(value)


def _bad_id(value: object) -> str:
    raise ValidationError("id", f"{shown(value)} is not a UUID")


@dataclass(frozen=True)
class Record:
    id: str
    kind: str
    version: str
    deleted: bool = False
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def occurred_at(self) -> str | None:
        """The record's place in time, for kinds that have one."""
        time_field = kind_spec(self.kind).time_field
        return self.data.get(time_field) if time_field else None

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "version": self.version,
            "deleted": self.deleted,
            "data": dict(self.data),
        }

    @classmethod
    def from_wire(cls, raw: object, *, now: datetime | None = None) -> Record:
        """Validate a record as PROTOCOL.md sends it; tombstones may carry `{}`.
        With `now` (a push), its time may not lie in the future."""
        if not isinstance(raw, Mapping):
            raise ValidationError("record", "must be an object with id, kind, version, data")
        record_id = check_record_id(raw.get("id"))
        kind_spec(raw.get("kind"))
        version = raw.get("version")
        parse_version(version)
        deleted = raw.get("deleted", False)
        if not isinstance(deleted, bool):
            raise ValidationError("deleted", "must be true or false")
        data = raw.get("data", {})
        if deleted:
            check_data_shape(data)
        else:
            data = validate_data(raw["kind"], data, now=now)
        return cls(record_id, raw["kind"], str(version), deleted, dict(data))


def sort_newest_first(records: list[Record]) -> list[Record]:
    """Newest first by occurred_at where the kind has it, else by version."""

    def key(record: Record) -> tuple[float, str]:
        when = record.occurred_at
        instant = parse_datetime(when).timestamp() if when else 0.0
        return (instant, record.version)

    return sorted(records, key=key, reverse=True)
