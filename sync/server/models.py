"""Request models. Record data models are generated from `app.domain.KINDS`.

The generated record models describe each kind in the OpenAPI schema. A push
still accepts any JSON per change, because one bad record must not reject the
whole batch: each change is checked by the domain (`Record.from_wire`), the one
copy of the rules.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from app.domain import KINDS, FieldSpec, FieldType, KindSpec, Quarter, ValidationError
from app.domain.billing import Month
from app.domain.clock import VERSION_PATTERN
from app.domain.kinds import REF_LIMIT
from app.domain.limits import check_text
from sync.protocol import MAX_CHANGES


def _field_type(spec: FieldSpec) -> Any:
    """The pydantic annotation for one field of a kind."""
    ref = Annotated[str, Field(min_length=1, max_length=REF_LIMIT)]
    match spec.type:
        case FieldType.TEXT:
            return Annotated[str, Field(max_length=spec.max_length)]
        case FieldType.BOOL:
            return bool
        case FieldType.DATETIME:
            return Annotated[str, Field(json_schema_extra={"format": "date-time"})]
        case FieldType.DATE:
            return date
        case FieldType.INT:
            return Annotated[int, Field(ge=spec.minimum, le=spec.maximum)]
        case FieldType.NUMBER:
            return Annotated[float, Field(ge=spec.minimum, le=spec.maximum, allow_inf_nan=False)]
        case FieldType.REF:
            return ref
        case FieldType.REF_LIST:
            return Annotated[list[ref], Field(max_length=REF_LIMIT)]  # type: ignore[valid-type]
        case FieldType.CHOICE:
            return Literal[spec.choices]
        case FieldType.ITEMS:
            item = _fields_model(f"{_camel(spec.name)}Item", spec.items)
            return Annotated[list[item], Field(max_length=spec.max_items)]  # type: ignore[valid-type]
    raise AssertionError(f"no pydantic type for {spec.type}")


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


def _fields_model(name: str, specs: tuple[FieldSpec, ...]) -> type[BaseModel]:
    """An object of the given fields; unknown fields are allowed (and kept)."""
    fields: dict[str, Any] = {
        f.name: (_field_type(f), ...) if f.required else (_field_type(f) | None, None)
        for f in specs
    }
    return create_model(name, __config__=ConfigDict(extra="allow"), **fields)


def data_model(kind: KindSpec) -> type[BaseModel]:
    """The `data` of one kind."""
    return _fields_model(f"{_camel(kind.name)}Data", kind.fields)


def record_model(kind: KindSpec) -> type[BaseModel]:
    """A record of one kind as PROTOCOL.md sends it (tombstones may carry `{}`)."""
    return create_model(
        f"{_camel(kind.name)}Record",
        __config__=ConfigDict(extra="allow"),
        id=(str, Field(json_schema_extra={"format": "uuid"})),
        kind=(Literal[kind.name], ...),  # type: ignore[arg-type]
        version=(str, Field(pattern=VERSION_PATTERN.pattern)),
        deleted=(bool, False),
        data=(data_model(kind), ...),
    )


DATA_MODELS: dict[str, type[BaseModel]] = {name: data_model(k) for name, k in KINDS.items()}
RECORD_MODELS: dict[str, type[BaseModel]] = {name: record_model(k) for name, k in KINDS.items()}
WireRecord: Any = Annotated[
    Union[tuple(RECORD_MODELS.values())],  # noqa: UP007 (a runtime-built union)
    Field(discriminator="kind"),
]


def _storable(value: str) -> str:
    """Refuse text no database can hold (NUL; lone surrogates, which pydantic
    already refuses in JSON strings but a query string can carry as %00)."""
    try:
        check_text(value, "text")
    except ValidationError as exc:
        raise PydanticCustomError("text", exc.problem) from None
    return value


# Every string a request carries, in a body or a query, is one of these.
Text = Annotated[str, AfterValidator(_storable)]

# Any day a query names (of a week, or `on`); bounded so date arithmetic never
# leaves the calendar.
MIN_WEEK_DAY, MAX_WEEK_DAY = date(1970, 1, 1), date(2999, 12, 31)
WeekDay = Annotated[date, Field(ge=MIN_WEEK_DAY, le=MAX_WEEK_DAY)]


def _quarter(value: str) -> str:
    """A quarter records can fall in (Quarter.parse's rules)."""
    try:
        Quarter.parse(value)
    except ValidationError as exc:
        raise PydanticCustomError("quarter", exc.problem) from None
    return value


# A quarter a query names, as YYYY-Qn.
QuarterText = Annotated[
    str,
    Field(pattern=r"^[0-9]{4}-Q[1-4]$", examples=["2026-Q4"]),
    AfterValidator(_quarter),
]


def _month(value: str) -> str:
    """A month records can fall in (Month.parse's rules)."""
    try:
        Month.parse(value)
    except ValidationError as exc:
        raise PydanticCustomError("month", exc.problem) from None
    return value


# A month a query names, as YYYY-MM.
MonthText = Annotated[
    str,
    Field(pattern=r"^[0-9]{4}-[0-9]{2}$", examples=["2026-11"]),
    AfterValidator(_month),
]


class EnrollIn(BaseModel):
    code: Text = Field(min_length=1, max_length=100)
    device_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    device_name: Text = Field(default="", max_length=200)
    for_user: str | None = Field(
        default=None,
        max_length=64,
        description="The user whose records the device holds, when it connects again: "
        "a code for anyone else is refused and not spent (an addition beyond v1).",
    )
    for_user_name: Text | None = Field(
        default=None,
        max_length=200,
        description="That user's name: a store that does not know the user (a restore "
        "lost them) takes only a code for a user of that name.",
    )


# Documented as records of the known kinds, accepted as any JSON value (see above).
Change = Annotated[Any, WithJsonSchema({"$ref": "#/components/schemas/WireRecord"})]


class PushIn(BaseModel):
    device_id: Text = Field(max_length=64)
    changes: list[Change] = Field(
        description=f"At most {MAX_CHANGES}; more is rejected with too_many_changes."
    )
    pending: int | None = Field(default=None, ge=0, le=10_000_000)


class ReviewIn(BaseModel):
    user: Text = Field(max_length=64)
    week: WeekDay
