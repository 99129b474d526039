"""The Outbox pages: counts, failed messages and retrying them, one message, .eml and .ics."""
from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy

import icalendar
import pytest

from nam_briefings.extensions import db
from nam_briefings.models import OutboxMessage
from nam_briefings.services import briefings, outbox, outbox_view
from tests.integration.invitation_helpers import (
    CONTACTS,
    SECRETARIAT,
    compose,
    confirm_session_49,
    outbox_messages,
)
from tests.integration.web_helpers import HTML, audit_trail, page, post, text

REFUSED = "nobody@gone.example.org"


@pytest.fixture
def delivered(app, smtp_server):
    """Session 49 confirmed and its 16 invitations delivered; then one message refused (550)."""
    confirm_session_49(app)
    assert outbox.deliver().sent == 2 * CONTACTS
    outbox.enqueue("notice", "notice:test:refused", REFUSED, "Proposals for UPR50",
                   "New proposals are ready.")
    db.session.commit()
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    report = outbox.deliver()
    assert report.failed == 1
    smtp_server.refuse_with = None
    return smtp_server


def failed_message() -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(db.select(OutboxMessage).filter_by(to_address=REFUSED))


def test_the_outbox_shows_counts_failed_messages_and_the_latest(client, login, delivered):
    login("editor")
    html = page(client, "/outbox")
    content = text(html)
    assert "Pending: 0 Sending: 0 Waiting: 0 Sent: 16 Failed: 1 Withdrawn: 0" in content
    failed = failed_message()
    section = text(html.split('id="failed"')[1].split("</section>")[0])
    assert f"Proposals for UPR50 #{failed.id} {REFUSED}" in section
    assert "permanent failure: 550 5.1.1 No such mailbox" in section
    assert f'action="/outbox/{failed.id}/retry"' in html
    latest = text(html.split('id="latest-heading"')[1])
    assert latest.index(f"{failed.id} Notice {REFUSED}") < latest.index("Invitation SEQ 0")
    assert "17 messages, newest first." in latest
    assert 'href="/outbox" aria-current="page"' in html  # the nav bar's Outbox link


def test_viewers_see_the_outbox_but_cannot_retry(client, login, delivered):
    login("viewer")
    html = page(client, "/outbox")
    assert "No such mailbox" in html and "/retry" not in html
    failed = failed_message()
    assert post(client, f"/outbox/{failed.id}/retry").status_code == 403
    assert failed_message().status == "failed"


def test_retry_puts_a_failed_message_back_in_the_queue(client, login, delivered):
    login("editor")
    failed = failed_message()
    response = post(client, f"/outbox/{failed.id}/retry")
    assert response.status_code == 302 and response.location == "/outbox#failed"
    again = failed_message()
    assert (again.status, again.attempts) == ("pending", 0)
    assert audit_trail()[-1][1:] == ("outbox.retry", "outbox_message", str(failed.id))
    content = text(page(client, "/outbox"))
    assert f"Message {failed.id} to {REFUSED} is queued again" in content
    assert "No failed messages." in content
    assert outbox.deliver().sent == 1
    assert delivered.messages[-1][0] == [REFUSED]
    # only a failed message can be retried
    refused = post(client, f"/outbox/{failed.id}/retry")
    assert refused.status_code == 400
    assert "only failed ones are retried" in text(refused.get_data(as_text=True))


def test_retry_from_the_message_page_comes_back_to_it(client, login, delivered):
    login("admin")
    failed = failed_message()
    html = page(client, f"/outbox/{failed.id}")
    assert "Retry" in text(html)
    response = post(client, f"/outbox/{failed.id}/retry", {"back": "message"})
    assert response.location == f"/outbox/{failed.id}"


def test_a_message_page_shows_headers_bodies_and_calendar_safely(client, login, delivered):
    login("viewer")
    message = outbox_messages(kind="request")[0]
    html = page(client, f"/outbox/{message.id}")
    content = text(html)
    assert f"To {message.to_address}" in content
    assert f"Subject {message.subject}" in content
    assert f"Message-ID {message.message_id}" in content
    assert "From \"NAM Chairmanship, Geneva\" <nam-briefings@chair.example.org>" in content
    assert "text/calendar; method=REQUEST; charset=utf-8" in content
    assert "application/ics; name=invite.ics (attachment)" in content
    assert "Status Sent" in content and "Attempts 1" in content
    assert "Opening by the Chair" in content  # the text body
    assert "BEGIN:VCALENDAR" in html and "METHOD:REQUEST" in html
    # the HTML body only inside a sandboxed iframe, escaped into its srcdoc
    assert "<iframe" in html and " sandbox " in html
    assert 'srcdoc="&lt;!doctype html&gt;' in html
    assert message.body_html[:60] not in html
    # a viewer downloads the calendar, not the raw e-mail (administrators only)
    assert f'href="/outbox/{message.id}.eml"' not in html
    assert f'href="/outbox/{message.id}.ics"' in html


