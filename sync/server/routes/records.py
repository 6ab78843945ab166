import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sync.protocol import (
    MAX_CHANGES,
    PULL_LIMIT_DEFAULT,
    PULL_LIMIT_MAX,
    PULL_PATH,
    PUSH_PATH,
    ErrorCode,
    PushResponse,
)

from ..db import iso, utc_now
from ..deps import CallerDep, RecordsDep, TokenDep, route
from ..errors import ProtocolError
from ..models import PushIn, Text
from ..storage.records import PullCursor

router = APIRouter(tags=["sync"])


# Async, so a push goes to no worker thread: the changes are checked here,
# and the token with its group, on the store's committer thread.
@router.post(route(PUSH_PATH))
async def push(body: PushIn, token: TokenDep, records: RecordsDep) -> Response:
    """Apply up to 500 changes, one result per change in order."""
    if len(body.changes) > MAX_CHANGES:
        raise ProtocolError(ErrorCode.TOO_MANY_CHANGES)
    done = records.push(token, body.device_id, body.changes, body.pending)
    results = await asyncio.wrap_future(done)
    # Written here: the response model's checks of 500 results cost more than the writing.
    answer: PushResponse = {"results": results, "server_time": iso(utc_now())}
    return Response(json.dumps(answer, separators=(",", ":")), media_type="application/json")


@router.get(route(PULL_PATH))
def pull(
    caller: CallerDep,
    records: RecordsDep,
    after: Annotated[Text | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=PULL_LIMIT_MAX)] = PULL_LIMIT_DEFAULT,
) -> Response:
    """The caller's records changed after the cursor, oldest change first;
    with `"resend": true` when the cursor shows the store was restored from a
    backup since (an addition to PROTOCOL.md v1 that old devices ignore)."""
    pulled = records.pull(caller, None if after is None else PullCursor.parse(after), limit)
    resend = ',"resend":true' if pulled.resend else ""
    # The changes go as the store gives them, JSON text that no serializer
    # here sees (records stored before the limits may nest deeper than it allows).
    return Response(
        f'{{"changes":[{",".join(pulled.changes)}],"next":{json.dumps(str(pulled.next))},'
        f'"more":{json.dumps(pulled.more)}{resend},"server_time":{json.dumps(iso(utc_now()))}}}',
        media_type="application/json",
    )
