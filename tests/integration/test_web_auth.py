"""Logging in and out, the login requirement on every page, CSRF and error pages."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from nam_briefings.extensions import db
from nam_briefings.models import Mission
from nam_briefings.web.auth import is_safe_next, public
from tests.conftest import csrf_token_from
from tests.factories import create_mission, create_state, create_user
from tests.integration.web_helpers import HTML, JSON, audit_trail, page, post, text

PASSWORD = "correct horse battery"
PUBLIC_ENDPOINTS = {"auth.login", "static", "rsvp.answer", "feeds.upr", "feeds.mission",
                    "feeds.secretariat", "feeds.health",
                    # the mission portal: its signed link is the key (see test_portal.py)
                    "portal.show", "portal.answer", "portal.new_contact", "portal.edit_contact",
                    "portal.remove_contact", "portal.language"}
SAMPLE_VALUES = {"number": 35, "contact_id": 1, "iso3": "GUY", "key": "0e71de88074d",
                 "briefing_id": 1, "message_id": 1, "period_id": 1, "room_id": 1, "user_id": 1,
                 "reply_id": 1, "fanout_id": 1}


def private_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route that needs a login."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in PUBLIC_ENDPOINTS:
                continue
            url = url_for(rule.endpoint, **{name: SAMPLE_VALUES[name] for name in rule.arguments})
            routes.extend((rule.endpoint, method, url)
                          for method in sorted(rule.methods & {"GET", "POST"}))
    return routes


def log_in(client, email: str, password: str, next_url: str | None = None):
    """Submit the login form; returns the response."""
    url = "/login" + (f"?next={next_url}" if next_url else "")
    token = csrf_token_from(page(client, "/login"))
    return client.post(url, data={"email": email, "password": password, "csrf_token": token},
                       headers=HTML)


# --- the login requirement -------------------------------------------------------------


def test_every_private_route_sends_browsers_to_login_and_scripts_get_401(app, client):
    routes = private_routes(app)
    checked = {endpoint for endpoint, _, _ in routes}
    assert {"sessions.index", "sessions.show", "states.index", "missions.index",
            "missions.new", "missions.deactivate", "missions.edit_contact", "audit.index",
            "auth.logout", "briefings.show", "briefings.roster_csv", "briefings.reschedule",
            "briefings.cancel", "outbox.index", "outbox.show", "outbox.eml", "outbox.ics",
            "outbox.retry"} <= checked
    token = csrf_token_from(page(client, "/login"))  # lets POSTs get past the CSRF check

    for endpoint, method, url in routes:
        data = {"csrf_token": token} if method == "POST" else None
        browser = client.open(url, method=method, data=data, headers=HTML)
        assert browser.status_code == 302, (endpoint, method, browser.status_code)
        location = urlsplit(browser.location)
        assert location.path == "/login", (endpoint, method)
        assert parse_qs(location.query)["next"] == [url]

        script = client.open(url, method=method, data=data, headers=JSON)
        assert script.status_code == 401, (endpoint, method, script.status_code)
        assert script.get_json()["error"] == "authentication required"


def test_a_request_with_no_accept_header_gets_401(client):
    assert client.get("/sessions").status_code == 401
    assert client.get("/sessions", headers={"Accept": "*/*"}).status_code == 401


def test_login_page_and_static_files_are_public(client):
    assert "Log in" in page(client, "/login")
    assert client.get("/static/style.css").status_code == 200


def test_the_public_decorator_opens_a_view(app, client):
    @public
    def feed() -> str:
        return "public feed"

    app.add_url_rule("/test-feed", "test_feed", feed)
    assert client.get("/test-feed").get_data(as_text=True) == "public feed"


def test_unknown_addresses_are_404_for_everyone(client, login):
    assert client.get("/no-such-page", headers=HTML).status_code == 404
    login("viewer")
    assert "There is nothing at this address" in page(client, "/no-such-page", status=404)


# --- logging in and out ----------------------------------------------------------------


def test_login_with_the_right_password_opens_the_dashboard(client):
    create_user(email="ed@chair.example.org", role="editor", password=PASSWORD)
    response = log_in(client, "Ed@Chair.example.org", PASSWORD)
    assert response.status_code == 302
    assert response.location == "/"
    assert "ed@chair.example.org" in page(client, "/")


@pytest.mark.parametrize("email, password", [
    ("ed@chair.example.org", "wrong password"),
    ("nobody@chair.example.org", PASSWORD),
    ("not an address", PASSWORD),
])
def test_login_with_wrong_credentials_fails_with_a_message(client, email, password):
    create_user(email="ed@chair.example.org", role="editor", password=PASSWORD)
    response = log_in(client, email, password)
    assert response.status_code == 200
    assert "Wrong e-mail address or password." in response.get_data(as_text=True)
    assert client.get("/sessions", headers=HTML).status_code == 302


def test_an_inactive_user_cannot_log_in(app, client):
    user = create_user(email="gone@chair.example.org", role="admin", password=PASSWORD)
    user.active = False
    db.session.commit()
    assert "Wrong e-mail address or password." in log_in(client, user.email, PASSWORD).text


def test_login_goes_back_to_the_page_asked_for(client):
    create_user(email="ed@chair.example.org", password=PASSWORD)
    response = log_in(client, "ed@chair.example.org", PASSWORD, next_url="/missions?q=guy")
    assert response.location == "/missions?q=guy"


@pytest.mark.parametrize("target", [
    "https://evil.example", "//evil.example", "/\\evil.example", "http:/evil.example",
    "javascript:alert(1)", "/%09/evil.example".replace("%09", "\t"),
])
def test_login_never_redirects_to_another_site(client, target):
    create_user(email="ed@chair.example.org", password=PASSWORD)
    response = log_in(client, "ed@chair.example.org", PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.location == "/"
    assert not is_safe_next(target)


def test_a_logged_in_user_visiting_login_goes_to_the_dashboard(client, login):
    login("viewer")
    response = client.get("/login", headers=HTML)
    assert response.status_code == 302 and response.location == "/"


def test_logout_ends_the_session(client, login):
    login("viewer")
    response = post(client, "/logout")
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/sessions", headers=HTML).status_code == 302


def test_a_deactivated_user_is_logged_out(app, client, login):
    user = login("editor")
    user.active = False
    db.session.commit()
    assert client.get("/sessions", headers=HTML).status_code == 302


# --- CSRF and error pages --------------------------------------------------------------


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(client, login):
    login("editor")
    create_mission("GUY")
    create_state("BRB", "Barbados")
    refused = client.post("/missions/GUY/deactivate", headers=HTML)
    assert refused.status_code == 400
    assert "nothing was changed" in text(refused.get_data(as_text=True))
    created = client.post("/missions/new", headers=HTML,
                          data={"state": "BRB", "name": "X", "email": "x@example.org"})
    assert created.status_code == 400
    missions = db.session.scalars(db.select(Mission)).all()
    assert [(m.state_iso3, m.active) for m in missions] == [("GUY", True)]
    assert audit_trail() == []


def test_a_forged_csrf_token_is_refused(client, login):
    login("editor")
    create_mission("GUY")
    refused = client.post("/missions/GUY/deactivate", data={"csrf_token": "forged"},
                          headers=HTML)
    assert refused.status_code == 400


def test_the_403_page_is_friendly(client, login):
    login("viewer")
    html = page(client, "/missions/new", status=403)
    assert "Not allowed" in html and "editing rights" in html


def test_the_login_form_labels_its_fields(client):
    html = page(client, "/login")
    assert '<label for="email">' in html and '<label for="password">' in html
    assert 'class="skip-link" href="#content"' in html


BROWSER_ACCEPT_HEADERS = {
    "chromium": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
                "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    "firefox": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "safari": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}


@pytest.mark.parametrize("browser", BROWSER_ACCEPT_HEADERS)
def test_real_browsers_are_sent_to_the_login_page(client, browser):
    response = client.get("/sessions", headers={"Accept": BROWSER_ACCEPT_HEADERS[browser]})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
