"""Tables, engine and migrations of the central store: SQLAlchemy Core, SQLite or PostgreSQL.

Times are stored as ISO 8601 UTC text (`2026-11-16T20:30:00.000000Z`), which
sorts correctly as text on both databases. Record data is JSON text, kept
byte for byte so unknown fields come back untouched.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from .settings import normalise_database_url

metadata = sa.MetaData()
# SQLite only autoincrements INTEGER PRIMARY KEY columns.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Id = sa.String(64)
Time = sa.String(32)

teams = sa.Table(
    "teams",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("week_start", sa.String(10), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("contact_target", sa.Integer, nullable=False),
    sa.Column("created_at", Time, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("team_id", Id, sa.ForeignKey("teams.id"), nullable=False, index=True),
    sa.Column("created_at", Time, nullable=False),
    # YYYY-MM-DD an admin gave: when the specialist started, if before the first
    # enrollment (else the first enrollment marks it).
    sa.Column("started_on", sa.String(10)),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", Id, primary_key=True),  # the device's own id, also in its versions
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("revoked", sa.Boolean, nullable=False, default=False),
    sa.Column("enrolled_at", Time, nullable=False),
    sa.Column("revoked_at", Time),
    sa.Column("pending", sa.Integer, nullable=False, default=0),  # as last reported by push
    sa.Column("last_sync_at", Time),
)

enrollment_codes = sa.Table(
    "enrollment_codes",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", Time, nullable=False),
    sa.Column("expires_at", Time, nullable=False),
    sa.Column("used_at", Time),
    sa.Column("device_id", Id),
)

records = sa.Table(
    "records",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("owner_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("version", sa.String(100), nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
    # occurred_at as ms since epoch, for kinds that have it: finds a week's contacts.
    sa.Column("occurred_ms", sa.BigInteger),
    sa.Column("updated_at", Time, nullable=False),
    sa.Index("ix_records_owner_seq", "owner_id", "seq"),
    sa.Index("ix_records_owner_kind_occurred", "owner_id", "kind", "occurred_ms"),
)

# One row: the last seq handed out. Every writing transaction updates it first,
# which serialises writers, so records commit in seq order and a pull by seq
# never skips a record that commits later with a lower seq.
seq_counter = sa.Table(
    "seq_counter",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

# Facts about the store itself, by name. GENERATION is a random value made with
# the store and made anew by `restored`: pull cursors carry it, so a cursor
# handed out before a backup was restored names another generation.
store_meta = sa.Table(
    "store_meta",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
GENERATION = "generation"
# The generation a store had when generations began: the plain `s<seq>`
# cursors handed out before then belong to it.
FIRST_GENERATION = "first_generation"


def new_generation() -> str:
    return secrets.token_hex(8)


conflicts = sa.Table(
    "conflicts",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("record_id", Id, nullable=False),
    sa.Column("owner_id", Id, nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("version", sa.String(100), nullable=False),  # the losing version
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("winner_version", sa.String(100), nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),  # "stale" push or "superseded" store
    sa.Column("device_id", Id, nullable=False),  # the device whose push decided it
    sa.Column("logged_at", Time, nullable=False),
    sa.UniqueConstraint("record_id", "version", name="uq_conflicts_record_version"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("at", Time, nullable=False, index=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("user_id", Id),
    sa.Column("device_id", Id),
    sa.Column("count", sa.Integer, nullable=False, default=0),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

# Failed enrollments by client address: kept in the database, so every server
# process shares the limit on guessing codes. Rows older than the window go.
enrollment_failures = sa.Table(
    "enrollment_failures",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("client", sa.Text, nullable=False),
    sa.Column("at", Time, nullable=False, index=True),
    sa.Index("ix_enrollment_failures_client_at", "client", "at"),
)

# A supervisor's review of a specialist's week, and what was reviewed: one row
# per review, the latest being the week's review.
week_reviews = sa.Table(
    "week_reviews",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("user_id", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("week_start", sa.String(10), nullable=False),
    sa.Column("reviewed_by", Id, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("reviewed_at", Time, nullable=False),
    # The week's count, and its live contacts as JSON {id: version}, when
    # reviewed; null for reviews made before they were kept (migration 0003).
    sa.Column("count", sa.Integer),
    sa.Column("contacts", sa.Text),
    sa.Index("ix_week_reviews_user_week", "user_id", "week_start"),
)


# Payers: each health plan's billing rule, as data (app.domain.payers). A new
# or migrated store holds the seeds of migration 0006; `add-payer` adds others.
payers = sa.Table(
    "payers",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("state", sa.String(2), nullable=False),
    sa.Column("billing", sa.String(20), nullable=False),
    sa.Column("code", sa.String(10)),
    sa.Column("modifier", sa.String(10)),
    sa.Column("modifier_at", sa.Integer),
    sa.Column("modifier_per", sa.String(10), nullable=False),
    sa.Column("needs_authorization", sa.Boolean, nullable=False),
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _in_json_array(FunctionElement[bool]):
    """`column IN` the texts of a JSON array bound as one parameter, written
    for each database so that it looks the column's index up per text."""

    inherit_cache = True
    type = sa.Boolean()
    name = "in_json_array"


