"""The central store (FastAPI + SQLAlchemy Core, SQLite or PostgreSQL). Never on the phone."""

from .app import create_app
from .settings import Settings
from .store import CentralStore

__all__ = ["CentralStore", "Settings", "create_app"]
