"""Accept / Tentative / Decline as buttons in the invitation's HTML part (issue 14, point 7):
real links to the invitation's own RSVP addresses, large, in every mail client's colours."""
from __future__ import annotations

from html.parser import HTMLParser

from nam_briefings.extensions import db
from nam_briefings.models import Invitation, OutboxMessage
from nam_briefings.services import invitations
from nam_briefings.services.feed_links import public_url
from tests.integration.invitation_helpers import compose, confirm_session_49


class Buttons(HTMLParser):
    """The links of a page that sit in a coloured table cell: (label, href, cell colour,
    the link's style)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str, str]] = []
        self._cell = None
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" and attrs.get("bgcolor"):
            self._cell = attrs["bgcolor"]
        elif tag == "a" and self._cell:
            self._link = [attrs["href"], attrs.get("style", ""), ""]

    def handle_data(self, data):
        if self._link is not None:
            self._link[2] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            href, style, label = self._link
            self.found.append((label.strip(), href, self._cell, style))
            self._link = None
        elif tag == "td":
            self._cell = None


def buttons(html: str) -> list[tuple[str, str, str, str]]:
    parser = Buttons()
    parser.feed(html)
    return parser.found


def test_the_invitation_offers_its_three_answers_as_large_buttons(app):
    first, _ = confirm_session_49(app)
    compose()
    message = db.session.scalars(db.select(OutboxMessage).filter_by(
        briefing_id=first.id, kind="request").order_by(OutboxMessage.id)).first()
    invitation = db.session.scalar(db.select(Invitation).filter_by(
        briefing_id=first.id, contact_id=message.contact_id))
    found = buttons(message.body_html)
    # Each link is signed with the second it was made, so compare what the links name
    # (which invitation, which answer), not their bytes against freshly made ones.
    assert [label for label, _, _, _ in found] == ["Accept", "Tentative", "Decline"]
    for label, href, colour, style in found:
        prefix = public_url("/rsvp/")
        assert href.startswith(prefix)
        token, answer = href[len(prefix):].split("/")
        assert answer == label.lower()
        assert invitations.invitation_from_token(token).id == invitation.id
        assert colour.startswith("#") and "color:#ffffff" in style
        assert "font-size:16px" in style and "padding:12px 24px" in style
        assert "display:inline-block" in style
        assert href in message.body_text  # the plain-text part keeps every link
