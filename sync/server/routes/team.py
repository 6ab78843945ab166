from typing import Annotated

from fastapi import APIRouter, Query, Response

from sync.protocol import (
    TALLIES_PATH,
    TALLY_WEEKS_DEFAULT,
    TALLY_WEEKS_MAX,
    TEAM_EXPORT_PATH,
    TEAM_REVIEW_PATH,
    TEAM_WEEK_PATH,
    ExportFormat,
    TalliesResponse,
    TeamReviewResponse,
    TeamWeekResponse,
)

from ..db import utc_now
from ..deps import JSON_OBJECT, CallerDep, TeamDep, route
from ..export import FORMATS, tracking_form
from ..models import ReviewIn, Text, WeekDay

router = APIRouter(tags=["team"])


@router.get(route(TALLIES_PATH), response_model=JSON_OBJECT)
def tallies(
    caller: CallerDep,
    team: TeamDep,
    week: WeekDay | None = None,
    weeks: Annotated[int, Query(ge=1, le=TALLY_WEEKS_MAX)] = TALLY_WEEKS_DEFAULT,
) -> TalliesResponse:
    """Weekly employer-contact counts: own row (specialist) or the team's (supervisor)."""
    return team.tallies(caller, week, weeks)


@router.get(route(TEAM_WEEK_PATH), response_model=JSON_OBJECT)
def team_week(
    caller: CallerDep,
    team: TeamDep,
    user: Annotated[Text, Query(max_length=64)],
    week: WeekDay | None = None,
) -> TeamWeekResponse:
    """One specialist's employer contacts of a week, for the supervisor's review."""
    return team.specialist_week(caller, user, week)


@router.post(route(TEAM_REVIEW_PATH), response_model=JSON_OBJECT)
def team_review(body: ReviewIn, caller: CallerDep, team: TeamDep) -> TeamReviewResponse:
    """Mark a specialist's week reviewed by the calling supervisor (idempotent)."""
    return {"review": team.review(caller, body.user, body.week)}


@router.get(
    route(TEAM_EXPORT_PATH),
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
def team_export(
    caller: CallerDep,
    team: TeamDep,
    week: WeekDay | None = None,
    format: ExportFormat = "csv",
    team_id: Annotated[Text | None, Query(alias="team", max_length=64)] = None,
) -> Response:
    """The team's weekly employer-contact tracking form (supervisor of that team)."""
    supervised = caller.supervised_team(team_id)
    day = week or supervised.settings.local_date(utc_now())
    form = tracking_form(team, supervised, day, caller=caller)
    media_type, render = FORMATS[format]
    filename = f"tracking-form-{form.week_start.isoformat()}.{format}"
    return Response(
        render(form),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
