from typing import Annotated, Any

from fastapi import APIRouter, Query

from sync.protocol import DUE_PATH

from ..deps import CallerDep, DueDep, route
from ..models import Text, WeekDay

router = APIRouter(tags=["due"])


@router.get(route(DUE_PATH))
def due(
    caller: CallerDep,
    due: DueDep,
    user: Annotated[Text, Query(max_length=64)],
    on: WeekDay | None = None,
) -> dict[str, Any]:
    """The IPS timed rules not met on one caseload as of `on` (default today in
    the team's zone): the caller's own, or a supervisor's specialist's."""
    return due.for_caseload(caller, user, on)
