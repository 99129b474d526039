"""Reading replies from a real IMAP server (Dovecot on loopback): `replies fetch` and the job.

The acceptance test of issue 7: an ACCEPTED reply dropped into the mailbox shows as accepted
on the roster after one fetch; a second fetch changes nothing; messages that are not replies
are left unread and unflagged. Replies are delivered as the mailbox's server (MX, the
configured REPLY_AUTHSERV_ID) leaves them: with its Authentication-Results (`vouched`).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest

from nam_briefings.extensions import db
from nam_briefings.jobs import run_job
from nam_briefings.models import Briefing, InboundReply, Invitation
from nam_briefings.services import briefings, replies
from nam_briefings.services.audit import Actor
from tests.imap_server import golden_reply, reply_to
from tests.integration.reply_helpers import MX, vouched
from tests.integration.invitation_helpers import SECRETARIAT, confirm_session_49, invitation_for
from tests.integration.web_helpers import page, text

UTC = timezone.utc
T1 = datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
IND = "ambassador@ind.example.org"
PROCESSED = {"$NamProcessed", "\\Seen"}


@pytest.fixture
def first(app) -> Briefing:
    app.config["REPLY_AUTHSERV_ID"] = MX
    return confirm_session_49(app)[0]


def verified_reply(invitation, partstat: str = "ACCEPTED", **options) -> bytes:
    return vouched(reply_to(invitation, partstat, **options))


def newsletter() -> bytes:
    return golden_reply("not_a_reply.eml", uid="", attendee="", organizer="nam@chair.example.org",
                        partstat="", sequence=0, dtstamp=T1, start=T1, end=T1)


def fetch(runner) -> str:
    result = runner.invoke(args=["replies", "fetch"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def snapshot() -> list[tuple]:
    """Every answer and every recorded reply, to show that nothing changed."""
    answers = db.session.execute(db.select(Invitation.id, Invitation.partstat,
                                           Invitation.answered_at, Invitation.updated_at)
                                 .order_by(Invitation.id)).all()
    recorded = db.session.execute(db.select(InboundReply.id, InboundReply.outcome)).all()
    return [*answers, *recorded]


def test_an_accepted_reply_shows_on_the_roster_after_one_fetch(imap_server, runner, client,
                                                              login, first):
    imap_server.deliver(newsletter())
    imap_server.deliver(verified_reply(invitation_for(first, IND), "ACCEPTED",
                                 comment="With our deputy."))
    output = fetch(runner)
    assert output.splitlines() == [
        f"applied: ACCEPTED from {IND} (briefing {first.id})",
        "1 reply (1 applied), 1 other message left alone"]
    assert invitation_for(first, IND).partstat == "ACCEPTED"
    login("viewer")
    roster = text(page(client, f"/briefings/{first.id}"))
    assert "Ambassador IND (Ambassador, ambassador@ind.example.org): Accepted" in roster
    assert "via email “With our deputy.”" in roster
    assert imap_server.flags() == [set(), PROCESSED]  # the newsletter stays unread, unflagged

    before = snapshot()
    assert fetch(runner) == "0 replies, 1 other message left alone\n"
    assert snapshot() == before
    assert imap_server.flags() == [set(), PROCESSED]


def test_replies_of_every_client_in_one_pass(imap_server, first):
    for fixture, email in (("outlook.eml", IND), ("gmail.eml", "upr@ind.example.org"),
                           ("apple.eml", "ambassador@guy.example.org"),
                           ("thunderbird.eml", "upr@guy.example.org")):
        imap_server.deliver(verified_reply(invitation_for(first, email), "TENTATIVE", fixture=fixture))
    report = replies.fetch()
    assert [o.outcome for o in report.outcomes] == ["applied"] * 4
    assert (report.looked_at, report.replies, report.left_alone, report.errors) == (4, 4, 0, [])
    assert {invitation_for(first, e).partstat for e in
            (IND, "upr@ind.example.org", "ambassador@guy.example.org", "upr@guy.example.org")} \
        == {"TENTATIVE"}
    assert imap_server.flags() == [PROCESSED] * 4


def test_an_older_sequence_in_the_mailbox_does_not_overwrite_a_newer_answer(imap_server, first):
    guyana = invitation_for(first, "ambassador@guy.example.org")
    india = invitation_for(first, IND)
    imap_server.deliver(verified_reply(guyana, "DECLINED", fixture="gmail.eml"))
    replies.fetch()
    briefings.send_new_agenda(first.id, SECRETARIAT)  # the secretariat decides: SEQUENCE 1
    db.session.expire_all()
    assert first.sequence == 1
    imap_server.deliver(verified_reply(india, "ACCEPTED", sequence=1, dtstamp=T1))
    imap_server.deliver(verified_reply(india, "DECLINED", sequence=0, dtstamp=T1 + timedelta(hours=1),
                                 fixture="thunderbird.eml"))
    report = replies.fetch()
    assert [o.outcome for o in report.outcomes] == ["applied", "stale"]
    assert invitation_for(first, IND).partstat == "ACCEPTED"


def test_hostile_and_broken_messages_crash_nothing(imap_server, first):
    broken = (b"From: x@ind.example.org\r\nMessage-ID: <broken@x>\r\nContent-Type: text/calendar;"
              b" method=REPLY\r\nContent-Transfer-Encoding: base64\r\n\r\n\xff\xfe!!garbage")
    forged = verified_reply(invitation_for(first, IND), "DECLINED",
                            attendee="intruder@evil.example.com")
    imap_server.deliver(broken)
    imap_server.deliver(forged)
    imap_server.deliver(verified_reply(invitation_for(first, IND), "ACCEPTED", fixture="apple.eml"))
    report = replies.fetch()
    assert [(o.outcome, o.reason) for o in report.outcomes] == [
        ("rejected", "the calendar cannot be read"),
        ("rejected", "intruder@evil.example.com is not invited and is not an address of any "
                     "mission on file"),
        ("applied", "")]
    assert invitation_for(first, IND).partstat == "ACCEPTED"
    assert imap_server.flags() == [PROCESSED] * 3
    assert replies.fetch().outcomes == []


def test_a_message_too_big_to_read_is_rejected_from_its_headers(imap_server, first):
    data = verified_reply(invitation_for(first, IND), "ACCEPTED", fixture="thunderbird.eml",
                          message_id="huge@ind.example.org")
    padding = b"X-Padding: " + b"x" * 70 + b"\r\n"
    head, body = data.split(b"\r\n\r\n", 1)
    huge = head + b"\r\n" + padding * (11 * 1024 * 1024 // len(padding)) + b"\r\n" + body
    imap_server.deliver(huge)
    [outcome] = replies.fetch().outcomes
    assert outcome.outcome == "rejected" and "over the 10.0 MiB limit" in outcome.reason
    row = db.session.scalar(db.select(InboundReply))
    assert (row.message_id, row.from_address) == ("<huge@ind.example.org>", IND)
    assert invitation_for(first, IND).partstat == "NEEDS-ACTION"


def test_a_reply_to_an_unknown_event_is_marked_but_left_unread(imap_server, first):
    imap_server.deliver(verified_reply(invitation_for(first, IND), uid="chairs-lunch@outlook.example"))
    [outcome] = replies.fetch().outcomes
    assert outcome.outcome == "unknown"
    assert imap_server.flags() == [{"$NamProcessed"}]


def test_a_reply_applied_before_a_crash_is_not_applied_twice(imap_server, first):
    data = verified_reply(invitation_for(first, IND), "ACCEPTED",
                          message_id="once@ind.example.org")
    replies.apply_message(data, source="imap")  # applied, then the process died before marking
    imap_server.deliver(data)
    [outcome] = replies.fetch().outcomes
    assert outcome.outcome == "duplicate" and outcome.reason.startswith("message already read")
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundReply)) == 1
    assert imap_server.flags() == [PROCESSED]


def test_a_reply_the_server_does_not_vouch_for_is_held_and_marked_read(imap_server, runner,
                                                                      first):
    guyana = invitation_for(first, "ambassador@guy.example.org")
    imap_server.deliver(reply_to(guyana, "DECLINED", fixture="gmail.eml"))  # a forged From
    output = fetch(runner)
    assert output.splitlines()[-1] == "1 reply (1 unverified), 0 other messages left alone"
    assert output.splitlines()[0].startswith("unverified: DECLINED from ambassador@guy.example.org")
    assert invitation_for(first, "ambassador@guy.example.org").partstat == "NEEDS-ACTION"
    db.session.expire_all()
    assert db.session.get(Briefing, first.id).sequence == 0
    assert imap_server.flags() == [PROCESSED]  # held in the database, not in the mailbox
    row = db.session.scalar(db.select(InboundReply))
    assert row.authentication == f"no Authentication-Results from {MX}"
    replies.accept(row.id, Actor("editor@chair.example.org"))
    assert invitation_for(first, "ambassador@guy.example.org").partstat == "DECLINED"
    assert fetch(runner) == "0 replies, 0 other messages left alone\n"


def test_processed_replies_can_be_moved_to_a_folder(app, imap_server, first):
    app.config["IMAP_PROCESSED_FOLDER"] = "NAM Processed"
    imap_server.deliver(newsletter())
    imap_server.deliver(verified_reply(invitation_for(first, IND), "DECLINED"))
    assert [o.outcome for o in replies.fetch().outcomes] == ["applied"]
    assert imap_server.flags("INBOX") == [set()]
    assert imap_server.flags("NAM Processed") == [{"\\Seen"}]
    assert replies.fetch().outcomes == []
    assert invitation_for(first, IND).partstat == "DECLINED"


def test_a_mailbox_that_cannot_be_read_is_a_clear_error(app, imap_server, runner, first):
    app.config["IMAP_PASSWORD"] = "wrong"
    result = runner.invoke(args=["replies", "fetch"])
    assert result.exit_code == 1
    assert "cannot read the mailbox: cannot log in to organizer@chair.example.org@127.0.0.1:" \
        in result.output
    app.config.update(IMAP_PASSWORD=imap_server.password, IMAP_FOLDER="No such folder")
    result = runner.invoke(args=["replies", "fetch"])
    assert result.exit_code == 1 and "cannot open folder 'No such folder'" in result.output


def test_the_job_reads_the_mailbox(app, imap_server, first):
    imap_server.deliver(verified_reply(invitation_for(first, IND), "ACCEPTED"))
    run_job(app, "fetch_replies")
    db.session.expire_all()
    assert invitation_for(first, IND).partstat == "ACCEPTED"
    run_job(app, "fetch_replies")  # again: nothing changes
    assert db.session.scalar(db.select(db.func.count()).select_from(InboundReply)) == 1


def test_the_job_does_nothing_without_a_mailbox(app, imap_server, first):
    imap_server.deliver(verified_reply(invitation_for(first, IND), "ACCEPTED"))
    app.config["IMAP_HOST"] = ""
    run_job(app, "fetch_replies")
    assert imap_server.flags() == [set()]
    assert invitation_for(first, IND).partstat == "NEEDS-ACTION"


def test_the_job_logs_an_unreachable_mailbox_and_goes_on(app, imap_server, first, caplog,
                                                       monkeypatch):
    # Alembic's logging set-up (the migrations the fixtures run) disables existing loggers
    monkeypatch.setattr(logging.getLogger("nam_briefings.jobs"), "disabled", False)
    app.config["IMAP_PASSWORD"] = "wrong"
    with caplog.at_level(logging.WARNING, logger="nam_briefings.jobs"):
        run_job(app, "fetch_replies")
    assert any("replies: cannot log in" in record.getMessage() for record in caplog.records)


# --- TLS ----------------------------------------------------------------------------------------

def test_the_mailbox_is_read_over_implicit_tls(app, imap_tls_server, first):
    app.config.update(IMAP_TLS="ssl", IMAP_PORT=imap_tls_server.tls_port)
    imap_tls_server.deliver(verified_reply(invitation_for(first, IND), "ACCEPTED"))
    assert [o.outcome for o in replies.fetch().outcomes] == ["applied"]


def test_the_mailbox_is_read_after_starttls(app, imap_tls_server, first):
    app.config.update(IMAP_TLS="starttls")
    imap_tls_server.deliver(verified_reply(invitation_for(first, IND), "DECLINED"))
    assert [o.outcome for o in replies.fetch().outcomes] == ["applied"]


def test_a_certificate_that_is_not_trusted_is_refused(app, imap_tls_server, first):
    app.config.update(IMAP_TLS="ssl", IMAP_PORT=imap_tls_server.tls_port, IMAP_CA_FILE=None)
    with pytest.raises(replies.MailboxUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
        replies.fetch()


def test_an_unknown_tls_mode_is_a_clear_error(app, imap_tls_server, first):
    app.config.update(IMAP_TLS="maybe")
    with pytest.raises(replies.MailboxUnavailable,
                       match="IMAP_TLS must be ssl, starttls or none, not 'maybe'"):
        replies.fetch()
