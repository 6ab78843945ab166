from fastapi import APIRouter

from app.domain import KIND_NAMES
from sync.protocol import HEALTH_PATH, PROTOCOL_VERSION, HealthResponse

from ..db import iso, utc_now
from ..deps import JSON_OBJECT, route

router = APIRouter(tags=["health"])


@router.get(route(HEALTH_PATH), response_model=JSON_OBJECT)
def health() -> HealthResponse:
    """Cheap and unauthenticated: the app's "am I online?" probe."""
    return {
        "status": "ok",
        "protocol": PROTOCOL_VERSION,
        "server_time": iso(utc_now()),
        "kinds": list(KIND_NAMES),
    }
