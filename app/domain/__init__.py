"""The rules of IPS Field Log: records, versions, weeks, tallies. No I/O, no UI.

Shared by the phone app and the central store, so every rule exists once.
"""

from .clock import HybridClock, Stamp, parse_version, wall_clock_ms
from .errors import (
    FieldLogError,
    RecordDamagedError,
    StoreDamagedError,
    StoreErasedError,
    StoreError,
    StoreExistsError,
    StoreLockedError,
    StoreNotFoundError,
    UnknownKindError,
    ValidationError,
    WrongPinError,
)
from .kinds import (
    KIND_NAMES,
    KINDS,
    FieldSpec,
    FieldType,
    KindSpec,
    data_problems,
    kind_spec,
    validate_data,
)
from .records import Record, check_record_id, new_record_id, sort_newest_first
from .tally import (
    EMPLOYER_CONTACT_FIDELITY,
    ReviewChanges,
    Tally,
    changes_since_review,
    counts_toward_target,
    fidelity_rating,
    finished_weeks_average,
    team_average,
    week_tally,
    weekly_counts,
)
from .weeks import DEFAULT_TARGET, WEEKDAYS, TeamSettings

__all__ = [
    "DEFAULT_TARGET",
    "EMPLOYER_CONTACT_FIDELITY",
    "KINDS",
    "KIND_NAMES",
    "WEEKDAYS",
    "FieldLogError",
    "FieldSpec",
    "FieldType",
    "HybridClock",
    "KindSpec",
    "Record",
    "RecordDamagedError",
    "ReviewChanges",
    "Stamp",
    "StoreDamagedError",
    "StoreErasedError",
    "StoreError",
    "StoreExistsError",
    "StoreLockedError",
    "StoreNotFoundError",
    "Tally",
    "TeamSettings",
    "UnknownKindError",
    "ValidationError",
    "WrongPinError",
    "changes_since_review",
    "check_record_id",
    "counts_toward_target",
    "data_problems",
    "fidelity_rating",
    "finished_weeks_average",
    "kind_spec",
    "new_record_id",
    "parse_version",
    "sort_newest_first",
    "team_average",
    "validate_data",
    "wall_clock_ms",
    "week_tally",
    "weekly_counts",
]
