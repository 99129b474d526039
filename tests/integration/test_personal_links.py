"""Signed personal links stay with their contact and out of other people's sight.

The probe of issue 11: a viewer opened `/outbox/<id>.eml`, took a presenter's signed
links and, with no login, declined Angola's slot (242 updates queued) and re-addressed
its ambassador; an old "decline" link still worked after its contact was deactivated,
its mission deactivated, or its address changed.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent, BriefingItem, Contact, Invitation, OutboxMessage, State
from nam_briefings.services import invitations, missions
from nam_briefings.services.invitations import RSVP_SALT, link_serializer
from tests.conftest import csrf_token_from
from tests.integration.invitation_helpers import SECRETARIAT, confirm_session_49
from tests.integration.web_helpers import HTML

#: the secret part of every personal link an e-mail carries
LINK = re.compile(r"/(?:rsvp|portal|feeds/missions)/([A-Za-z0-9_\-.]{16,})")


@pytest.fixture
def first(app):
    """The first briefing of session 49 (Guyana presents), invitations queued."""
    return confirm_session_49(app)[0]


def guyana_invitation(briefing) -> Invitation:
    db.session.expire_all()
    return db.session.scalar(db.select(Invitation).join(Invitation.contact).where(
        Invitation.briefing_id == briefing.id,
        Invitation.contact.has(email="ambassador@guy.example.org")))


def message_to(email: str) -> OutboxMessage:
    return db.session.scalar(db.select(OutboxMessage).filter_by(to_address=email, kind="request")
                             .order_by(OutboxMessage.id))


def secrets_in(message: OutboxMessage) -> set[str]:
    found = set()
    for body in (message.body_text, message.body_html or "", message.ics or ""):
        found |= {secret.removesuffix(".ics") for secret in LINK.findall(body)}
    return found


# --- the outbox shows no one's links ----------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_the_outbox_page_shows_no_personal_link(client, login, first, role):
    message = message_to("ambassador@guy.example.org")
    secrets = secrets_in(message)
    assert len(secrets) >= 2  # the RSVP key and the portal key, at least
    login(role)
    html = client.get(f"/outbox/{message.id}", headers=HTML).get_data(as_text=True)
    assert "personal link removed" in html
    assert not [secret for secret in secrets if secret in html]
    ics = client.get(f"/outbox/{message.id}.ics").get_data(as_text=True)
    assert not [secret for secret in secrets if secret in ics]


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_administrators_download_the_raw_email(client, login, first, role):
    message = message_to("ambassador@guy.example.org")
    login(role)
    assert client.get(f"/outbox/{message.id}.eml").status_code == 403
    assert "Download the e-mail" not in client.get(f"/outbox/{message.id}").get_data(as_text=True)


def test_the_administrators_eml_is_redacted_too(client, login, first):
    message = message_to("ambassador@guy.example.org")
    secrets = secrets_in(message)
    login("admin")
    response = client.get(f"/outbox/{message.id}.eml")
    assert response.status_code == 200 and response.content_type == "message/rfc822"
    from email import message_from_bytes, policy

    parsed = message_from_bytes(response.data, policy=policy.default)
    decoded = "".join(part.get_content() if isinstance(part.get_content(), str)
                      else part.get_content().decode() for part in parsed.walk()
                      if not part.is_multipart())
    assert "personal link removed" in decoded
    assert not [secret for secret in secrets if secret in decoded]
    # the queued row itself is unchanged: the recipient still gets working links
    db.session.expire_all()
    assert secrets_in(db.session.get(OutboxMessage, message.id)) == secrets


# --- RSVP links die with their contact ----------------------------------------------------

def decline_link(invitation: Invitation) -> str:
    return urlsplit(invitations.rsvp_links(invitation)["decline"]).path


def post_answer(client, path: str):
    page = client.get(path, headers=HTML)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": csrf_token_from(page.get_data(as_text=True))},
                       headers=HTML)


def assert_refused_and_nothing_changed(client, path: str, briefing) -> None:
    answers = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                                .filter_by(action="invitation.answer"))
    queued = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))
    response = post_answer(client, path)
    assert response.status_code in (400, 404, 410), response.status_code
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .filter_by(action="invitation.answer")) == answers
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == queued
    slots = db.session.scalars(db.select(BriefingItem.slot_status)
                               .filter_by(briefing_id=briefing.id)).all()
    assert "declined" not in slots


def test_a_link_works_while_its_contact_is_current(client, first):
    response = post_answer(client, decline_link(guyana_invitation(first)))
    assert response.status_code == 200
    assert guyana_invitation(first).partstat == "DECLINED"


def test_a_link_dies_when_its_contact_is_deactivated(client, first):
    path = decline_link(guyana_invitation(first))
    contact = db.session.scalar(db.select(Contact).filter_by(email="ambassador@guy.example.org"))
    missions.set_contact_active(contact.id, False, SECRETARIAT)
    assert_refused_and_nothing_changed(client, path, first)


def test_a_link_dies_when_its_mission_is_deactivated(client, first):
    path = decline_link(guyana_invitation(first))
    missions.set_mission_active("GUY", False, SECRETARIAT)
    assert_refused_and_nothing_changed(client, path, first)


def test_a_link_dies_when_its_contacts_address_changes(client, first):
    path = decline_link(guyana_invitation(first))
    contact = db.session.scalar(db.select(Contact).filter_by(email="ambassador@guy.example.org"))
    missions.update_contact(contact.id, contact.name, contact.role, "new.ambassador@guy.example.org",
                            contact.language, SECRETARIAT)
    assert_refused_and_nothing_changed(client, path, first)
    # the new address has working links of its own
    assert post_answer(client, decline_link(guyana_invitation_of(first, contact.id))).status_code == 200


def guyana_invitation_of(briefing, contact_id: int) -> Invitation:
    db.session.expire_all()
    return db.session.scalar(db.select(Invitation).filter_by(briefing_id=briefing.id,
                                                             contact_id=contact_id))


def test_a_link_sent_before_links_carried_the_address_dies_with_a_new_address(client, first):
    invitation = guyana_invitation(first)
    legacy = link_serializer(RSVP_SALT).dumps(invitation.token)  # the old layout: the key alone
    assert post_answer(client, f"/rsvp/{legacy}/tentative").status_code == 200
    contact = invitation.contact
    missions.update_contact(contact.id, contact.name, contact.role, "moved@guy.example.org",
                            contact.language, SECRETARIAT)
    assert_refused_and_nothing_changed(client, f"/rsvp/{legacy}/decline", first)


def test_a_link_dies_when_its_state_is_no_longer_invited(client, first):
    path = decline_link(guyana_invitation(first))
    db.session.get(State, "GUY").nam_status = "none"
    db.session.commit()
    assert_refused_and_nothing_changed(client, path, first)
