"""Sync protocol v1 as code: the one module both the phone and the server import.

Everything here mirrors PROTOCOL.md: paths, limits, status words, error codes
and the shapes of the JSON messages. It imports nothing beyond the standard
library, so the phone can import it without the server's dependencies.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any, Literal, NotRequired, TypedDict, get_args

PROTOCOL_VERSION = 1

API_PREFIX = "/v1"
HEALTH_PATH = f"{API_PREFIX}/health"
ME_PATH = f"{API_PREFIX}/me"
ENROLL_PATH = f"{API_PREFIX}/devices/enroll"
PUSH_PATH = f"{API_PREFIX}/sync/push"
PULL_PATH = f"{API_PREFIX}/sync/pull"
TALLIES_PATH = f"{API_PREFIX}/tallies"
TEAM_WEEK_PATH = f"{API_PREFIX}/team/week"
TEAM_REVIEW_PATH = f"{API_PREFIX}/team/review"
TEAM_EXPORT_PATH = f"{API_PREFIX}/team/export"  # the weekly tracking form, CSV or PDF
DUE_PATH = f"{API_PREFIX}/due"  # the IPS timed rules of one caseload
TEAM_FIDELITY_PATH = f"{API_PREFIX}/team/fidelity"
# The fidelity evidence report (PDF) or the quarters' outcomes (CSV): an extra of v1.
TEAM_FIDELITY_REPORT_PATH = f"{API_PREFIX}/team/fidelity/report"
PAYERS_PATH = f"{API_PREFIX}/payers"  # each health plan's billing rule (any user)
TEAM_BILLING_PATH = f"{API_PREFIX}/team/billing"  # the monthly billing worksheet
ExportFormat = Literal["csv", "pdf"]
EXPORT_FORMATS: tuple[str, ...] = get_args(ExportFormat)
WorksheetFormat = Literal["json", "csv", "pdf"]

MAX_CHANGES = 500  # per push
MAX_BODY_BYTES = 1024 * 1024  # larger request bodies get 413
PULL_LIMIT_DEFAULT = 500
PULL_LIMIT_MAX = 1000
TALLY_WEEKS_DEFAULT = 8
TALLY_WEEKS_MAX = 52
# GET /v1/team/fidelity?quarters=N: the outcomes of N quarters ending with the
# one asked for (an extra of v1, for the app's chart of the employment rate).
FIDELITY_QUARTERS_DEFAULT = 1
FIDELITY_QUARTERS_MAX = 8
CLOCK_AHEAD_LIMIT = timedelta(hours=24)  # a version further ahead of server time is rejected
ENROLLMENT_CODE_LIFETIME = timedelta(hours=72)
# After this many failed enrollments from one address within the window,
# further attempts from it get 429 until the window has passed.
ENROLLMENT_FAILURES_ALLOWED = 10
ENROLLMENT_FAILURE_WINDOW = timedelta(minutes=10)


class PushStatus(StrEnum):
    """The status of one change in a push result."""

    APPLIED = "applied"  # stored: a new record, or newer than the stored version
    DUPLICATE = "duplicate"  # this id and version is already stored: nothing changed
    STALE = "stale"  # the stored version is newer; the device gets it on pull
    REJECTED = "rejected"  # not stored; `error` says why


class ErrorCode(StrEnum):
    """Every error code the server sends, in responses and in rejected push results."""

    # Whole requests
    ENROLLMENT_CODE_INVALID = "enrollment_code_invalid"
    DEVICE_ID_TAKEN = "device_id_taken"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    TOKEN_INVALID = "token_invalid"
    DEVICE_REVOKED = "device_revoked"
    FORBIDDEN = "forbidden"
    TOO_MANY_CHANGES = "too_many_changes"
    INVALID = "invalid"
    MALFORMED_JSON = "malformed_json"
    BODY_TOO_LARGE = "body_too_large"
    REQUEST_TIMEOUT = "request_timeout"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    BAD_REQUEST = "bad_request"
    INTERNAL_ERROR = "internal_error"
    # One change in a push (INVALID and FORBIDDEN are used there too)
    UNKNOWN_KIND = "unknown_kind"
    CLOCK_AHEAD = "clock_ahead"


# Default messages: plain English a specialist can act on. The server may send
# a more specific message (for `invalid` it names the field).
ERROR_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.ENROLLMENT_CODE_INVALID: (
        "This enrollment code is wrong, already used or older than 72 hours. "
        "Ask your administrator for a new code."
    ),
    ErrorCode.DEVICE_ID_TAKEN: (
        "This device is already connected for another person. To connect it for you, "
        "start afresh on the phone (erase the app's data), then enroll with your code."
    ),
    ErrorCode.TOO_MANY_ATTEMPTS: (
        "Too many wrong enrollment codes were tried from this network. Wait a few "
        "minutes, then type the code again carefully."
    ),
    ErrorCode.TOKEN_INVALID: (
        "The server does not recognise this device. Connect it again with a new "
        "enrollment code from your administrator."
    ),
    ErrorCode.DEVICE_REVOKED: (
        "This device has been disconnected by your administrator. Its records are "
        "erased from the device; ask your administrator if you need access again."
    ),
    ErrorCode.FORBIDDEN: "Your account is not allowed to do this. Ask your supervisor.",
    ErrorCode.TOO_MANY_CHANGES: (
        f"Too many changes in one sync (at most {MAX_CHANGES}). Nothing was saved; "
        "the app sends them again in smaller batches."
    ),
    ErrorCode.INVALID: "Some information is missing or not in the right form.",
    ErrorCode.MALFORMED_JSON: (
        "The server could not read the request. Update the app; if it keeps "
        "happening, tell your administrator."
    ),
    ErrorCode.BODY_TOO_LARGE: (
        f"The request is larger than the server accepts ({MAX_BODY_BYTES // 1024} KiB). "
        "The app sends it again in smaller batches."
    ),
    ErrorCode.REQUEST_TIMEOUT: (
        "The request stopped arriving before it was complete. Check the connection; "
        "the app sends it again."
    ),
    ErrorCode.NOT_FOUND: "The server has no such address. Check the server address in Settings.",
    ErrorCode.METHOD_NOT_ALLOWED: (
        "The server does not accept this kind of request here. Update the app."
    ),
    ErrorCode.BAD_REQUEST: "The server could not understand the request. Update the app.",
    ErrorCode.INTERNAL_ERROR: (
        "Something went wrong on the server. Your records are safe on this device; "
        "try again later, and tell your administrator if it keeps happening."
    ),
    ErrorCode.UNKNOWN_KIND: (
        "This kind of record is not known to the server. Update the app or the server."
    ),
    ErrorCode.CLOCK_AHEAD: (
        "This record is dated more than 24 hours ahead of the server's clock. "
        "Check the date and time on this device, then edit the record to send it again."
    ),
}


# --- Messages -------------------------------------------------------------------


class ErrorBody(TypedDict):
    code: str  # an ErrorCode value
    message: str
    field: NotRequired[str]  # for `invalid`: the field at fault


class ErrorResponse(TypedDict):
    error: ErrorBody


class HealthResponse(TypedDict):
    status: str  # "ok"
    protocol: int
    server_time: str  # ISO 8601 UTC
    kinds: list[str]  # the record kinds this server accepts


class EnrollRequest(TypedDict):
    code: str
    device_id: str
    device_name: str


class UserRef(TypedDict):
    id: str
    name: str


class UserInfo(UserRef):
    role: str  # "specialist" | "supervisor" | "admin"


class TeamInfo(TypedDict):
    id: str
    name: str
    week_start: str  # "monday" … "sunday"
    timezone: str  # an IANA zone, like "America/Chicago"
    contact_target: int


class EnrollResponse(TypedDict):
    token: str
    user: UserInfo
    team: TeamInfo


class DeviceInfo(TypedDict):
    id: str
    name: str


class MeResponse(TypedDict):
    """GET /v1/me: the team's settings belong to the server; devices take them
    at enrollment and at the start of every sync."""

    user: UserInfo
    team: TeamInfo
    device: DeviceInfo
    server_time: str


class WireRecord(TypedDict):
    id: str
    kind: str
    version: str
    deleted: bool
    data: dict[str, Any]


class PulledRecord(WireRecord):
    seq: int


class PushRequest(TypedDict):
    device_id: str
    changes: list[WireRecord]
    pending: int  # records still queued on the device after this batch


class PushResult(TypedDict):
    id: str
    status: str  # a PushStatus value
    error: NotRequired[ErrorBody]  # only when status is "rejected"


class PushResponse(TypedDict):
    results: list[PushResult]
    server_time: str


class PullResponse(TypedDict):
    changes: list[PulledRecord]
    next: str  # opaque cursor: send it back as `after`
    more: bool
    server_time: str
    # Beyond v1, only when true: the store was restored from a backup since
    # the cursor sent, so this pull starts over and the device sends every
    # record it holds again.
    resend: NotRequired[bool]


class SinceReview(TypedDict):
    """What changed in a reviewed week since its review (an extra of team/week)."""

    added: list[str]  # ids of contacts new to the week
    edited: list[str]  # ids of contacts edited
    removed: int  # contacts deleted or moved out of the week


class ReviewInfo(TypedDict):
    by: UserRef  # the supervisor who reviewed
    at: str  # ISO 8601 UTC
    count: int | None  # the week's count when reviewed (None: an old review, count not kept)
    changed: bool  # an employer contact of the week was added, edited or deleted since
    since_review: NotRequired[SinceReview]  # GET /v1/team/week only, when changed


class DueCounts(TypedDict):
    """A tallies row's items of the specialist's caseload as of today."""

    overdue: int
    due: int  # due within the next 7 days


class TallyRow(TypedDict):
    user: UserRef
    counts: list[int]  # oldest week first
    # Mean count of the weeks shown that have ended and start on or after `since`.
    average: float | None
    since: str  # YYYY-MM-DD: the first week the specialist worked with the app
    pending: int
    last_sync: str | None
    reviews: list[ReviewInfo | None]  # one per week, oldest first
    due: DueCounts


class TalliesResponse(TypedDict):
    team: TeamInfo
    target: int
    weeks: list[str]  # week start dates, oldest first
    rows: list[TallyRow]


class TeamWeekResponse(TypedDict):
    user: UserRef
    week_start: str
    count: int
    target: int
    contacts: list[WireRecord]  # the week's employer contacts, newest first
    review: ReviewInfo | None


class TeamReviewRequest(TypedDict):
    user: str  # user id
    week: str  # YYYY-MM-DD, any day of the week


class TeamReviewResponse(TypedDict):
    review: ReviewInfo


class DueItemInfo(TypedDict):
    rule: str  # one of app.domain.RULE_IDS
    member_id: str
    member: str  # the member's display name
    due: str  # YYYY-MM-DD
    status: str  # "overdue" | "due" (within the next 7 days) | "upcoming"
    evidence: str  # the record that would meet the rule, in a sentence
    says: str  # what to do, as screens show it (an extra of v1)


class DueResponse(TypedDict):
    """GET /v1/due?user=&on=: a caseload's timed rules not met, by due date."""

    user: UserRef
    on: str  # YYYY-MM-DD
    items: list[DueItemInfo]


