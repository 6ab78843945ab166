from typing import Any

from fastapi import APIRouter, Request

from sync.protocol import ENROLL_PATH, ME_PATH

from ..db import iso, utc_now
from ..deps import CallerDep, DevicesDep, client_address, route
from ..models import EnrollIn

router = APIRouter(tags=["devices"])


@router.post(route(ENROLL_PATH))
def enroll(body: EnrollIn, devices: DevicesDep, request: Request) -> dict[str, Any]:
    """Spend a single-use enrollment code; returns the device token, user and team."""
    token, user, team = devices.enroll(
        body.code,
        body.device_id,
        body.device_name,
        client=client_address(request),
        holder=(body.for_user, body.for_user_name),
    )
    return {"token": token, "user": user, "team": team.info()}


@router.get(route(ME_PATH))
def me(caller: CallerDep, devices: DevicesDep) -> dict[str, Any]:
    """Who this device is for, and the team's settings as the server holds them."""
    return {
        "user": {"id": caller.user_id, "name": caller.user_name, "role": caller.role},
        "team": caller.team.info(),
        "device": {"id": caller.device_id, "name": devices.name_of(caller.device_id)},
        "server_time": iso(utc_now()),
    }
