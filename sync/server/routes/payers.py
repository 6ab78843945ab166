from fastapi import APIRouter

from sync.protocol import PAYERS_PATH, PayerInfo, PayersResponse

from ..deps import JSON_OBJECT, CallerDep, PayersDep, route

router = APIRouter(tags=["payers"])


@router.get(route(PAYERS_PATH), response_model=JSON_OBJECT)
def list_payers(_caller: CallerDep, payers: PayersDep) -> PayersResponse:
    """Each health plan's billing rule, for any user: a phone takes them at
    every sync, as it takes the team's settings."""
    listed: list[PayerInfo] = [
        {
            "id": payer.id,
            "name": payer.name,
            "state": payer.state,
            "billing": payer.billing,
            "code": payer.code,
            "modifier": payer.modifier,
            "modifier_at": payer.modifier_at,
            "modifier_per": payer.modifier_per,
            "needs_authorization": payer.needs_authorization,
        }
        for payer in payers.listed().values()
    ]
    return {"payers": listed}
