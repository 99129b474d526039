"""Helpers for tests of the web pages: fetch as a browser, post forms with a CSRF token."""
from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from nam_briefings.extensions import db
from nam_briefings.models import AuditEvent
from tests.conftest import csrf_token_from

#: what a browser sends
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
#: what a script or API client sends
JSON = {"Accept": "application/json"}


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    """GET `url` as a browser, check the status and return the page's text."""
    response = client.get(url, headers=HTML)
    end_request()
    assert response.status_code == status, (url, response.status_code, response.location)
    return response.get_data(as_text=True)


def csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for the client's session (logged in or not)."""
    response = client.get("/missions", headers=HTML, follow_redirects=True)
    return csrf_token_from(response.get_data(as_text=True))


def post(client: FlaskClient, url: str, data: dict | None = None, *,
         headers: dict | None = None) -> TestResponse:
    """POST a form to `url` as a browser would, with a valid CSRF token."""
    form = {"csrf_token": csrf_token(client), **(data or {})}
    response = client.post(url, data=form, headers=headers or HTML)
    end_request()
    return response


def end_request() -> None:
    """Drop whatever a request left uncommitted, as the end of a real request does.

    The tests share the app context (and so the database session) with the requests
    they make; rolling back makes every later check read what was really committed.
    """
    db.session.rollback()


def text(html: str) -> str:
    """The visible text of a page, whitespace collapsed (for readable assertions)."""
    without_tags = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r" ([.,;:])", r"\1", " ".join(unescape(without_tags).split()))


#: a page's <html lang dir>
HTML_TAG = re.compile(r'<html lang="(\w+)" dir="(\w+)">')


def language_of(html: str) -> tuple[str, str]:
    """The page's <html lang> and dir."""
    match = HTML_TAG.search(html)
    assert match, "no <html lang dir>"
    return match.group(1), match.group(2)


def visible(html: str) -> str:
    """The visible text, whitespace collapsed but no-break spaces kept (French typography:
    "En échec\u00a0: 0"), unlike `text`."""
    without_tags = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r" ([.,])", r"\1", re.sub(r"[ \t\r\n]+", " ", unescape(without_tags))).strip()


def field_error(html: str, field_id: str) -> str:
    """The error message shown next to a form field (checks it is tied to the field)."""
    assert f'aria-describedby="{field_id}-error' in html or \
        re.search(rf'aria-describedby="[^"]*{field_id}-error', html), f"{field_id} has no error"
    match = re.search(rf'id="{field_id}-error">(.*?)</p>', html, re.S)
    assert match, f"no error message for {field_id}"
    return unescape(match.group(1)).strip()


def audit_trail() -> list[tuple[str, str, str, str]]:
    """Every audit event, oldest first, as (actor, action, target_type, target_id)."""
    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))
    return [(e.actor, e.action, e.target_type, e.target_id) for e in events]


def needs_action(html: str) -> list[str]:
    """The items of the "Needs action" list, as read."""
    block = html.split('id="actions-heading">')[1].split("</section>")[0]
    return [text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def action_links(html: str) -> dict[str, str]:
    """The "Needs action" items that are links: text -> URL."""
    block = html.split('id="actions-heading">')[1].split("</section>")[0]
    return {text(label): href.replace("&amp;", "&")
            for href, label in re.findall(r'<a href="([^"]+)">(.*?)</a>', block, re.S)}
