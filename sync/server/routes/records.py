import asyncio
import json
import re
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
)

from ..db import iso, utc_now
from ..deps import CallerDep, StoreDep, TokenDep, route
from ..errors import ProtocolError
from ..models import PushIn, Text

router = APIRouter(tags=["sync"])

# Cursors are opaque to devices; inside they are the last seq sent.
CURSOR = re.compile(r"s([0-9]{1,18})")


def _cursor(seq: int) -> str:
    return f"s{seq}"


def _seq_after(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    match = CURSOR.fullmatch(cursor)
    if match is None:
        raise ProtocolError(
            ErrorCode.INVALID,
            "after: this is not a cursor the server gave; pull again without it.",
            field="after",
        )
    return int(match[1])


# Async, so a push goes to no worker thread: the changes are checked here,
# and the token with its group, on the store's committer thread.
@router.post(route(PUSH_PATH))
async def push(body: PushIn, token: TokenDep, store: StoreDep) -> Response:
    """Apply up to 500 changes, one result per change in order."""
    if len(body.changes) > MAX_CHANGES:
        raise ProtocolError(ErrorCode.TOO_MANY_CHANGES)
    done = store.push(token, body.device_id, body.changes, body.pending)
    results = await asyncio.wrap_future(done)
    # Written here: the response model's checks of 500 results cost more than the writing.
    answer = {"results": results, "server_time": iso(utc_now())}
    return Response(json.dumps(answer, separators=(",", ":")), media_type="application/json")


@router.get(route(PULL_PATH))
def pull(
    caller: CallerDep,
    store: StoreDep,
    after: Annotated[Text | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=PULL_LIMIT_MAX)] = PULL_LIMIT_DEFAULT,
) -> Response:
    """The caller's records changed after the cursor, oldest change first."""
    changes, next_seq, more = store.pull(caller, _seq_after(after), limit)
    # The changes go as the store gives them, JSON text that no serializer
    # here sees (records stored before the limits may nest deeper than it allows).
    return Response(
        f'{{"changes":[{",".join(changes)}],"next":{json.dumps(_cursor(next_seq))},'
        f'"more":{json.dumps(more)},"server_time":{json.dumps(iso(utc_now()))}}}',
        media_type="application/json",
    )
