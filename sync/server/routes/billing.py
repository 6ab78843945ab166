from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from app.domain.billing import Month
from sync.protocol import TEAM_BILLING_PATH, WorksheetFormat

from ..db import utc_now
from ..deps import BillingDep, CallerDep, route
from ..models import MonthText, Text
from ..worksheet import WORKSHEET_FORMATS

router = APIRouter(tags=["billing"])


@router.get(
    route(TEAM_BILLING_PATH),
    response_class=Response,
    responses={
        200: {"content": {"application/json": {}, "text/csv": {}, "application/pdf": {}}}
    },
)
def team_billing(
    caller: CallerDep,
    billing: BillingDep,
    month: MonthText | None = None,
    format: WorksheetFormat = "json",
    team: Annotated[Text | None, Query(max_length=64)] = None,
) -> Response:
    """The monthly billing worksheet of the caller's team (supervisor): one row
    per member and payer with an encounter in the month (default: the current
    one in the team's zone), its lines or why it cannot be billed yet."""
    supervised = caller.supervised_team(team, action="see", thing="billing")
    today = supervised.settings.local_date(utc_now())
    asked = Month.of(today) if month is None else Month.parse(month)
    sheet = billing.worksheet(supervised, asked, caller=caller)
    if format == "json":
        return JSONResponse(sheet.to_wire())
    media_type, render = WORKSHEET_FORMATS[format]
    return Response(
        render(sheet),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="billing-{asked}.{format}"'},
    )
