"""`python -m sync.server COMMAND --db URL`: run and administer the central store.

A thin layer over CentralStore. Mistakes print one clear line on stderr and
exit with status 1; no tracebacks.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from app.domain import DEFAULT_TARGET, ITEMS, WEEKDAYS, Quarter, ValidationError
from app.domain.billing import Month
from app.domain.kinds import parse_date
from app.domain.payers import BILLING_RULES, MODIFIER_PER, Payer
from sync.protocol import EXPORT_FORMATS, FIDELITY_QUARTERS_MAX

from .db import utc_now
from .demo import SPECIALISTS, SUPERVISOR, TEAM, WEEKS, set_up
from .errors import AdminError
from .export import FORMATS, due_csv, tracking_form
from .models import MAX_WEEK_DAY, MIN_WEEK_DAY
from .report import REPORT_FORMATS
from .settings import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_DATABASE_URL,
    DEFAULT_HOST,
    DEFAULT_PORT,
    Settings,
    is_sqlite,
)
from .store import ROLES, CentralStore, Team
from .worksheet import WORKSHEET_FORMATS


def serve(args: argparse.Namespace) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from .app import listen, serving_app

    settings = Settings(
        database_url=args.db, host=args.host, port=args.port, body_timeout=args.body_timeout
    )
    if args.workers < 1:
        raise AdminError("--workers: give 1 or more.")
    if args.workers > 1 and is_sqlite(settings.database_url):
        raise AdminError(
            "SQLite takes one writer at a time, so it is served by one process: "
            "drop --workers, or use PostgreSQL for more."
        )
    if args.workers == 1:
        app: Any = serving_app(settings)
    else:
        # Migrated here, once: workers starting together would race to do it.
        CentralStore.open(settings.database_url).close()
        # Each worker process makes its own app, with its own connection pool.
        app = functools.partial(serving_app, settings)
    # Bind here so port 0 works and the real address can be announced.
    sock = listen(args.host, args.port)
    port = sock.getsockname()[1]
    processes = f" ({args.workers} worker processes)" if args.workers > 1 else ""
    print(f"Central store listening on http://{args.host}:{port}{processes}", flush=True)
    config = uvicorn.Config(
        app,
        factory=args.workers > 1,
        workers=args.workers,
        log_level="info",
        timeout_graceful_shutdown=5,
    )
    if args.workers == 1:
        uvicorn.Server(config).run(sockets=[sock])
    else:
        Multiprocess(config, sockets=[sock]).run()


def add_team(args: argparse.Namespace) -> None:
    with _store(args) as store:
        team = store.admin.add_team(
            args.name,
            week_start=args.week_start,
            timezone=args.timezone,
            contact_target=args.target,
        )
    s = team.settings
    print(
        f"Team {team.name!r}: weeks start {s.week_start}, {s.timezone}, "
        f"target {s.contact_target} contacts a week."
    )


def set_team(args: argparse.Namespace) -> None:
    target = None if args.target is None else _whole_number(args.target, "--target")
    with _store(args) as store:
        team = store.admin.set_team(
            args.name, week_start=args.week_start, timezone=args.timezone, contact_target=target
        )
    s = team.settings
    print(
        f"Team {team.name!r} now: weeks start {s.week_start}, {s.timezone}, "
        f"target {s.contact_target} contacts a week. Devices take this at their next sync."
    )


def add_user(args: argparse.Namespace) -> None:
    start = None if args.start is None else _start_date(args.start)
    with _store(args) as store:
        store.admin.add_user(args.name, role=args.role, team=args.team, started_on=start)
    since = f", started {start}" if start else ""
    print(f"User {args.name!r} ({args.role}) added to team {args.team!r}{since}.")


def set_user(args: argparse.Namespace) -> None:
    start = _start_date(args.start)
    with _store(args) as store:
        store.admin.set_user_start(args.user, start)
    print(f"User {args.user!r} started {start}: averages count the weeks from that week on.")


def _start_date(text: str) -> date:
    try:
        return parse_date(text, "--start")
    except ValidationError as exc:
        raise AdminError(f"{exc.field}: {exc.problem}.") from None


def _whole_number(text: str, option: str) -> int:
    if not re.fullmatch(r"-?[0-9]+", text):
        raise AdminError(f"{option}: {text!r} is not a whole number.")
    return int(text)


def enroll_code(args: argparse.Namespace) -> None:
    with _store(args) as store:
        code = store.admin.make_enrollment_code(args.user)
    print(f"Enrollment code for {args.user!r}: single use, valid 72 hours.")
    print(code)


def revoke_device(args: argparse.Namespace) -> None:
    with _store(args) as store:
        store.admin.revoke_device(args.device_id)
    print(f"Device {args.device_id} revoked: its next sync erases its local records.")


def restored(args: argparse.Namespace) -> None:
    with _store(args) as store:
        store.admin.restored()
    print(
        "From their next sync, every device pulls all its records from the start and "
        "sends every record it holds again, so what reached the store after the backup "
        "comes back."
    )


def list_users(args: argparse.Namespace) -> None:
    with _store(args) as store:
        people = store.admin.list_users()
    if not people:
        print("No users yet: add a team with add-team, then users with add-user.")
    for user in people:
        print(f"{user['name']}  ({user['role']}, team {user['team']})")
        for device in user["devices"]:
            state = (
                "revoked" if device["revoked"] else f"last sync {device['last_sync'] or 'never'}"
            )
            print(f"    device {device['id']}  {device['name']!r}  {state}")


def export(args: argparse.Namespace) -> None:
    """Write a team's weekly tracking form; checked here so each mistake is one line."""
    if args.format not in EXPORT_FORMATS:
        raise AdminError(
            f"{args.format!r} is not a format; choose one of {', '.join(EXPORT_FORMATS)}."
        )
    day = _day(args.week, "any day of the week")
    with _store(args) as store:
        team = _team(store, args.team)
        form = tracking_form(store.team, team, day)
    out = _write(args.out, FORMATS[args.format][1](form))
    contacts = sum(len(week.tally.contacts) for week in form.weeks)
    print(
        f"Tracking form of {team.name!r}, week {form.week_start} to {form.week_end}: "
        f"{len(form.weeks)} specialists, {contacts} contacts, written to {out}."
    )