@compiles(_in_json_array, "sqlite")
def _in_json_array_sqlite(element: _in_json_array, compiler: SQLCompiler, **kw: Any) -> str:
    column, texts = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"{column} IN (SELECT value FROM json_each({texts}))"


@compiles(_in_json_array, "postgresql")
def _in_json_array_postgresql(element: _in_json_array, compiler: SQLCompiler, **kw: Any) -> str:
    # As an array: PostgreSQL joins an IN (SELECT ...) by scanning the table.
    column, texts = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"{column} = ANY(ARRAY(SELECT json_array_elements_text(CAST({texts} AS json))))"


def in_json_texts(column: sa.ColumnElement[str], name: str) -> sa.ColumnElement[bool]:
    """`column` is one of the texts of a JSON array, bound as parameter `name`.

    One statement text for any number of ids, where an expanding IN renders
    a placeholder per id, which for a push of 500 cost more than the query
    itself (4 ms on PostgreSQL, against 0.2 ms this way).
    """
    return _in_json_array(column, sa.bindparam(name)).as_comparison(1, 2)


class _json_field(FunctionElement[Any]):
    """One field of a JSON text column, read by the database."""

    inherit_cache = True
    type = sa.Text()
    name = "json_field"


@compiles(_json_field, "sqlite")
def _json_field_sqlite(element: _json_field, compiler: SQLCompiler, **kw: Any) -> str:
    column, key = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"json_extract({column}, '$.' || {key})"


@compiles(_json_field, "postgresql")
def _json_field_postgresql(element: _json_field, compiler: SQLCompiler, **kw: Any) -> str:
    column, key = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST({column} AS json) ->> {key})"


def json_field(column: sa.ColumnElement[str], key: str) -> sa.ColumnElement[Any]:
    """Field `key` of the JSON object in `column`, read by the database: a
    text, or (SQLite) a number for a number or a boolean. Reading a few
    fields there costs far less than parsing every record's JSON here."""
    return _json_field(column, sa.literal(key))


def json_true(value: object) -> bool:
    """A JSON true as `json_field` reads it on either database."""
    return value is True or value == 1 or value == "true"


def write_rows(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    replace: Sequence[str] = (),
) -> None:
    """Insert rows (all with the same keys) in one statement; a row whose
    primary key is taken already replaces that row's `replace` columns.

    The rows go as one JSON parameter that the database unpacks itself. An
    executemany would cost a statement per row on PostgreSQL (psycopg sends
    each on its own, 25 us apiece) and, on SQLite, SQLAlchemy's handling of
    each row's parameters, which holds the interpreter lock the event loop
    needs meanwhile.
    """
    if rows:
        statement = _insert_from_json(conn.dialect, table, tuple(rows[0]), tuple(replace))
        conn.execute(statement, {"rows": json.dumps(rows, ensure_ascii=False)})


@functools.cache
def _insert_from_json(
    dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...], replace: tuple[str, ...]
) -> sa.TextClause:
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if dialect.name == "postgresql":
        unpacked = f"json_populate_recordset(NULL::{table.name}, CAST(:rows AS json))"
        rows = f"SELECT {names} FROM {unpacked}"
    else:  # SQLite; `WHERE true` tells its parser the ON CONFLICT below is no join's
        values = ", ".join(f"json_extract(value, '$.{c}')" for c in columns)
        rows = f"SELECT {values} FROM json_each(:rows) WHERE true"
    sql = f"INSERT INTO {table.name} ({names}) {rows}"
    if replace:
        key = ", ".join(quote(c.name) for c in table.primary_key)
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in replace)
        sql += f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    return sa.text(sql)


def create_engine(url: str) -> Engine:
    driver_url = normalise_database_url(url)
    if driver_url.get_backend_name() == "sqlite":
        engine = sa.create_engine(
            driver_url, connect_args={"timeout": 30, "check_same_thread": False}
        )
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No server-side prepared statements: psycopg prepares a statement on its
    # fifth run, and PostgreSQL may then keep a plan it made while the tables
    # were nearly empty (a push's lookup by ids went on scanning the table:
    # 2.5 ms against 0.1 ms). Planning each time costs less than that.
    return sa.create_engine(
        driver_url,
        # Per process: `serve --workers N` takes up to N times this many of
        # PostgreSQL's connections (max_connections is 100 by default). Pushes
        # share the committer's one; other calls hold one for milliseconds.
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"prepare_threshold": None},
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, begin transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a push the server acknowledged survives a power cut (the phone
    # drops it from its queue on the acknowledgement).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A real BEGIN, so reads in one transaction see one snapshot; the first write
    # (the seq counter) then takes the write lock, waiting up to the timeout.
    connection.exec_driver_sql("BEGIN")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date, or to an older revision (Alembic, scripts in
    sync/server/migrations)."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