class AnchorInfo(TypedDict):
    rating: int  # 5 down to 1
    says: str  # the values earning it, like "21-25" or "65% or more"
    verified: bool  # checked against the published IPS Fidelity Scale


# The rows behind each item (`records`, an extra of v1): what the app shows
# on a tap and the report prints. `specialist` is a UserRef in every row.
class CaseloadRow(TypedDict):  # caseload_size: one per specialist, largest first
    specialist: UserRef
    active: int  # members active on the period's last day (or today)
    members: list[dict[str, str]]  # {"id", "name", "program_entry"}


class ContactWeeksRow(TypedDict):  # frequent_employer_contact: one per specialist
    specialist: UserRef
    since: str  # YYYY-MM-DD: the first week the specialist worked with the app
    weeks: list[str]  # start days of the weeks counted: ended, not before `since`
    counts: list[int]  # face-to-face employer contacts of each of those weeks
    average: float | None


class FirstContactRow(TypedDict):  # rapid_job_search: one per member entered in the 12 months
    specialist: UserRef
    member_id: str
    member: str
    program_entry: str
    first_contact: str | None  # None: none by the period's end (left out of the mean)
    days: int | None
    late: bool  # more than 30 days from entry to the first contact, or none after 30


class MinutesRow(TypedDict):  # community_based_services: one per specialist
    specialist: UserRef
    visits: int  # member visits of the period
    minutes: int
    community_minutes: int
    without_minutes: int  # visits that give no minutes


