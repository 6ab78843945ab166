from typing import Annotated

from fastapi import APIRouter, Query

from sync.protocol import DUE_PATH, DueResponse

from ..deps import JSON_OBJECT, CallerDep, DueDep, route
from ..models import Text, WeekDay

router = APIRouter(tags=["due"])


@router.get(route(DUE_PATH), response_model=JSON_OBJECT)
def due(
    caller: CallerDep,
    due: DueDep,
    user: Annotated[Text, Query(max_length=64)],
    on: WeekDay | None = None,
) -> DueResponse:
    """The IPS timed rules not met on one caseload as of `on` (default today in
    the team's zone): the caller's own, or a supervisor's specialist's."""
    return due.for_caseload(caller, user, on)
