"""The central store's one settings object and its database URL handling."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .errors import AdminError

DEFAULT_DATABASE_URL = "sqlite:///data/central.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8700
# How long the server waits for the next part of a request body that has not
# all arrived (a client that declared more than it sends) before answering 408.
DEFAULT_BODY_TIMEOUT = 15.0


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    body_timeout: float = DEFAULT_BODY_TIMEOUT  # seconds


def normalise_database_url(url: str) -> URL:
    """The one place a user's URL becomes a driver URL: SQLite or PostgreSQL via psycopg 3.

    For SQLite files the parent directory is created, so the default
    `sqlite:///data/central.db` works on a fresh checkout.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise AdminError(
            f"{url!r} is not a database URL; use sqlite:///path/to/file.db "
            "or postgresql://user@host/dbname"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise AdminError("SQLite needs a file: use sqlite:///path/to/file.db")
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return parsed.set(drivername="sqlite+pysqlite")
    raise AdminError(f"Unsupported database {backend!r}: use sqlite:///… or postgresql://…")


def is_sqlite(url: str) -> bool:
    return normalise_database_url(url).get_backend_name() == "sqlite"