class MissedVisit(TypedDict):
    rule: str  # "follow_along_weekly" | "follow_along_monthly"
    due: str  # YYYY-MM-DD


class FollowAlongRow(TypedDict):  # follow_along: one per member with items due
    specialist: UserRef
    member_id: str
    member: str
    employer: str  # of the job followed last
    items: int  # follow-along items due in the period (each visit starts the next)
    on_time: int  # of them, met by a face-to-face visit by the due day
    missed: list[MissedVisit]


class JobRow(TypedDict):  # diversity_of_*, competitive_jobs: one per job of the 12 months
    specialist: UserRef
    job_id: str
    member_id: str
    member: str
    employer: str
    title: str
    start_date: str
    competitive: bool | None  # None: not marked
    counted: bool  # counts toward the share: an employer (title) no other job has; competitive


class FidelityItemInfo(TypedDict):
    item: str  # caseload_size, frequent_employer_contact, rapid_job_search, ...
    value: float | None  # a share from 0 to 1, days, an average or a count; None: cannot tell
    rating: int | None  # 1-5; None when the log cannot tell
    evidence: str  # a sentence a reviewer can check
    anchors: list[AnchorInfo]  # an extra of v1
    records: list[Any]  # an extra of v1: the item's rows, above


class ServedRow(TypedDict):  # outcomes: one per member served
    specialist: UserRef
    member_id: str
    member: str
    program_entry: str
    closed_on: str | None  # the day of the closing's record change
    worked: bool  # held a competitive job on a day of the period
    employer: str | None  # of that job (the latest started)
    job_starts: int  # competitive jobs started in the period


