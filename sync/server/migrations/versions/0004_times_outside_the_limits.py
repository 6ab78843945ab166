"""Records stored before the limits with a time outside 2000..2100 (a year
9999, a 1999) no longer place themselves in a week.

The tallies and the supervisor's week read the weeks' records through
occurred_ms and then ask the domain which week each falls in, which it refuses
for such a time. Clearing their occurred_ms leaves them out of every week;
they are still pulled as they are. Since the limits, no record can come near
either bound: occurred_at is from 2000-01-01 on and never in the future. The
bounds keep a day's margin for UTC offsets.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"

FROM_MS = 946_771_200_000  # 2000-01-02T00:00Z
UNTIL_MS = 4_133_808_000_000  # 2100-12-30T00:00Z


def upgrade() -> None:
    op.execute(
        f"UPDATE records SET occurred_ms = NULL "
        f"WHERE occurred_ms < {FROM_MS} OR occurred_ms >= {UNTIL_MS}"
    )
