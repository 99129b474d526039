"""Command-line interface: `flask --app app COMMAND`.

Commands print what they did; on bad input they print every problem to stderr and exit
non-zero without changing anything.
"""
from __future__ import annotations

import dataclasses
import getpass
import json
import logging
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from .domain import planner, wording
from .domain.calendar import local_to_utc, to_local
from .domain.constants import OUTBOX_KINDS, ROLES
from .domain.errors import DomainError, Invalid
from .domain.imports import KINDS, ImportRejected, expected_header, parse_date
from .services import audit, briefings, busy, feed_links, feeds, outbox, portal, users
from .services.calendar import count_rows, import_csv, seed_reference_data, table_counts
from .services.demo import create_demo_data
from .services import replies
from .services import forecast

#: files with more rows than this get a progress bar
PROGRESS_BAR_ROWS = 500


def cli_actor() -> audit.Actor:
    """The actor recorded in the audit trail for command-line changes."""
    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        login = "unknown"
    return audit.Actor(f"cli:{login}")


def fail(message: str) -> None:
    """Print a message to stderr and exit with status 1."""
    click.secho(message, fg="red", err=True)
    sys.exit(1)


@click.command("seed")
def seed_command() -> None:
    """Load the shipped UPR calendar, NAM roster, HRC sessions and default room."""
    for report in seed_reference_data(cli_actor()):
        click.echo(report.summary)
    expected = forecast.expected_sessions()
    click.echo("expected sessions (forecast by the rotation, to be published when OHCHR "
               f"publishes them): {', '.join(map(str, expected)) or 'none'}")
    counts = table_counts()
    click.echo("rows: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


@click.command("demo")
def demo_command() -> None:
    """Create the demo admin account and demo mission contacts on example.org."""
    result = create_demo_data(cli_actor())
    click.echo(result.missions.summary)
    click.echo(result.contacts.summary)
    if result.admin_password:
        click.secho(f"\nDemo administrator created. Log in at {feed_links.public_url('/login')} with",
                    bold=True)
        click.secho(f"    e-mail:   {result.admin_email}\n    password: {result.admin_password}\n",
                    bold=True)
        click.echo("This password is shown only once. Change it with "
                   f"`flask --app app users set-password {result.admin_email}`.")
    else:
        click.echo(f"Demo administrator {result.admin_email} already exists "
                   "(its password was printed when it was created; "
                   f"reset it with `flask --app app users set-password {result.admin_email}`).")


@click.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change.")
@click.option("--yes", is_flag=True,
              help="Contacts: queue their invitations without asking (on a terminal).")
@click.option("--no-invite", is_flag=True,
              help="Contacts: import them without sending them the upcoming briefings.")
def import_command(kind: str, file: Path, dry_run: bool, yes: bool, no_invite: bool) -> None:
    """Import a CSV FILE of KIND (all or nothing; see DESIGN.md for the formats).

    New contacts are sent the upcoming briefings. On a terminal, the import first says how
    many invitations that makes and asks (unless --yes); a script is not asked.
    """
    data = file.read_bytes()
    invite = not no_invite
    if kind == "contacts" and invite and not dry_run and not yes and on_terminal():
        _confirm_invitations(data, file)
    report = _run_import(kind, data, file, dry_run=dry_run, invite=invite)
    if report.delimiter != ",":
        click.echo(f"(read with {report.delimiter!r} as the delimiter)")
    for line in report.added:
        click.echo(f"{'would add' if dry_run else 'added'}: {line}")
    for line in report.changed:
        click.echo(f"{'would change' if dry_run else 'changed'}: {line}")
    if kind == "contacts" and report.added:
        click.echo(_invitations_line(report))
    click.echo(report.summary + (" (dry run: nothing was written)" if dry_run else ""))


def on_terminal() -> bool:
    """True when a person is at the keyboard (stdin is a terminal), not a script."""
    return sys.stdin.isatty()


def _run_import(kind: str, data: bytes, file: Path, *, dry_run: bool, invite: bool = True):
    """Import (or check) the file, with a progress bar for big ones; exits on a refusal."""
    rows = count_rows(data)
    options = {"dry_run": dry_run, "source": file.name, "invite": invite}
    try:
        if rows > PROGRESS_BAR_ROWS:
            with click.progressbar(length=rows, label=f"Importing {kind}",
                                   file=sys.stderr) as bar:
                return import_csv(kind, data, cli_actor(), progress=bar.update, **options)
        return import_csv(kind, data, cli_actor(), **options)
    except ImportRejected as rejected:
        for error in rejected.errors:
            click.echo(f"{file}:{error}", err=True)
        fail(f"{rejected} (expected header: {expected_header(kind)})")
    except DomainError as error:
        fail(str(error))


def _confirm_invitations(data: bytes, file: Path) -> None:
    """Ask before an import of contacts queues invitations; exit (nothing written) on no."""
    check = _run_import("contacts", data, file, dry_run=True)
    if not check.invitations:
        return
    question = (f"Queue {_count(check.invitations, 'invitation')} to "
                f"{_count(check.invited_contacts, 'new contact')}?")
    if not click.confirm(question, default=False):
        fail("Nothing was imported. Run again with --no-invite to import the contacts "
             "without inviting them, or --yes to queue the invitations without this question.")


def _invitations_line(report) -> str:
    """What the import did (or would do) about inviting the new contacts."""
    if not report.invite:
        return f"no invitations {'would be ' if report.dry_run else ''}queued (--no-invite)"
    verb = "would queue" if report.dry_run else "queued"
    if not report.invitations:
        return f"{verb} no invitations (no upcoming briefing for the new contacts)"
    return (f"{verb} {_count(report.invitations, 'invitation')} to "
            f"{_count(report.invited_contacts, 'new contact')}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


users_cli = AppGroup("users", help="Manage secretariat accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.password_option(help="Prompted for when not given.")
def users_create(email: str, role: str, password: str) -> None:
    """Create an account with a password (prompted twice)."""
    try:
        user = users.create_user(email, password, role, cli_actor())
    except DomainError as error:
        fail(str(error))
    click.echo(f"created {user.email} ({user.role})")


@users_cli.command("set-password")
@click.argument("email")
@click.password_option(help="Prompted for when not given.")
def users_set_password(email: str, password: str) -> None:
    """Set a new password for an existing account."""
    try:
        users.set_password(email, password, cli_actor())
    except DomainError as error:
        fail(str(error))
    click.echo(f"password changed for {email}")


@users_cli.command("unblock")
@click.argument("email")
def users_unblock(email: str) -> None:
    """Let an account log in again at once after too many wrong passwords."""
    from .services import throttle

    click.echo(f"{email}: block lifted" if throttle.clear(email) else f"{email} was not blocked")


@users_cli.command("list")
def users_list() -> None:
    """List the accounts."""
    for user in users.list_users():
        state = "" if user.active else " (inactive)"
        click.echo(f"{user.email}\t{user.role}{state}")


busy_cli = AppGroup("busy", help="Closures, blackouts and meetings the holidays package does not know.")


@busy_cli.command("add")
@click.argument("first")
@click.argument("last", required=False)
@click.option("--label", required=True, help="e.g. 'UN Geneva closure (Eid al-Fitr)'")
@click.option("--kind", type=click.Choice(["closure", "blackout", "meeting", "hrc_session"]),
              default="closure", show_default=True)
@click.option("--mission", "mission_iso3", metavar="ISO3", help="A mission's blackout.")
@click.option("--room", "room_name", metavar="NAME", help="A booking of this room.")
@click.option("--from", "start", metavar="HH:MM", help="Start time on each day (Geneva).")
@click.option("--to", "end", metavar="HH:MM", help="End time on each day (Geneva).")
def busy_add(first: str, last: str | None, label: str, kind: str, mission_iso3: str | None,
             room_name: str | None, start: str | None, end: str | None) -> None:
    """Block FIRST (to LAST) for briefings; dates as YYYY-MM-DD, whole days unless --from/--to."""
    try:
        first_day = parse_date(first, "first day")
        last_day = parse_date(last, "last day") if last else first_day
        period = busy.add_busy_period(
            kind, first_day, last_day, label, cli_actor(), mission_iso3=mission_iso3,
            room_name=room_name, start_time=_time(start, "--from"), end_time=_time(end, "--to"))
    except DomainError as error:
        fail(str(error))
    click.echo(f"added {kind} {period.id}: {label} ({first_day} to {last_day})")


def _time(value: str | None, option: str):
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError:
        raise Invalid(f"{option} {value!r} is not a time in the form HH:MM") from None


@busy_cli.command("list")
@click.option("--kind", type=click.Choice(["closure", "blackout", "meeting", "hrc_session"]),
              help="Only this kind.")
def busy_list(kind: str | None) -> None:
    """List busy periods in time order (id, kind, start, end, scope, label)."""
    for period in busy.list_busy_periods(kind):
        start, end = to_local(period.start_at), to_local(period.end_at)
        scope = (f"mission {period.mission.state_iso3}" if period.mission
                 else f"room {period.room.name}" if period.room else "everyone")
        click.echo(f"{period.id}\t{period.kind}\t{start:%Y-%m-%d %H:%M}\t{end:%Y-%m-%d %H:%M}"
                   f"\t{scope}\t{period.label}")


@busy_cli.command("remove")
@click.argument("period_id", type=int)
def busy_remove(period_id: int) -> None:
    """Delete a busy period by id."""
    try:
        busy.remove_busy_period(period_id, cli_actor())
    except DomainError as error:
        fail(str(error))
    click.echo(f"removed {period_id}")


def rule_options(command):
    """Add one option per planner rule (e.g. --window-working-days 20, --include-observers)."""
    for rule in reversed(dataclasses.fields(planner.Rules)):
        flag = "--" + rule.name.replace("_", "-")
        default = getattr(planner.DEFAULT_RULES, rule.name)
        if rule.type in ("bool", bool):
            option = click.option(f"{flag}/--no-{flag[2:]}", rule.name, default=None,
                                  help=f"(default: {'yes' if default else 'no'})")
        else:
            shown = planner.DEFAULT_RULES.describe_hours() if rule.name == "meeting_hours" else default
            option = click.option(flag, rule.name, default=None, metavar="VALUE",
                                  help=f"(default: {shown})")
        command = option(command)
    return command


@click.command("propose")
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the proposals as JSON.")
@rule_options
def propose_command(number: int, as_json: bool, **rules: str | None) -> None:
    """Propose briefing times for UPR session NUMBER, ranked and explained.

    Exits 0 with proposals, 1 (with the reasons) when nothing fits.
    """
    overrides = {name: value for name, value in rules.items() if value is not None}
    try:
        plan = briefings.plan_session(number, cli_actor(), overrides)
    except DomainError as error:
        fail(str(error))
    if as_json:
        data = planner.result_to_json(plan.result)
        data["coverage"] = plan.coverage.to_json() if plan.coverage else None
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_plan(plan)
    if not plan.result.proposals:
        sys.exit(1)


def _print_plan(plan: briefings.Plan) -> None:
    session = plan.session
    click.echo(f"UPR session {session.number}: {wording.short_date(session.start_date)} – "
               f"{wording.short_date(session.end_date)}")
    for proposal in plan.result.proposals:
        click.secho(f"\n#{proposal.rank}  proposal {proposal.id}  score {proposal.score:g}",
                    bold=True)
        for meeting in proposal.meetings:
            click.echo(f"  {wording.short_datetime(meeting.start)}–{meeting.end:%H:%M %Z}, "
                       f"{meeting.room}")
            for item in meeting.agenda:
                click.echo(f"    {item.start:%H:%M}  {item.name} ({item.iso3})")
        for reason in proposal.reasons:
            click.echo(f"  - {reason}")
    for reason in plan.result.why:
        click.echo(reason, err=True)
    click.echo("\nWhat the proposals rest on:", err=not plan.result.proposals)
    for line in briefings.coverage_text(plan.coverage):
        click.echo(f"  - {line}", err=not plan.result.proposals)
    if plan.result.proposals:
        click.echo(f"\nConfirm one with: flask --app app confirm {plan.result.proposals[0].id}")


ALLOW_PAST_HELP = "Send invitations even though the briefing is in the past."


def fail_with_past_hint(error: DomainError) -> None:
    """`fail`, pointing at --allow-past (--allow-expected) when the refusal is about a past
    date (an expected session)."""
    field = error.field if isinstance(error, Invalid) else None
    hint = {"allow_past": " (give --allow-past)", "allow_expected": " (give --allow-expected)"}
    fail(f"{error}{hint.get(field or '', '')}")


@click.command("confirm")
@click.argument("proposal_id")
@click.option("--allow-past", is_flag=True, help=ALLOW_PAST_HELP)
@click.option("--allow-expected", is_flag=True,
              help="Confirm even though the session is only expected (forecast): its dates "
                   "and order of review are not yet published.")
def confirm_command(proposal_id: str, allow_past: bool, allow_expected: bool) -> None:
    """Confirm proposal PROPOSAL_ID: creates its briefings (one per meeting)."""
    try:
        created = briefings.confirm_proposal(proposal_id, cli_actor(), allow_past=allow_past,
                                             allow_expected=allow_expected)
    except DomainError as error:
        fail_with_past_hint(error)
    if created.already:
        click.echo(f"proposal {proposal_id} was already confirmed; nothing more was sent")
    for briefing in created:
        start = to_local(briefing.start_at)
        click.echo(f"confirmed briefing {briefing.id}: {wording.short_datetime(start)}–"
                   f"{to_local(briefing.end_at):%H:%M %Z} uid {briefing.uid}")


briefings_cli = AppGroup("briefings", help="Confirmed briefings: list, reschedule, cancel.")


def _briefing_row(briefing) -> dict:
    return {"id": briefing.id, "session": briefing.session.number, "status": briefing.status,
            "start": to_local(briefing.start_at).isoformat(),
            "end": to_local(briefing.end_at).isoformat(),
            "uid": briefing.uid, "sequence": briefing.sequence}


@briefings_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def briefings_list(as_json: bool) -> None:
    """List briefings (id, session, status, start, end, uid, sequence), newest first."""
    rows = [_briefing_row(b) for b in briefings.list_briefings()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo("\t".join(str(row[k]) for k in ("id", "session", "status", "start", "end",
                                                    "uid", "sequence")))


def _aware(value: str, option: str) -> datetime:
    """An ISO 8601 time; without an offset it is read as Geneva time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{option} {value!r} is not an ISO 8601 time, e.g. 2025-04-24T10:00") from None
    if moment.tzinfo is None:
        try:
            return local_to_utc(moment)
        except ValueError as error:
            raise Invalid(f"{option}: {error}") from None
    return moment


@briefings_cli.command("reschedule")
@click.argument("briefing_id", type=int)
@click.option("--start", required=True, help="ISO 8601, e.g. 2025-04-24T10:00 (Geneva) or with an offset.")
@click.option("--end", default=None, help="Default: keeps the length.")
@click.option("--allow-past", is_flag=True, help=ALLOW_PAST_HELP)
def briefings_reschedule(briefing_id: int, start: str, end: str | None, allow_past: bool) -> None:
    """Move a briefing: same UID, SEQUENCE + 1, the update queued to everyone invited."""
    try:
        result = briefings.reschedule(briefing_id, _aware(start, "--start"),
                                      _aware(end, "--end") if end else None, cli_actor(),
                                      allow_past=allow_past)
    except DomainError as error:
        fail_with_past_hint(error)
    for warning in result.warnings:
        click.echo(f"note: {warning}", err=True)
    row = _briefing_row(result.briefing)
    click.echo(f"briefing {row['id']} now {row['start']} – {row['end']}, sequence "
               f"{row['sequence']}; update queued to {result.notified} contacts")


@briefings_cli.command("cancel")
@click.argument("briefing_id", type=int)
@click.confirmation_option(prompt="Cancel this briefing and notify everyone invited?")
def briefings_cancel(briefing_id: int) -> None:
    """Cancel a briefing: METHOD:CANCEL queued to everyone invited."""
    try:
        result = briefings.cancel(briefing_id, cli_actor())
    except DomainError as error:
        fail(str(error))
    if result.already:
        click.echo(f"briefing {briefing_id} was already cancelled; nothing more was sent")
    else:
        click.echo(f"briefing {briefing_id} cancelled; cancellation queued to "
                   f"{result.notified} contacts")


feeds_cli = AppGroup("feeds", help="Calendar feeds that missions subscribe to.")


@feeds_cli.command("url")
@click.argument("iso3")
def feeds_url(iso3: str) -> None:
    """Print the private feed URL of the mission of ISO3 (made on first use)."""
    try:
        token = feeds.mission_feed_token(iso3)
    except DomainError as error:
        fail(str(error))
    click.echo(feed_links.feed_url(feed_links.mission_feed_path(token)))


@feeds_cli.command("rotate")
@click.argument("iso3")
def feeds_rotate(iso3: str) -> None:
    """Give the mission of ISO3 a new feed URL (the old one stops working) and print it."""
    try:
        token = feeds.rotate_mission_token(iso3, cli_actor())
    except DomainError as error:
        fail(str(error))
    click.echo(feed_links.feed_url(feed_links.mission_feed_path(token)))


@feeds_cli.command("revoke")
@click.argument("iso3")
def feeds_revoke(iso3: str) -> None:
    """Switch off the feed of the mission of ISO3 (until `feeds rotate` makes a new URL)."""
    try:
        feeds.revoke_mission_token(iso3, cli_actor())
    except DomainError as error:
        fail(str(error))
    click.echo(f"feed of {iso3.upper()} revoked")


portal_cli = AppGroup("portal", help="The mission portal: each contact's page of briefings.")


@portal_cli.command("url")
@click.argument("key", metavar="ISO3|EMAIL")
def portal_url(key: str) -> None:
    """Print the portal link of each active contact of a mission, or of one address."""
    try:
        links = portal.links_for(key)
    except DomainError as error:
        fail(str(error))
    for contact, url in links:
        click.echo(f"{contact.mission.state_iso3}  {contact.name} <{contact.email}>\n  {url}")


outbox_cli = AppGroup("outbox", help="The queue of outgoing e-mail.")


@outbox_cli.command("deliver")
@click.option("--now", "ignore_backoff", is_flag=True, help="Also send messages waiting to retry.")
def outbox_deliver(ignore_backoff: bool) -> None:
    """Send every message that is due (batch after batch, one SMTP connection each)."""
    report = outbox.deliver_all(ignore_backoff=ignore_backoff)
    for error in report.errors:
        click.echo(error, err=True)
    click.echo(report.summary)


@outbox_cli.command("status")
@click.option("--json", "as_json", is_flag=True)
def outbox_status(as_json: bool) -> None:
    """Count the messages in each status."""
    counts = outbox.status_counts()
    if as_json:
        click.echo(json.dumps(counts))
    else:
        click.echo(", ".join(f"{status} {count}" for status, count in counts.items()))


@outbox_cli.command("retry")
@click.argument("message_id", type=int, required=False)
@click.option("--failed", "all_failed", is_flag=True,
              help="Retry every failed message (narrowed by --kind and --briefing).")
@click.option("--kind", type=click.Choice(OUTBOX_KINDS), help="With --failed: only this kind.")
@click.option("--briefing", "briefing_id", type=int, help="With --failed: only this briefing's.")
@click.option("--allow-past", is_flag=True,
              help="Send it even though its briefing has already begun.")
def outbox_retry(message_id: int | None, all_failed: bool, kind: str | None,
                 briefing_id: int | None, allow_past: bool) -> None:
    """Queue a failed message again (MESSAGE_ID), or every failed one (--failed).

    A message that should no longer go (its briefing cancelled, a newer version queued,
    its contact gone) is refused, or with --failed withdrawn.
    """
    if all_failed == (message_id is not None):
        fail("give either a MESSAGE_ID or --failed")
    if not all_failed and (kind or briefing_id is not None):
        fail("--kind and --briefing go with --failed")
    try:
        if all_failed:
            click.echo(outbox.retry_failed(cli_actor(), kind=kind, briefing_id=briefing_id,
                                           allow_past=allow_past).summary)
            return
        outbox.retry(message_id, cli_actor(), allow_past=allow_past)
    except DomainError as error:
        fail(str(error))
    click.echo(f"message {message_id} queued again")


replies_cli = AppGroup("replies", help="Answers by e-mail: iMIP REPLY messages (Accept / Decline buttons).")


@replies_cli.command("fetch")
def replies_fetch() -> None:
    """Read the organizer's mailbox once (IMAP_*): apply each new reply, mark it processed."""
    try:
        report = replies.fetch()
    except Invalid as error:
        fail(str(error))
    except replies.MailboxUnavailable as error:
        fail(f"cannot read the mailbox: {error}")
    for outcome in report.outcomes:
        click.echo(outcome.summary)
    for error in report.errors:
        click.secho(f"not applied, will be read again: {error}", fg="yellow", err=True)
    click.echo(report.summary)


@replies_cli.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def replies_apply(file: Path) -> None:
    """Apply the iMIP reply in FILE (one e-mail, e.g. saved as .eml) as if it had been fetched."""
    result = replies.apply_message(file.read_bytes(), source="file")
    if not result.is_reply:
        fail(f"{file} is not an iMIP reply (no calendar part with METHOD:REPLY): nothing done")
    for outcome in result.outcomes:
        click.echo(outcome.summary)


@replies_cli.command("accept")
@click.argument("reply_id", type=int)
def replies_accept(reply_id: int) -> None:
    """Apply the unverified reply REPLY_ID (see /replies) as if its sender had been verified."""
    try:
        outcome = replies.accept(reply_id, cli_actor())
    except DomainError as error:
        fail(str(error))
    click.echo(outcome.summary)


@replies_cli.command("reject")
@click.argument("reply_id", type=int)
def replies_reject(reply_id: int) -> None:
    """Refuse the unverified reply REPLY_ID: it changes nothing."""
    try:
        outcome = replies.reject(reply_id, cli_actor())
    except DomainError as error:
        fail(str(error))
    click.echo(outcome.summary)


@click.command("scheduler")
@click.option("--check-every", default=5.0, show_default=True, type=click.FloatRange(min=0.1),
              metavar="SECONDS", help="How often the leader checks that it still holds the lock "
                                      "and a standby tries to take it.")
def scheduler_command(check_every: float) -> None:
    """Run the periodic jobs. Exactly one scheduler runs them: it holds a lock in the database
    (PostgreSQL) or beside it (SQLite); any other waits as a standby and takes over when the
    first one stops or dies."""
    import signal

    from flask import current_app

    from .jobs import DeliveryWorker, build_scheduler
    from .services import leader

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per run
    app = current_app._get_current_object()
    try:
        lock = leader.scheduler_lock(app)
    except leader.LockUnavailable as error:
        fail(str(error))

    def run_jobs():
        scheduler = build_scheduler(app)
        worker = DeliveryWorker(app)
        worker.start()
        scheduler.start()
        for job in scheduler.get_jobs():
            click.echo(f"job {job.id}: {job.name} every {job.trigger.interval}"
                       + (" and as soon as there is mail to send" if job.id == "deliver_outbox"
                          else ""))

        def stop_jobs() -> None:
            scheduler.shutdown(wait=True)  # lets a running job finish
            worker.stop()
        return stop_jobs

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # systemd stops like Ctrl-C
    try:
        leader.lead_or_stand_by(lock, run_jobs, check_every)
    except KeyboardInterrupt:
        pass
    click.echo("scheduler stopped")


@click.command("jobs-run")
@click.argument("job_id")
def jobs_run_command(job_id: str) -> None:
    """Run one scheduler job now (e.g. propose_for_upcoming_sessions)."""
    from flask import current_app

    from .jobs import JOBS, run_job

    if job_id not in JOBS:
        fail(f"unknown job {job_id!r}: one of {', '.join(JOBS)}")
    run_job(current_app._get_current_object(), job_id)
    click.echo(f"ran {job_id}")


@click.command("mailsink")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=None, type=int, help="Default: MAIL_PORT.")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Default: instance/mail.")
def mailsink_command(host: str, port: int | None, folder: Path | None) -> None:
    """A local SMTP server that keeps every message as an .eml file (development only)."""
    import time

    from flask import current_app

    from .mailsink import start_sink

    folder = folder or Path(current_app.instance_path) / "mail"
    port = port or current_app.config["MAIL_PORT"]
    sink = start_sink(folder, host, port)
    click.echo(f"mail sink listening on {host}:{port}, keeping each message as .eml in {folder}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sink.stop()


@click.command("backup")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path | None) -> None:
    """Back up the whole database to FILE, consistently while the service runs.

    Default FILE: instance/backups/nam-briefings-YYYYmmdd-HHMMSS.sqlite3 (SQLite, through
    its online backup API) or .dump (PostgreSQL, `pg_dump --format=custom`), in UTC.
    """
    from flask import current_app

    from .services import backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        target = file or backup.default_backup_path(Path(current_app.instance_path), url)
        written = backup.backup_database(url, target)
    except backup.BackupError as error:
        fail(f"no backup written: {error}")
    click.echo(f"backed up {backup.describe(url)} to {written} "
               f"({written.stat().st_size / 1_048_576:.1f} MiB)")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Really replace the whole database with the backup.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup in FILE (made by `backup`), then check
    that its schema is at this version's migration head."""
    from flask import current_app

    from .services import backup

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not yes:
        fail(f"restore replaces everything in {backup.describe(url)} with the contents of "
             f"{file}. Stop the web app and the scheduler first, then run again with --yes.")
    try:
        backup.restore_database(url, file)
        check = backup.check_migrations()
    except backup.BackupError as error:
        fail(f"not restored: {error}")
    click.echo(f"restored {backup.describe(url)} from {file}")
    if not check.at_head:
        fail(check.message)
    click.echo(check.message)


@click.command("forecast")
@click.argument("cycle", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the forecast as JSON.")
@click.option("--apply", "apply", is_flag=True,
              help="Write the sessions not on file as expected (a published one is never touched).")
def forecast_command(cycle: int, as_json: bool, apply: bool) -> None:
    """Forecast the UPR sessions of CYCLE from the cycle before (the rotation).

    A state is reviewed in the same session of each cycle (session n repeats n − 14); dates
    follow the rhythm of three sessions a year. Reads only, unless --apply.
    """
    try:
        result = forecast.forecast_cycle(cycle)
        written = forecast.apply_forecast(cycle, cli_actor()) if apply else None
    except DomainError as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        _print_forecast(result)
    if written is not None:
        click.echo(f"written as expected: {', '.join(map(str, written))}" if written else
                   "nothing to write: every session is on file as forecast or published",
                   err=as_json)


def _print_forecast(result) -> None:
    click.echo(f"UPR cycle {result.cycle} as forecast from cycle {result.cycle - 1} "
               "(states by name: the order of review is drawn anew)")
    click.echo(f"{'session':>7}  {'from':>4}  {'expected':<31}  {'states':>6}  NAM presenters")
    for session in result.sessions:
        dates = (f"{wording.short_date(session.expected_start)} – "
                 f"{wording.short_date(session.expected_end)}"
                 if session.expected_start else "unknown")
        click.echo(f"{session.number:>7}  {session.from_session:>4}  {dates:<31}  "
                   f"{len(session.states):>6}  {', '.join(session.nam_presenters) or '—'}")
        if session.note:
            click.echo(f"{'':>15}({session.note})")


def register(app: Flask) -> None:
    """Attach the commands to the app."""
    for command in (seed_command, demo_command, import_command, users_cli, busy_cli,
                    propose_command, confirm_command, briefings_cli, feeds_cli, portal_cli,
                    outbox_cli, scheduler_command, jobs_run_command, mailsink_command):
        app.cli.add_command(command)
    app.cli.add_command(replies_cli)
    app.cli.add_command(forecast_command)
    for command in (backup_command, restore_command):
        app.cli.add_command(command)