class Benchmarks(TypedDict):
    minimum: float
    average: float
    excellent: float


class OutcomesInfo(TypedDict):
    served: int  # members active on any day of the period
    worked: int  # of them, those with a competitive job on any day of it
    employment_rate: float | None  # worked / served; None when none was served
    job_starts: int  # competitive jobs of served members started in the period
    benchmarks: Benchmarks
    records: list[ServedRow]  # an extra of v1


class Period(TypedDict):
    start: str  # YYYY-MM-DD, the quarter's first day
    end: str  # its last day, included


class QuarterOutcomes(TypedDict):
    quarter: str  # YYYY-Qn
    period: Period
    served: int
    worked: int
    employment_rate: float | None
    job_starts: int


class FidelityResponse(TypedDict):
    """GET /v1/team/fidelity?quarter=YYYY-Qn&quarters=N (supervisor)."""

    team: TeamInfo
    quarter: str  # an extra of v1: the quarter, YYYY-Qn
    period: Period
    as_of: str  # an extra of v1: today in the team's zone; the log as it stood then
    items: list[FidelityItemInfo]
    outcomes: OutcomesInfo
    # An extra of v1: the outcomes of `quarters` quarters ending with this one, oldest first.
    outcomes_by_quarter: list[QuarterOutcomes]


class PayerInfo(TypedDict):
    id: str
    name: str
    state: str  # two letters
    billing: str  # per_encounter | monthly_bundle | pros | none
    code: str | None
    modifier: str | None
    modifier_at: int | None
    modifier_per: str  # month | encounter
    needs_authorization: bool


class PayersResponse(TypedDict):
    """GET /v1/payers (any user)."""

    payers: list[PayerInfo]


class BillingLine(TypedDict):
    code: str | None
    modifier: str | None
    units: int


class BillingRowInfo(TypedDict):
    member_id: str
    member: str
    specialist: str
    payer: str
    encounters: list[str]  # YYYY-MM-DD
    lines: list[BillingLine]
    billable: bool
    blockers: list[str]  # no_authorization | units_exceeded | lrs_not_documented | ...


class BillingTotal(TypedDict):  # an extra of v1: one per payer of the rows
    payer: str
    members: int
    billable: int
    encounters: int
    lines: list[BillingLine]  # the billable rows' units by code and modifier


class BillingResponse(TypedDict):
    """GET /v1/team/billing?month=YYYY-MM (supervisor)."""

    team: TeamInfo
    month: str
    rows: list[BillingRowInfo]
    totals: list[BillingTotal]


def error_body(
    code: ErrorCode, message: str | None = None, *, field: str | None = None
) -> ErrorBody:
    """An error object with the code's default message unless a specific one is given."""
    body: ErrorBody = {"code": code.value, "message": message or ERROR_MESSAGES[code]}
    if field is not None:
        body["field"] = field
    return body