def due(args: argparse.Namespace) -> None:
    """Write what is due on every caseload of a team, as of a day, as CSV."""
    day = None if args.on is None else _day(args.on, "the day")
    with _store(args) as store:
        team = _team(store, args.team)
        day = day or team.settings.local_date(utc_now())
        listed = store.due.for_team(team, day)
    out = _write(args.out, due_csv(listed))
    overdue = sum(item.status == "overdue" for _, item in listed)
    print(
        f"What is due on the caseloads of {team.name!r} as of {day}: {len(listed)} items, "
        f"{overdue} overdue, written to {out}."
    )


def billing(args: argparse.Namespace) -> None:
    """Write a team's monthly billing worksheet (FILE.csv or FILE.pdf)."""
    kind = Path(args.out).suffix.lower().removeprefix(".")
    if kind not in WORKSHEET_FORMATS:
        raise AdminError(f"--out {args.out}: name a file ending .csv or .pdf.")
    try:
        month = Month.parse(args.month)
    except ValidationError as exc:
        raise AdminError(f"--month: {exc.problem}.") from None
    with _store(args) as store:
        team = _team(store, args.team)
        sheet = store.billing.worksheet(team, month)
    out = _write(args.out, WORKSHEET_FORMATS[kind][1](sheet))
    ready = sum(row.billable for row in sheet.rows)
    print(
        f"Billing worksheet of {team.name!r} for {month}: {len(sheet.rows)} rows, {ready} "
        f"billable, {len(sheet.rows) - ready} not yet, written to {out}."
    )


def list_payers(args: argparse.Namespace) -> None:
    with _store(args) as store:
        listed = store.payers.listed()
    for payer in listed.values():
        print(f"{payer.id}  {payer.name!r}  {_payer_rule(payer)}")


def add_payer(args: argparse.Namespace) -> None:
    with _store(args) as store:
        payer = store.payers.add({"id": args.id, **_payer_fields(args)})
    print(f"Payer {payer.id} ({payer.name}) added: {_payer_rule(payer)}.")


def set_payer(args: argparse.Namespace) -> None:
    with _store(args) as store:
        payer = store.payers.change(args.id, **_payer_fields(args))
    print(f"Payer {payer.id} ({payer.name}) changed: {_payer_rule(payer)}.")


def _payer_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The payer's fields given on the command line (those not given are left out)."""
    fields: dict[str, Any] = {}
    for name in ("name", "state", "billing", "code", "modifier", "modifier_per"):
        value = getattr(args, name)
        if value is not None:
            fields[name] = None if value == "" else value
    if args.modifier_at is not None:
        fields["modifier_at"] = (
            None if args.modifier_at == "" else _whole_number(args.modifier_at, "--modifier-at")
        )
    if args.needs_authorization is not None:
        fields["needs_authorization"] = args.needs_authorization == "yes"
    return fields


