"""Security headers on every response: a Content-Security-Policy that allows no inline
script or style, no framing, no MIME sniffing, no referrer (signed links live in URLs),
and HSTS only where the service is reached over HTTPS."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import create_mission, create_session, create_state
from tests.integration.web_helpers import HTML, end_request, page

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
EXPECTED = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
#: an inline script, style element, style attribute or event handler in HTML
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.I)


def assert_headers(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.path, name)
    assert "Strict-Transport-Security" not in response.headers


def test_pages_downloads_feeds_and_errors_all_carry_the_headers(client, login):
    create_state("GUY", "Guyana")
    create_mission("GUY")
    public = [client.get("/login", headers=HTML), client.get("/static/style.css"),
              client.get("/static/portal.js"), client.get("/feeds/upr.ics"),
              client.get("/healthz"), client.get("/no-such-page", headers=HTML),
              client.get("/sessions", headers=HTML)]  # a redirect to the login page
    assert [r.status_code for r in public] == [200, 200, 200, 200, 200, 404, 302]
    end_request()
    login("admin")
    private = [client.get("/", headers=HTML), client.get("/missions", headers=HTML),
               client.get("/calendars", headers=HTML)]
    assert [r.status_code for r in private] == [200, 200, 200]
    for response in public + private:
        assert_headers(response)


def test_the_feed_is_still_a_calendar_with_its_etag(client):
    response = client.get("/feeds/upr.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.get_data(as_text=True).startswith("BEGIN:VCALENDAR")
    again = client.get("/feeds/upr.ics", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert_headers(response)


def test_hsts_only_over_https_or_when_configured(app, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://nam.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    app.config["SESSION_COOKIE_SECURE"] = True  # served over HTTPS behind a proxy
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
    app.config.update(SESSION_COOKIE_SECURE=False, HSTS=True)
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_template_has_inline_script_style_or_event_handlers():
    """E-mail bodies are exempt: mail programs need inline styles and never see the CSP."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] == "email":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("url", ["/", "/sessions", "/sessions/35", "/missions", "/missions/GUY",
                                 "/calendars", "/outbox", "/admin/users"])
def test_rendered_pages_have_no_inline_script_or_style(client, login, url):
    create_session(35)
    create_state("GUY", "Guyana")
    create_mission("GUY")
    login("admin")
    html = page(client, url)
    assert INLINE.findall(html) == []
