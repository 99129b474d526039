"""What the service records in words — why a message was withdrawn or waits for the relay,
why a briefing needs review, what became of an e-mailed reply — read in the page's language
(issue 15, point 4), while the database (and so the CLI and its --json) keeps the English
text byte for byte. A row written before sentences were kept, and a relay's own words, stay English
and say so (lang="en").

Session 49 confirmed (see invitation_helpers), its invitations not yet sent.
"""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from nam_briefings.domain.calendar import GENEVA
from nam_briefings.domain.messages import (
    N_,
    Grouped,
    Joined,
    Moment,
    Said,
    Span,
    recalled,
    recorded,
)
from nam_briefings.extensions import db
from nam_briefings.models import Briefing, InboundReply, OutboxMessage, UprSession
from nam_briefings.services import briefings, outbox, replies
from tests.conftest import free_port
from tests.imap_server import reply_to
from tests.integration.invitation_helpers import SECRETARIAT, confirm_session_49, invitation_for
from tests.integration.reply_helpers import MX, vouched
from tests.integration.web_helpers import end_request, page, visible

NBSP = "\u00a0"
IND = "ambassador@ind.example.org"


# --- keeping a sentence ----------------------------------------------------------------------

def test_a_kept_sentence_comes_back_with_its_template_and_values():
    said = Said(N_("%(what)s at %(when)s: %(days)s, %(who)s (%(count)s)"),
                what=Said(N_("held")), when=Moment.of(datetime(2027, 1, 5, 10, 0, tzinfo=GENEVA)),
                days=Span(date(2027, 1, 18), date(2027, 1, 29)),
                who=Joined(["a@x.org", "b@x.org"]), count=Grouped(1500))
    stored = json.loads(json.dumps(recorded(said)))  # as a JSON column gives it back
    again = recalled(str(said), stored)
    assert isinstance(again, Said) and again == said == (
        "held at Tue 5 Jan 2027 10:00: 18 Jan – 29 Jan 2027, a@x.org, b@x.org (1,500)")
    assert again.template == said.template
    assert [type(value) for value in again.params.values()] == [Said, Moment, Span, Joined,
                                                                Grouped]


def test_only_a_sentence_that_still_writes_the_text_is_trusted():
    said = Said(N_("permanent failure: %(error)s"), error="550 " + "x" * 3000)
    assert recorded("a relay's own words") is None
    assert recalled("a relay's own words", None) == "a relay's own words"
    cut = str(said)[:2000]  # what the column keeps of a long one
    assert type(recalled(cut, recorded(said))) is str
    assert type(recalled("other text", recorded(said))) is str
    assert recalled("x", {"said": "%(missing)s", "params": {}}) == "x"
    assert recalled("x", {"no": "sentence"}) == "x"


def test_a_row_keeps_the_sentence_of_its_text_and_forgets_it_when_the_text_changes():
    message = OutboxMessage(last_error=Said(N_("superseded by sequence %(sequence)s"),
                                            sequence=3))
    assert message.last_error_said == {"said": "superseded by sequence %(sequence)s",
                                       "params": {"sequence": 3}}
    message.last_error = "421 try later"
    assert message.last_error_said is None and message.last_error_sentence == "421 try later"


# --- on the pages -----------------------------------------------------------------------------

@pytest.fixture
def session_49(app, smtp_server):
    """Session 49's two briefings confirmed, their invitations queued but not sent."""
    app.config["REPLY_AUTHSERV_ID"] = MX
    return sorted(confirm_session_49(app), key=lambda briefing: briefing.start_at)


def outbox_text(client, lang: str) -> str:
    return visible(page(client, f"/outbox?lang={lang}"))


def test_why_a_message_was_withdrawn_in_the_page_language(client, login, session_49):
    first, second = session_49
    briefings.cancel(second.id, SECRETARIAT)
    withdrawn = db.session.scalars(db.select(OutboxMessage).filter_by(
        briefing_id=second.id, kind="request", status="withdrawn")).all()
    assert withdrawn
    english = f"briefing {second.id} was cancelled: its invitation is not sent; the " \
              "cancellation is"
    assert {m.last_error for m in withdrawn} == {english}  # the database keeps the English
    login("viewer")
    assert english in outbox_text(client, "en")
    french = outbox_text(client, "fr")
    assert english not in french
    assert (f"la réunion d'information {second.id} a été annulée{NBSP}: son invitation n'est "
            f"pas envoyée{NBSP}; l'annulation l'est") in french
    end_request()


