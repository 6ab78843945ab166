from typing import Any

from fastapi import APIRouter

from sync.protocol import ENROLL_PATH

from ..deps import StoreDep, route
from ..models import EnrollIn

router = APIRouter(tags=["devices"])


@router.post(route(ENROLL_PATH))
def enroll(body: EnrollIn, store: StoreDep) -> dict[str, Any]:
    """Spend a single-use enrollment code; returns the device token, user and team."""
    token, user, team = store.enroll(body.code, body.device_id, body.device_name)
    return {"token": token, "user": user, "team": team.info()}