def _payer_rule(payer: Payer) -> str:
    words = [payer.state, payer.billing]
    if payer.code:
        words.append(f"code {payer.code}")
    if payer.modifier:
        words.append(f"{payer.modifier} at {payer.modifier_at} a month, per {payer.modifier_per}")
    words.append("needs authorization" if payer.needs_authorization else "no authorization")
    return ", ".join(words)


def report(args: argparse.Namespace) -> None:
    """Write a team's fidelity evidence report (FILE.pdf) or the outcomes of
    its quarters as agencies report them (FILE.csv)."""
    kind = Path(args.out).suffix.lower().removeprefix(".")
    if kind not in REPORT_FORMATS:
        raise AdminError(
            f"--out {args.out}: name a file ending .pdf (the evidence report) "
            "or .csv (the outcomes of each quarter)."
        )
    quarter = None
    if args.quarter is not None:
        try:
            quarter = Quarter.parse(args.quarter)
        except ValidationError as exc:
            raise AdminError(f"--quarter: {exc.problem}.") from None
    quarters = _whole_number(args.quarters, "--quarters")
    if not 1 <= quarters <= FIDELITY_QUARTERS_MAX:
        raise AdminError(f"--quarters: give 1 to {FIDELITY_QUARTERS_MAX}.")
    with _store(args) as store:
        team = _team(store, args.team)
        found = store.fidelity.for_team(team, quarter, quarters)
    out = _write(args.out, REPORT_FORMATS[kind][1](found))
    rated = sum(item.rating is not None for item in found.fidelity.items)
    rate = found.fidelity.outcomes.employment_rate
    shown_rate = "no member served" if rate is None else f"employment rate {rate:.1%}"
    print(
        f"Fidelity of {team.name!r}, {found.quarter} ({found.quarter.start} to "
        f"{found.quarter.end}): {rated} of {len(ITEMS)} items rated, {shown_rate}; "
        f"written to {out}."
    )


def _team(store: CentralStore, name: str) -> Team:
    team = store.admin.team_named(name)
    if team is None:
        raise AdminError(f"There is no team named {name!r}; `users` lists the teams.")
    return team


def _write(path: str, content: bytes) -> Path:
    out = Path(path)
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise AdminError(f"Cannot write {out}: {exc.strerror}") from None
    return out