def test_a_message_waiting_for_the_relay_says_so_in_the_page_language(app, client, login,
                                                                     session_49):
    app.extensions["mail"].port = free_port()  # the relay is down
    assert outbox.deliver().waiting > 0
    waiting = db.session.scalars(db.select(OutboxMessage).filter_by(status="waiting")).all()
    assert waiting and all(m.last_error.startswith("waiting for the relay: ") for m in waiting)
    login("viewer")
    spanish = outbox_text(client, "es")
    assert "waiting for the relay" not in spanish
    assert "en espera del servidor de correo: " in spanish
    end_request()


def test_a_review_note_in_the_page_language(client, login, session_49):
    first, _ = session_49
    session = db.session.scalar(db.select(UprSession).filter_by(number=49))
    old = session.start_date, session.end_date
    session.start_date, session.end_date = date(2025, 5, 12), date(2025, 5, 23)
    briefings.session_dates_changed(session, *old)
    db.session.commit()
    note = db.session.get(Briefing, first.id).review_note
    assert note == ("UPR session 49 moved from 28 Apr – 9 May 2025 to 12 May – 23 May 2025. "
                    "Check that this briefing still fits.")
    login("viewer")
    written = {  # the dates the language's way too
        "fr": "désormais 12–23 mai 2025. Vérifiez que cette réunion d'information convient "
              "toujours.",
        "es": "se ha trasladado de 28 abr\u2009–\u20099 may 2025 a 12–23 may 2025. Compruebe que "
              "esta reunión informativa sigue siendo adecuada.",
        "ar": "من 28 أبريل – 9 مايو 2025 إلى 12–23 مايو 2025. تحقّقوا من أن هذه الإحاطة لا تزال "
              "مناسبة."}
    for language, sentence in written.items():
        content = visible(page(client, f"/briefings/{first.id}?lang={language}"))
        assert sentence in content and note not in content
    end_request()


def test_what_became_of_a_reply_in_the_page_language(client, login, session_49):
    first, _ = session_49
    outbox.deliver()
    invitation = invitation_for(first, IND)
    replies.apply_message(vouched(reply_to(invitation, "TENTATIVE", uid="lunch@outlook.example")))
    replies.apply_message(vouched(reply_to(invitation, "DECLINED",
                                           attendee="intruder@evil.example.com")))
    reasons = [row.reason for row in db.session.scalars(
        db.select(InboundReply).order_by(InboundReply.id))]
    assert reasons == ["no briefing has this UID",
                       "intruder@evil.example.com is not invited and is not an address of any "
                       "mission on file"]
    login("viewer")
    english = visible(page(client, "/replies?lang=en"))
    assert all(reason in english for reason in reasons)
    french = visible(page(client, "/replies?lang=fr"))
    assert not any(reason in french for reason in reasons)
    assert "aucune réunion d'information n'a cet UID" in french
    assert ("intruder@evil.example.com ne figure pas parmi les invités et n'est l'adresse "
            "d'aucune mission enregistrée") in french
    end_request()


def test_a_row_written_before_sentences_were_kept_stays_english_and_says_so(client, login,
                                                                            session_49):
    first, _ = session_49
    message = db.session.scalars(db.select(OutboxMessage).filter_by(
        briefing_id=first.id, kind="request")).first()
    db.session.execute(db.update(OutboxMessage).where(OutboxMessage.id == message.id).values(
        status="withdrawn", last_error="withdrawn by hand", last_error_said=None))
    db.session.commit()
    login("viewer")
    html = page(client, f"/outbox/{message.id}?lang=fr")
    assert '<span lang="en" dir="ltr">withdrawn by hand</span>' in html
    assert '<span lang="en" dir="ltr">withdrawn by hand</span>' not in page(
        client, f"/outbox/{message.id}?lang=en")
    end_request()
