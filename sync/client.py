"""The device side of sync protocol v1: enroll, push the outbox, pull changes.

Its errors are `sync.errors`. `sync/` never imports flet: the app listens to `SyncStatus` changes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import httpx

from app.domain import FieldLogError, Record, ValidationError
from app.store import Merged, Outgoing, SetAside, Store, StoreError, StoreLockedError

from .errors import (
    DeviceRevokedError,
    EnrollmentError,
    NotEnrolledError,
    OfflineError,
    RequestError,
    ServerFailedError,
    SyncError,
    TokenInvalidError,
)
from .protocol import (
    CLOCK_AHEAD_LIMIT,
    ENROLL_PATH,
    HEALTH_PATH,
    MAX_CHANGES,
    ME_PATH,
    PAYERS_PATH,
    PULL_LIMIT_DEFAULT,
    PULL_PATH,
    PUSH_PATH,
    DeviceInfo,
    EnrollResponse,
    ErrorCode,
    MeResponse,
    PayersResponse,
    PushStatus,
    TeamInfo,
    UserInfo,
)

SERVER_URL_SECRET = "server_url"
TOKEN_SECRET = "device_token"
ACCOUNT_SECRET = "account"
LAST_SYNC_SECRET = "last_synced_at"
# Not 429: the server sends it only to an enrollment guessing codes, where
# trying again at once would only count more failures.
RETRYABLE_STATUS = {500, 502, 503, 504}
# Batches on the wire at once: while one is checked, others wait at the server
# to commit together in one group, and the disk syncs of phone and server overlap
# (push of 10,000 on PostgreSQL: 14.4k rec/s with two, 17.4k with four).
PUSHES_IN_FLIGHT = 4
ENROLLMENT_REFUSALS = {
    ErrorCode.ENROLLMENT_CODE_INVALID,
    ErrorCode.DEVICE_ID_TAKEN,
    ErrorCode.TOO_MANY_ATTEMPTS,
}
# The scheduler's timings (seconds): a saved change goes out this soon; the
# server is probed this often, and given this long to answer.
PUSH_DELAY = 1.0
PROBE_INTERVAL = 5.0
PROBE_TIMEOUT = 3.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    """What the app shows about sync. Replaced whole, never changed in place.

    - online: None until the server was tried; False after a failed attempt,
      True after any answer from the server. While the phone is unlocked the
      scheduler probes the server every few seconds, so this follows within
      seconds when the server goes away or comes back.
    - offline_reason: why the server could not be reached, while online is
      False; None otherwise.
    - running / phase ("pushing", "pulling", "idle") / done / total: progress
      of the sync under way; done and total count records.
    - pending: changes waiting to be pushed; rejected: changes the server
      refused (quarantined until edited); set_aside: pulled records this
      phone could not store (`Store.inbox.set_aside()` says why; they stay on the
      server, and one comes off the list when a version that fits arrives).
    - last_synced_at: end of the last sync that pushed and pulled everything.
    - error: why the last sync stopped, in plain words, whatever stopped it;
      kept while it is tried again, cleared when a sync succeeds.
    - enroll_again: the server no longer knows this device (a restored
      backup, or the device removed there): only Connect to server with a
      new code lets it sync again; its records stay queued meanwhile.
    """

    online: bool | None = None
    running: bool = False
    phase: str = "idle"
    done: int = 0
    total: int = 0
    pending: int = 0
    rejected: int = 0
    set_aside: int = 0
    last_synced_at: datetime | None = None
    error: str | None = None
    enroll_again: bool = False
    offline_reason: str | None = None


@dataclass
class SyncReport:
    """What one sync did: push results by status, and records pulled."""

    pushed: dict[str, int] = field(default_factory=dict)
    pulled: int = 0
    restamped: int = 0
    set_aside: int = 0  # pulled records this phone could not store
    requeued: int = 0  # records queued again because the server was restored from a backup


Listener = Callable[[SyncStatus], None]


class SyncClient:
    """Syncs one device store with the central store.

    `transport` lets tests put a fault-injecting layer between the client and a
    real server; `sleep` lets them skip the backoff waits.
    """

    def __init__(
        self,
        *,
        store: Store,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 15.0,
        attempts: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        # The sync bookkeeping is the store's outbox and inbox; the link's
        # address and token are among its secrets.
        self._outbox, self._inbox, self._secrets = store.outbox, store.inbox, store.secrets
        self._transport = transport
        self._timeout = timeout
        self._attempts = attempts
        self._backoff = backoff
        self._sleep = sleep
        self._listeners: list[Listener] = []
        self._http: httpx.Client | None = None  # open while a unit of work runs
        self._http_base: str | None = None
        self._http_users = 0
        self._http_lock = threading.Lock()
        self._running = threading.Lock()
        self._status_lock = threading.Lock()
        last = self._secrets.get(LAST_SYNC_SECRET)
        self._status = SyncStatus(last_synced_at=datetime.fromisoformat(last) if last else None)
        self.refresh_counts()

    # ----- status -------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        return self._status

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _update(self, **changes: Any) -> None:
        """The one way the status changes; listeners hear only of real changes.
        A failing listener is logged: it never stops a sync."""
        with self._status_lock:
            new = replace(self._status, **changes)
            if new == self._status:
                return
            self._status = new
        for listener in list(self._listeners):
            try:
                listener(new)
            except Exception:
                log.exception("A sync status listener failed")

    def report_failure(self, error: Exception) -> None:
        """Show why sync stopped (the scheduler's errors outside a sync, too)."""
        self._update(
            error=failure_reason(error), enroll_again=isinstance(error, TokenInvalidError)
        )

    def refresh_counts(self) -> None:
        """Re-read the queue sizes (after a local edit, say). Needs no key, so
        it neither fails on nor keeps awake a phone that locked itself."""
        self._update(
            pending=self._outbox.pending_count(),
            rejected=self._outbox.rejected_count(),
            set_aside=self._inbox.set_aside_count(),
        )

    # ----- enrollment ---------------------------------------------------------

    @property
    def enrolled(self) -> bool:
        return self._secrets.get(TOKEN_SECRET) is not None

    @property
    def account(self) -> dict[str, Any] | None:
        """The enrolled user, team and device, as the server last gave them
        ({"user", "team", "device"})."""
        raw = self._secrets.get(ACCOUNT_SECRET)
        return json.loads(raw) if raw else None

    @property
    def server_url(self) -> str | None:
        return self._secrets.get(SERVER_URL_SECRET)

    def enroll(self, server_url: str, code: str, device_name: str) -> EnrollResponse:
        """Connect this device to a server with a one-time enrollment code; the
        store takes the team's week start, time zone and target, which belong to
        the server from then on."""
        base = normalise_server_url(server_url)
        code = code.strip()
        if not code:
            raise EnrollmentError("Enter the enrollment code your administrator gave you.")
        body = {"code": code, "device_id": self.store.device_id, "device_name": device_name}
        # Connecting again (a restored server): the records here are the
        # holder's, and another user's code would send them again as theirs.
        holder = (self.account or {}).get("user")
        if holder:
            body |= {"for_user": holder["id"], "for_user_name": holder["name"]}
        with self.connected():
            answer: EnrollResponse = self._request(
                "POST", ENROLL_PATH, base=base, json=body, auth=False
            )
        # A server that ignores for_user, or one whose restore lost the holder
        # (re-created under the same name by the administrator).
        if holder and holder["id"] != answer["user"]["id"] and (
            holder["name"] != answer["user"]["name"]
        ):
            raise EnrollmentError(
                f"This phone holds {holder['name']}'s records, and that code is "
                f"{answer['user']['name']}'s. Ask your administrator for a code for "
                f"{holder['name']}."
            )
        device: DeviceInfo = {"id": self.store.device_id, "name": device_name}
        self._take_account(answer["user"], answer["team"], device)
        self._secrets.set(SERVER_URL_SECRET, base)
        self._secrets.set(TOKEN_SECRET, answer["token"])
        self._update(enroll_again=False, error=None)
        return answer

    def _take_account(self, user: UserInfo, team: TeamInfo, device: DeviceInfo) -> None:
        """The account and the team's settings as the server holds them: the
        settings are the server's from then on, and the week index follows."""
        self.store.update_settings(
            week_start=team["week_start"],
            timezone=team["timezone"],
            contact_target=team["contact_target"],
            source="server",
        )
        account = json.dumps({"user": user, "team": team, "device": device})
        if self._secrets.get(ACCOUNT_SECRET) != account:
            self._secrets.set(ACCOUNT_SECRET, account)

    def health(self, *, timeout: float | None = None) -> bool:
        """One GET /v1/health (within `timeout` seconds, if given): True when the
        server answers. The status's online follows; never raises."""
        try:
            base = self.server_url
            if base is None:
                return False
            limit: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
            self._request("GET", HEALTH_PATH, base=base, auth=False, attempts=1, **limit)
        except (SyncError, StoreError):  # StoreError: the phone locked itself meanwhile
            return False
        return True

    # ----- sync ---------------------------------------------------------------

    def sync(self) -> SyncReport | None:
        """Take the account and team settings, push every queued change, then
        pull every change, resuming where an interrupted sync stopped; push
        again what a restored server asked for. Returns None if a sync is
        already running."""
        return self._run(
            self._take_me, self._take_payers, self._push_all, self._pull_all, self._push_requeued
        )

    def pull(self) -> SyncReport | None:
        """Pull only (a supervisor's refresh, or a look before pushing)."""
        return self._run(self._take_me, self._take_payers, self._pull_all)

    def _run(self, *steps: Callable[[SyncReport], None]) -> SyncReport | None:
        if not self._running.acquire(blocking=False):
            return None
        try:
            report = SyncReport()
            self._update(running=True)
            with self.connected():
                for step in steps:
                    step(report)
            now = datetime.now(UTC)
            self._secrets.set(LAST_SYNC_SECRET, now.isoformat())
            self._update(last_synced_at=now, online=True, error=None, enroll_again=False)
            return report
        except StoreLockedError:
            return None  # the phone locked itself meanwhile: unlocking starts the next sync
        except Exception as error:
            self.report_failure(error)
            raise
        finally:
            if not self.store.locked:
                self.refresh_counts()
            self._update(running=False, phase="idle")
            self._running.release()

    def _take_me(self, _report: SyncReport) -> None:
        """GET /v1/me: a change an administrator made to the team (week start,
        time zone, target) or to the user's role reaches the phone at its next
        sync. A server from before /v1/me answers not_found: nothing changes."""
        try:
            answer: MeResponse = self._request("GET", ME_PATH)
        except RequestError as error:
            if error.code == ErrorCode.NOT_FOUND:
                return
            raise
        self._take_account(answer["user"], answer["team"], answer["device"])
        self._inbox.observe_server_time(answer["server_time"])

    def _take_payers(self, _report: SyncReport) -> None:
        """GET /v1/payers: the payers' rules the due list reads (the LRS check,
        authorizations), as the server holds them now. A server from before
        payers answers not_found: the phone keeps what it has."""
        try:
            answer: PayersResponse = self._request("GET", PAYERS_PATH)
        except RequestError as error:
            if error.code == ErrorCode.NOT_FOUND:
                return
            raise
        self.store.take_payers(answer["payers"])

    def _push_all(self, report: SyncReport) -> None:
        """Push the queue oldest first, in batches, PUSHES_IN_FLIGHT at once:
        each goes out and has its answer recorded on a thread of its own while
        this one reads the next, so the phone's work and the server's overlap.
        The queue holds one entry per record, so batches never share a record
        and the order the server takes them in changes no outcome; only the
        last goes after every answer before it, so the pending count the
        server keeps is the last one."""
        total = self._outbox.pending_count()
        self._update(phase="pushing", done=0, total=total)
        done = 0
        restamped = False
        in_flight: deque[tuple[int, Future[dict[str, Any]]]] = deque()  # (size, answer)

        def take_answer() -> dict[str, Any]:
            nonlocal done
            answer = in_flight.popleft()[1].result()
            for result in answer["results"]:
                report.pushed[result["status"]] = report.pushed.get(result["status"], 0) + 1
            done += len(answer["results"])
            return answer

        with ThreadPoolExecutor(PUSHES_IN_FLIGHT, thread_name_prefix="sync-push") as pushing:
            batch = self._outbox.outgoing(MAX_CHANGES)
            while batch or in_flight:
                if batch and len(in_flight) < PUSHES_IN_FLIGHT:
                    # Counting the batches still out too: should one of them
                    # fail, the server is told too many waiting, never too few.
                    behind = self._outbox.pending_count(after=batch[-1].version)
                    if behind or not in_flight:
                        waiting = behind + sum(size for size, _ in in_flight)
                        pushed = pushing.submit(self._push_batch, batch, waiting)
                        in_flight.append((len(batch), pushed))
                        batch = self._outbox.outgoing(MAX_CHANGES, after=batch[-1].version)
                        continue
                answer = take_answer()
                clock_ahead = any(
                    r["status"] == PushStatus.REJECTED
                    and r.get("error", {}).get("code") == ErrorCode.CLOCK_AHEAD
                    for r in answer["results"]
                )
                if clock_ahead and not restamped:
                    # The phone's clock was set ahead: versions are now taken
                    # from server time, and the refused changes go again with
                    # new ones, which sort before where the pushing had got to.
                    restamped = True
                    while in_flight:
                        take_answer()
                    report.restamped = self._outbox.restamp_ahead(
                        answer["server_time"], CLOCK_AHEAD_LIMIT
                    )
                    total += report.restamped
                    batch = self._outbox.outgoing(MAX_CHANGES)
                pending = self._outbox.pending_count()
                self._update(done=done, total=max(total, done), pending=pending)

    def _push_batch(self, batch: list[Outgoing], waiting: int) -> dict[str, Any]:
        """Push one batch and record the server's answer: acknowledged entries
        leave the queue. `waiting` is how many stay queued behind it."""
        body = (
            f'{{"device_id":{json.dumps(self.store.device_id)},'
            f'"changes":[{",".join(change.wire for change in batch)}],"pending":{waiting}}}'
        )
        answer = self._request("POST", PUSH_PATH, json_text=body)
        results = answer.get("results")
        if not isinstance(results, list) or [r.get("id") for r in results] != [
            change.id for change in batch
        ]:
            raise ServerFailedError(
                "The server's answer did not match the records sent. Try later."
            )
        self._outbox.acknowledge(
            (
                (change.id, change.version, result["status"], result.get("error"))
                for change, result in zip(batch, results, strict=True)
            ),
            server_time=answer["server_time"],
        )
        return answer

    def _push_requeued(self, report: SyncReport) -> None:
        """Records queued again by the pull (`resend`) go in this same sync."""
        if report.requeued:
            self._push_all(report)

    def _pull_all(self, report: SyncReport) -> None:
        """Pull page after page. Each is checked and stored on a second thread
        while the next is fetched, so the phone's work and the server's
        overlap; pages are stored in order, each with its cursor, so an
        interrupted pull resumes after the last page stored."""
        self._update(phase="pulling", done=0, total=0)
        page = self._fetch_page(self._inbox.cursor)
        with ThreadPoolExecutor(1, thread_name_prefix="sync-store") as storing:
            while True:
                stored = storing.submit(self._store_page, page)
                following = self._fetch_page(page["next"]) if page["more"] else None
                self._count_pulled(report, *stored.result())
                if following is None:
                    return
                page = following

    def _fetch_page(self, cursor: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": PULL_LIMIT_DEFAULT}
        if cursor is not None:
            params["after"] = cursor
        answer: dict[str, Any] = self._request("GET", PULL_PATH, params=params)
        return answer

    def _store_page(self, page: dict[str, Any]) -> tuple[Merged, int, int]:
        """Check and store a pulled page: what it changed, its size, and how
        many records were queued again.

        A page with `resend` (the server was restored from a backup that may
        lack records it acknowledged) queues every record here again before
        its cursor is stored, so a pull cut short asks again."""
        requeued = self._outbox.requeue_all() if page.get("resend") else 0
        records, unreadable = [], []
        for raw in page["changes"]:
            try:
                records.append(Record.from_wire(raw))
            except ValidationError as error:
                unreadable.append(_set_aside(raw, error))
        merged = self._inbox.apply_pulled(
            records, page["next"], set_aside=unreadable, server_time=page["server_time"]
        )
        return merged, len(page["changes"]), requeued

    def _count_pulled(self, report: SyncReport, merged: Merged, size: int, requeued: int) -> None:
        report.pulled += merged.changed
        report.set_aside += merged.set_aside
        report.requeued += requeued
        done = self._status.done + size
        self._update(done=done, total=done)
        if requeued:
            self._update(pending=self._outbox.pending_count())

    # ----- HTTP ---------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        base: str | None = None,
        auth: bool = True,
        attempts: int | None = None,
        document: bool = False,
        json_text: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """One protocol call with retries on lost connections, time-outs and 5xx.
        Every call is safe to repeat: pushes are idempotent on the server.
        With `document`, a successful answer is a file (a PDF, a CSV): its bytes.
        `json_text` is a body written as JSON already."""
        base = base or self.server_url
        headers = {}
        if json_text is not None:
            headers["Content-Type"] = "application/json"
            kwargs["content"] = json_text.encode()
        if auth:
            token = self._secrets.get(TOKEN_SECRET)
            if base is None or token is None:
                raise NotEnrolledError(
                    "This device is not connected to a server yet: in Settings, "
                    "choose Connect to server."
                )
            headers["Authorization"] = f"Bearer {token}"
        assert base is not None
        tries = attempts or self._attempts
        for attempt in range(1, tries + 1):
            try:
                with self.connected():
                    response = self._client_for(base).request(
                        method, path, headers=headers, **kwargs
                    )
            except httpx.TransportError as error:
                unreachable = f"The server at {base} cannot be reached ({_why(error)})."
                self._update(online=False, offline_reason=unreachable)
                if attempt == tries:
                    raise OfflineError(
                        f"{unreachable} Your records are safe on this device; sync again "
                        "when you have a connection."
                    ) from None
            else:
                self._update(online=True, offline_reason=None)
                if response.status_code not in RETRYABLE_STATUS:
                    if document and response.is_success:
                        return response.content
                    return self._answer(response)
                if attempt == tries:
                    self._answer(response)  # raises with the server's words
            self._sleep(self._backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    @contextmanager
    def connected(self) -> Iterator[None]:
        """Calls made inside share one connection (a TLS handshake per call costs
        tens of milliseconds); it closes when the last user leaves, so an idle
        phone holds no socket and nothing needs closing by hand."""
        with self._http_lock:
            self._http_users += 1
        try:
            yield
        finally:
            with self._http_lock:
                self._http_users -= 1
                if self._http_users == 0 and self._http is not None:
                    self._http.close()
                    self._http = None

    def _client_for(self, base: str) -> httpx.Client:
        with self._http_lock:
            if self._http is None or self._http_base != base:
                if self._http is not None:
                    self._http.close()
                self._http = httpx.Client(
                    base_url=base, transport=self._transport, timeout=self._timeout
                )
                self._http_base = base
            return self._http

    def _answer(self, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success and isinstance(body, dict):
            return body
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or "code" not in error:
            raise ServerFailedError(
                f"The server answered in a way this app does not understand (HTTP "
                f"{response.status_code}). Check the server address in Settings."
            )
        code, message = str(error["code"]), str(error.get("message", ""))
        if code == ErrorCode.DEVICE_REVOKED:
            self.store.erase("because an administrator disconnected this device")
            raise DeviceRevokedError(message)
        if code == ErrorCode.TOKEN_INVALID:
            raise TokenInvalidError(message)
        if code in ENROLLMENT_REFUSALS:
            wait = response.headers.get("Retry-After", "")
            if code == ErrorCode.TOO_MANY_ATTEMPTS and wait.isdigit():
                minutes = max(1, -(-int(wait) // 60))
                message = (
                    f"{message.rstrip('.')}. You can try again in about "
                    f"{minutes} minute{'s' if minutes > 1 else ''}."
                )
            raise EnrollmentError(message)
        if response.status_code >= 500:
            raise ServerFailedError(message)
        raise RequestError(code, message)


def failure_reason(error: Exception) -> str:
    """Why sync stopped, for the Sync screen. The app's own errors say it
    plainly already; anything else is a fault in the app."""
    if isinstance(error, SyncError | FieldLogError):
        return str(error)
    return (
        f"Sync stopped because of a fault in the app ({type(error).__name__}). It tries "
        "again by itself; if this keeps happening, tell your administrator."
    )


def normalise_server_url(text: str) -> str:
    """A server address as typed ("fieldlog.example.org", "http://127.0.0.1:8700/")
    made into a base URL; plain HTTP only on loopback (PROTOCOL.md: HTTPS in production)."""
    url = text.strip().rstrip("/")
    if not url:
        raise EnrollmentError("Enter the server address your administrator gave you.")
    if "://" not in url:
        loopback = url.startswith(("127.", "localhost", "[::1]"))
        url = ("http://" if loopback else "https://") + url
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise EnrollmentError(
            f"{text!r} is not a server address, like https://fieldlog.example.org"
        )
    if parsed.scheme == "http" and parsed.host not in ("127.0.0.1", "localhost", "::1"):
        raise EnrollmentError(
            "Use an https:// address: records are health information and must travel encrypted."
        )
    return url


def _set_aside(raw: object, error: ValidationError) -> SetAside:
    """A pulled change this app cannot take (from a newer app version, or
    accepted by an older server), described as sent."""
    fields = raw if isinstance(raw, Mapping) else {}

    def sent(name: str) -> str:
        return str(fields.get(name, ""))[:100]

    return SetAside(sent("id"), sent("kind"), sent("version"), str(error))


def _why(error: httpx.TransportError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(error, httpx.ConnectError):
        return "no connection"
    return "the connection was cut"


class SyncScheduler:
    """Runs syncs on one background thread while the phone is unlocked and
    enrolled:

    - within `push_delay` seconds of a local change (`changed`);
    - when asked (`request`: unlocking, Sync now);
    - when a probe finds the server back while changes wait;
    - every `interval` seconds while changes wait;
    - after a failure, again after `retry_delay` seconds, doubled at each
      failure in a row up to `interval`.

    Every `probe_interval` seconds (None: never) it asks GET /v1/health once,
    given `probe_timeout` seconds, so SyncStatus.online follows the server
    within seconds. Only `stop` and a revoked device end the thread: any
    other failure is logged, its reason shown in SyncStatus.error, and sync
    tried again. Waits are cancellable.
    """

    def __init__(
        self,
        client: SyncClient,
        *,
        interval: float = 180.0,
        retry_delay: float = 5.0,
        push_delay: float = PUSH_DELAY,
        probe_interval: float | None = PROBE_INTERVAL,
        probe_timeout: float = PROBE_TIMEOUT,
    ) -> None:
        self.client = client
        self.interval = interval
        self.retry_delay = retry_delay
        self.push_delay = push_delay
        self.probe_interval = probe_interval
        self.probe_timeout = probe_timeout
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._requested = False
        self._push_at: float | None = None
        self._next_sync = 0.0
        self._next_probe = 0.0
        self._failures = 0  # in a row
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)

    def start(self) -> SyncScheduler:
        now = time.monotonic()
        self._next_sync = now + self.interval
        self._next_probe = now
        self._thread.start()
        return self

    def request(self) -> None:
        """Sync as soon as possible (after unlocking, on Sync now)."""
        with self._lock:
            self._requested = True
        self._wake.set()

    def changed(self) -> None:
        """A change was saved on this phone: push it within `push_delay` seconds
        (changes saved meanwhile go with it)."""
        with self._lock:
            if self._push_at is None:
                self._push_at = time.monotonic() + self.push_delay
        self._wake.set()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            self._wake.wait(self._seconds_to_next())
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                self._tick()
            except DeviceRevokedError:
                return  # the store is erased: nothing is left to sync
            except Exception as error:
                self._failed(error)

    def _ready(self) -> bool:
        """Unlocked and enrolled; never raises (the phone may lock itself any time)."""
        try:
            return not self.client.store.locked and self.client.enrolled
        except StoreError:
            return False

    def _seconds_to_next(self) -> float:
        if not self._ready():
            return self.interval  # or until woken: unlocking asks for a sync
        with self._lock:
            if self._requested:
                return 0.0
            times = [self._next_sync, self._push_at]
        if self.probe_interval is not None:
            times.append(self._next_probe)
        return max(0.0, min(t for t in times if t is not None) - time.monotonic())

    def _tick(self) -> None:
        if not self._ready():
            return
        now = time.monotonic()
        if self.probe_interval is not None and now >= self._next_probe:
            self._next_probe = now + self.probe_interval
            self._probe()
        with self._lock:
            requested, self._requested = self._requested, False
            pushing = self._push_at is not None and now >= self._push_at
            if pushing:
                self._push_at = None
        if not (requested or pushing) and now < self._next_sync:
            return
        self._next_sync = now + self.interval
        if requested or pushing or self._failures or self.client.store.outbox.pending_count():
            self.client.sync()
            self._failures = 0

    def _probe(self) -> None:
        """Is the server there? Coming back while changes wait asks for a sync."""
        was_offline = self.client.status.online is False
        back = self.client.health(timeout=self.probe_timeout) and was_offline
        if back and (self._failures or self.client.store.outbox.pending_count()):
            with self._lock:
                self._requested = True

    def _failed(self, error: Exception) -> None:
        self._failures += 1
        delay = min(self.interval, self.retry_delay * 2 ** (self._failures - 1))
        self._next_sync = time.monotonic() + delay
        if isinstance(error, SyncError):  # offline and the like: normal in the field
            log.info("Sync stopped: %s", error)
        else:
            log.error("Sync failed", exc_info=error)
        self.client.report_failure(error)
