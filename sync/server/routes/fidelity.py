from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.domain import Quarter
from sync.protocol import (
    FIDELITY_QUARTERS_DEFAULT,
    FIDELITY_QUARTERS_MAX,
    TEAM_FIDELITY_PATH,
    TEAM_FIDELITY_REPORT_PATH,
    ExportFormat,
    FidelityResponse,
)

from ..deps import JSON_OBJECT, CallerDep, FidelityDep, route
from ..models import QuarterText, Text
from ..report import REPORT_FORMATS

router = APIRouter(tags=["fidelity"])

Quarters = Annotated[
    int,
    Query(
        ge=1,
        le=FIDELITY_QUARTERS_MAX,
        description="Outcomes of this many quarters, ending with `quarter`.",
    ),
]
TeamId = Annotated[Text | None, Query(max_length=64, description="Your team's id (optional).")]


@router.get(route(TEAM_FIDELITY_PATH), response_model=JSON_OBJECT)
def team_fidelity(
    caller: CallerDep,
    fidelity: FidelityDep,
    quarter: QuarterText | None = None,
    quarters: Quarters = FIDELITY_QUARTERS_DEFAULT,
    team: TeamId = None,
) -> FidelityResponse:
    """The IPS fidelity items the log can evidence and the outcomes, for the
    caller's team over a quarter (default: the current one in the team's zone)."""
    supervised = caller.supervised_team(team, action="see", thing="fidelity")
    asked = None if quarter is None else Quarter.parse(quarter)
    return fidelity.for_team(supervised, asked, quarters, caller=caller).to_wire()


@router.get(
    route(TEAM_FIDELITY_REPORT_PATH),
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/csv": {}}}},
)
def team_fidelity_report(
    caller: CallerDep,
    fidelity: FidelityDep,
    quarter: QuarterText | None = None,
    format: ExportFormat = "pdf",
    quarters: Quarters = FIDELITY_QUARTERS_DEFAULT,
    team: TeamId = None,
) -> Response:
    """The fidelity evidence report (PDF), or the outcomes of the quarters as
    agencies report them (CSV)."""
    supervised = caller.supervised_team(team, action="report", thing="fidelity")
    asked = None if quarter is None else Quarter.parse(quarter)
    report = fidelity.for_team(supervised, asked, quarters, caller=caller)
    media_type, render = REPORT_FORMATS[format]
    filename = f"fidelity-{report.quarter}.{format}"
    return Response(
        render(report),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