def _day(text: str, what: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        day = date.fromisoformat(text)
        if not MIN_WEEK_DAY <= day <= MAX_WEEK_DAY:
            raise ValueError
    except ValueError:
        raise AdminError(f"{text!r} is not a date: give {what} as YYYY-MM-DD.") from None
    return day


def demo(args: argparse.Namespace) -> None:
    """The demo team (once), its history with --history (once), fresh codes."""
    with _store(args) as store:
        ready = set_up(store, args.db, history=args.history)
    history = (
        f", with {WEEKS} weeks of history just made" if ready.history
        else ", its data left as it is" if args.history else ""
    )
    print(f"Demo team {TEAM!r}: {SUPERVISOR} and {len(SPECIALISTS)} specialists{history}.")
    print("Connect a phone in Settings -> Connect to server, with the address `serve`")
    print("announces and one of these codes (single use, valid 72 hours; run this again")
    print("for fresh ones):")
    width = max(len(f"{role} ({name}):") for role, name, _ in ready.codes)
    for role, name, code in ready.codes:
        print(f"    {f'{role} ({name}):':{width}}  {code}")


class _store:
    """Open the store for one command and close it after."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.url = args.db

    def __enter__(self) -> CentralStore:
        self.store = CentralStore.open(self.url)
        return self.store

    def __exit__(self, *_exc: object) -> None:
        self.store.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sync.server", description="The IPS Field Log central store."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Callable[[argparse.Namespace], None], help: str):
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument(
            "--db",
            default=DEFAULT_DATABASE_URL,
            help=f"sqlite:///path.db or postgresql://user@host/db (default {DEFAULT_DATABASE_URL})",
        )
        sub.set_defaults(run=run)
        return sub

    sub = command("serve", serve, "Run the central store's HTTP API.")
    sub.add_argument("--host", default=DEFAULT_HOST)
    sub.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    sub.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (PostgreSQL only; SQLite is served by one process)",
    )
    sub.add_argument(
        "--body-timeout",
        type=float,
        default=DEFAULT_BODY_TIMEOUT,
        metavar="SECONDS",
        help=f"wait this long for the rest of a request body, then answer 408 "
        f"(default {DEFAULT_BODY_TIMEOUT:g})",
    )

    sub = command("add-team", add_team, "Add a team.")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--week-start", default="monday", choices=WEEKDAYS)
    sub.add_argument("--timezone", default="America/Chicago", help="an IANA time zone")
    sub.add_argument(
        "--target", type=int, default=DEFAULT_TARGET, help="face-to-face employer contacts a week"
    )

    sub = command(
        "set-team", set_team, "Change a team's settings; devices take them at their next sync."
    )
    sub.add_argument("name", metavar="TEAM")
    sub.add_argument("--week-start", metavar="DAY", help="monday ... sunday")
    sub.add_argument("--timezone", metavar="ZONE", help="an IANA time zone")
    sub.add_argument("--target", metavar="N", help="face-to-face employer contacts a week")

    sub = command("add-user", add_user, "Add a user to a team.")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--role", required=True, choices=ROLES)
    sub.add_argument("--team", required=True, metavar="TEAM")
    sub.add_argument(
        "--start", metavar="YYYY-MM-DD", help="when a specialist started, if before enrolling"
    )

    sub = command("set-user", set_user, "Set the day a specialist started with the app.")
    sub.add_argument("user", metavar="USER")
    sub.add_argument("--start", required=True, metavar="YYYY-MM-DD")

    sub = command("enroll-code", enroll_code, "Make a single-use enrollment code for a user.")
    sub.add_argument("user", metavar="USER")

    sub = command("revoke-device", revoke_device, "Revoke a device: it can no longer sync.")
    sub.add_argument("device_id", metavar="DEVICE_ID")

    sub = command("export", export, "Write a team's weekly employer-contact tracking form.")
    sub.add_argument("--team", required=True, metavar="TEAM")
    sub.add_argument("--week", required=True, metavar="YYYY-MM-DD", help="any day of the week")
    sub.add_argument("--format", required=True, metavar="|".join(EXPORT_FORMATS))
    sub.add_argument("--out", required=True, metavar="FILE")

    sub = command(
        "due", due, "Write what is due on every caseload of a team (the IPS timed rules), as CSV."
    )
    sub.add_argument("--team", required=True, metavar="TEAM")
    sub.add_argument("--on", metavar="YYYY-MM-DD", help="as of this day (default: today there)")
    sub.add_argument("--out", required=True, metavar="FILE.csv")

    sub = command(
        "report",
        report,
        "Write a team's fidelity evidence report (FILE.pdf) or its quarterly outcomes (FILE.csv).",
    )
    sub.add_argument("--team", required=True, metavar="TEAM")
    sub.add_argument("--quarter", metavar="YYYY-Qn", help="default: the current one there")
    sub.add_argument(
        "--quarters",
        default="1",
        metavar="N",
        help=f"outcomes of N quarters ending with it, 1 to {FIDELITY_QUARTERS_MAX} (default 1)",
    )
    sub.add_argument("--out", required=True, metavar="FILE.pdf|FILE.csv")

    sub = command(
        "billing", billing, "Write a team's monthly billing worksheet (FILE.csv or FILE.pdf)."
    )
    sub.add_argument("--team", required=True, metavar="TEAM")
    sub.add_argument("--month", required=True, metavar="YYYY-MM")
    sub.add_argument("--out", required=True, metavar="FILE.csv|FILE.pdf")

    command("payers", list_payers, "List the payers and their billing rules.")
    for name, run, words in (
        ("add-payer", add_payer, "Add a payer (a health plan) and its billing rule."),
        ("set-payer", set_payer, "Change a payer's fields (those given; '' clears one)."),
    ):
        sub = command(name, run, words)
        sub.add_argument("id", metavar="ID", help="lowercase letters, digits and _")
        required = name == "add-payer"
        sub.add_argument("--name", required=required)
        sub.add_argument("--state", required=required, metavar="XX", help="two capital letters")
        sub.add_argument("--billing", required=required, metavar="|".join(BILLING_RULES))
        sub.add_argument("--code", metavar="CODE", help="the procedure code of its lines")
        sub.add_argument("--modifier", metavar="MOD", help="added at --modifier-at encounters")
        sub.add_argument("--modifier-at", metavar="N", help="encounters in a month")
        sub.add_argument("--modifier-per", metavar="|".join(MODIFIER_PER))
        sub.add_argument("--needs-authorization", choices=("yes", "no"))

    command(
        "restored",
        restored,
        "Run once after restoring a backup: every device sends all its records again.",
    )
    command("users", list_users, "List users, their teams and devices.")
    sub = command("demo", demo, "Create a demo team and users (once) and print fresh codes.")
    sub.add_argument(
        "--history",
        action="store_true",
        help=f"give the demo specialists {WEEKS} weeks of invented work, pushed as their "
        "phones would (once: not when they have a device already)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
