from fastapi import APIRouter, Request

from sync.protocol import ENROLL_PATH, ME_PATH, EnrollResponse, MeResponse

from ..db import iso, utc_now
from ..deps import JSON_OBJECT, CallerDep, DevicesDep, client_address, route
from ..models import EnrollIn

router = APIRouter(tags=["devices"])


@router.post(route(ENROLL_PATH), response_model=JSON_OBJECT)
def enroll(body: EnrollIn, devices: DevicesDep, request: Request) -> EnrollResponse:
    """Spend a single-use enrollment code; returns the device token, user and team."""
    return devices.enroll(
        body.code,
        body.device_id,
        body.device_name,
        client=client_address(request),
        holder=(body.for_user, body.for_user_name),
    )


@router.get(route(ME_PATH), response_model=JSON_OBJECT)
def me(caller: CallerDep, devices: DevicesDep) -> MeResponse:
    """Who this device is for, and the team's settings as the server holds them."""
    return {
        "user": {"id": caller.user_id, "name": caller.user_name, "role": caller.role},
        "team": caller.team.info(),
        "device": {"id": caller.device_id, "name": devices.name_of(caller.device_id)},
        "server_time": iso(utc_now()),
    }