def test_the_eml_download_is_the_message_as_sent(client, login, delivered):
    login("admin")
    message = outbox_messages(kind="request")[0]
    response = client.get(f"/outbox/{message.id}.eml", headers=HTML)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "message/rfc822"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="outbox-{message.id}.eml"'
    email = message_from_bytes(response.data, policy=policy.default)
    assert email["Message-ID"] == message.message_id
    assert email["To"] == message.to_address
    assert email.get_content_type() == "multipart/mixed"
    calendar = next(p for p in email.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert "BEGIN:VEVENT" in calendar.get_content()


def test_the_ics_download_parses_with_icalendar(client, login, delivered):
    login("viewer")
    first = briefings.list_briefings()[-1]
    message = outbox_messages(kind="request", briefing_id=first.id)[0]
    response = client.get(f"/outbox/{message.id}.ics", headers=HTML)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; method=REQUEST; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="outbox-{message.id}-request.ics"'
    parsed = icalendar.Calendar.from_ical(response.get_data(as_text=True))
    assert str(parsed["METHOD"]) == "REQUEST"
    [event] = parsed.walk("VEVENT")
    assert str(event["UID"]) == first.uid and int(event["SEQUENCE"]) == 0

    briefings.cancel(first.id, SECRETARIAT)
    compose()
    cancel = outbox_messages(kind="cancel")[0]
    response = client.get(f"/outbox/{cancel.id}.ics", headers=HTML)
    assert response.headers["Content-Type"] == "text/calendar; method=CANCEL; charset=utf-8"
    assert str(icalendar.Calendar.from_ical(response.data)["METHOD"]) == "CANCEL"
    # a notice carries no calendar
    page(client, f"/outbox/{failed_message().id}.ics", status=404)
    page(client, "/outbox/999999", status=404)


def test_the_list_pages_and_filters(client, login, delivered, monkeypatch):
    monkeypatch.setattr(outbox_view, "PER_PAGE", 5)
    login("viewer")
    ids = sorted((m.id for m in outbox_messages()), reverse=True)
    first_page = page(client, "/outbox")
    assert "17 messages, newest first; page 1 of 4." in text(first_page)
    assert 'href="/outbox?page=2" rel="next"' in first_page
    last_page = page(client, "/outbox?page=4")
    assert f'href="/outbox/{ids[-1]}"' in last_page and 'rel="next"' not in last_page
    assert f'href="/outbox/{ids[0]}"' in first_page and f'href="/outbox/{ids[0]}"' \
        not in last_page.split('id="latest-heading"')[1]
    assert "page 4 of 4" in text(page(client, "/outbox?page=99"))  # past the end: the last

    failed_only = text(page(client, "/outbox?status=failed").split('id="latest-heading"')[1])
    assert "Latest messages (failed)" in failed_only and "1 message, newest first." in failed_only
    briefing = briefings.list_briefings()[0]
    for_one = text(page(client, f"/outbox?briefing={briefing.id}").split('id="latest-heading"')[1])
    assert f"{CONTACTS} messages, newest first; page 1 of 2." in for_one


def test_retrying_an_invitation_to_a_briefing_that_has_begun_asks_first(app, client, login,
                                                                        delivered, runner):
    invitation = outbox_messages(kind="request")[0]
    invitation.status, invitation.last_error = "failed", "permanent failure: 550"
    db.session.commit()
    app.config["TODAY"] = date(2025, 5, 1)  # after the briefing
    login("editor")
    refused = post(client, f"/outbox/{invitation.id}/retry")
    assert refused.location == f"/outbox/{invitation.id}?past=1"
    assert failed_message().status == "failed"
    db.session.expire_all()
    assert db.session.get(OutboxMessage, invitation.id).status == "failed"
    html = page(client, f"/outbox/{invitation.id}?past=1")
    assert "is in the past" in text(html) and 'name="allow_past"' in html
    cli = runner.invoke(args=["outbox", "retry", str(invitation.id)])
    assert cli.exit_code != 0 and "is in the past" in cli.output
    assert post(client, f"/outbox/{invitation.id}/retry",
                {"allow_past": "y", "back": "message"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, invitation.id).status == "pending"
    # a notice about no briefing is retried without asking
    assert post(client, f"/outbox/{failed_message().id}/retry").location == "/outbox#failed"
