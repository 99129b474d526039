"""Roles in the pages and on the server: administrators manage users and see the settings;
editors schedule and send; viewers read, and see no button that would change anything."""
from __future__ import annotations

import re

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import Briefing, User
from nam_briefings.services import outbox, settings
from tests.conftest import csrf_token_from
from tests.factories import create_user
from tests.integration.invitation_helpers import confirm_session_49, plan_session_49
from tests.integration.web_helpers import HTML, audit_trail, field_error, page, post, text

NEW_USER = {"email": "New.Colleague@chair.example.org", "role": "editor",
            "password": "a long initial password"}


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(db.select(User).filter_by(email=email))


def nav(html: str) -> str:
    return text(html.split('aria-label="Main">')[1].split("</nav>")[0])


def log_out(client) -> None:
    post(client, "/logout")


def logs_in(client, email: str, password: str) -> bool:
    """Whether the login form lets `email` in (the client is logged out first)."""
    log_out(client)
    token = csrf_token_from(page(client, "/login"))
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token}, headers=HTML)
    db.session.rollback()
    return response.status_code == 302


# --- who sees the admin pages --------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_admins_see_and_reach_the_admin_pages(client, login, role):
    login(role)
    html = page(client, "/")
    assert "Users" not in nav(html) and "Settings" not in nav(html)
    assert "/admin/" not in html
    for url in ("/admin/users", "/admin/settings", "/admin/users/1"):
        assert client.get(url, headers=HTML).status_code == 403
    assert post(client, "/admin/users", NEW_USER).status_code == 403
    assert user(NEW_USER["email"].lower()) is None


def test_admins_see_users_and_settings_in_the_navigation(client, login):
    login("admin")
    html = page(client, "/admin/users")
    assert nav(html).endswith("Audit log Users Settings")
    assert re.search(r'<a href="/admin/users"\s+aria-current="page">Users</a>', html)


# --- users -----------------------------------------------------------------------------------


def test_an_admin_creates_a_user_who_can_then_log_in(client, login):
    login("admin")
    response = post(client, "/admin/users", NEW_USER)
    assert response.status_code == 302 and response.location == "/admin/users"
    created = user("new.colleague@chair.example.org")
    assert created.role == "editor" and created.active
    assert "Account new.colleague@chair.example.org created as editor." in text(
        page(client, "/admin/users"))
    assert audit_trail()[-1][1:] == ("user.create", "user", str(created.id))
    assert logs_in(client, "new.colleague@chair.example.org", NEW_USER["password"])


@pytest.mark.parametrize("change, field, message", [
    ({"password": "short"}, "password", "the password must have at least 12 characters"),
    ({"email": "not an address"}, "email", ""),
    ({"role": "superuser"}, "role", "Not a valid choice"),
])
def test_a_bad_new_user_is_refused_next_to_the_field(client, login, change, field, message):
    login("admin")
    before = audit_trail()
    response = post(client, "/admin/users", {**NEW_USER, **change})
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), field)
    assert user("new.colleague@chair.example.org") is None and audit_trail() == before


def test_an_address_already_taken_is_refused(client, login):
    create_user(email="new.colleague@chair.example.org", role="viewer")
    login("admin")
    response = post(client, "/admin/users", NEW_USER)
    assert response.status_code == 400
    assert "a user new.colleague@chair.example.org already exists" in field_error(
        response.get_data(as_text=True), "email")
    assert user("new.colleague@chair.example.org").role == "viewer"


def test_an_admin_changes_a_role_and_resets_a_password(client, login):
    colleague = create_user(email="colleague@chair.example.org", role="viewer")
    login("admin")
    html = page(client, f"/admin/users/{colleague.id}")
    assert re.search(r'<option selected value="viewer">', html)
    response = post(client, f"/admin/users/{colleague.id}/role", {"role": "editor"})
    assert response.status_code == 302
    assert user(colleague.email).role == "editor"
    assert "colleague@chair.example.org is now editor." in text(
        page(client, f"/admin/users/{colleague.id}"))

    refused = post(client, f"/admin/users/{colleague.id}/password", {"password": "short"})
    assert refused.status_code == 400
    assert "at least 12 characters" in field_error(refused.get_data(as_text=True), "password")
    post(client, f"/admin/users/{colleague.id}/password",
         {"password": "a brand new password"})
    assert [a[1] for a in audit_trail()[-2:]] == ["user.set_role", "user.set_password"]
    assert logs_in(client, colleague.email, "a brand new password")


def test_the_last_admin_can_neither_lose_the_role_nor_be_deactivated(client, login):
    admin = login("admin")
    before = audit_trail()
    refused = post(client, f"/admin/users/{admin.id}/role", {"role": "viewer"})
    assert refused.status_code == 400
    assert "is the last active administrator" in text(refused.get_data(as_text=True))
    response = post(client, f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 302
    assert "is the last active administrator" in text(page(client, f"/admin/users/{admin.id}"))
    fresh = user(admin.email)
    assert fresh.role == "admin" and fresh.active and audit_trail() == before

    # with a second active administrator, the first may step down
    create_user(email="second-admin@chair.example.org", role="admin")
    assert post(client, f"/admin/users/{admin.id}/role", {"role": "editor"}).status_code == 302
    assert user(admin.email).role == "editor"


def test_a_deactivated_user_cannot_log_in_until_activated(client, login):
    colleague = create_user(email="colleague@chair.example.org", role="editor",
                            password="correct horse battery")
    login("admin")
    post(client, f"/admin/users/{colleague.id}/deactivate")
    assert user(colleague.email).active is False
    assert not logs_in(client, colleague.email, "correct horse battery")
    log_out(client)
    login("admin")
    post(client, f"/admin/users/{colleague.id}/activate")
    assert logs_in(client, colleague.email, "correct horse battery")


# --- settings --------------------------------------------------------------------------------


def test_the_settings_page_shows_the_configuration_with_secrets_masked(app, client, login):
    app.config.update(MAIL_PASSWORD="smtp-secret-123", MAIL_USERNAME="relay-user",
                      PLANNER_RULES={"window_working_days": 20}, IMAP_HOST="imap.example.org",
                      IMAP_PORT=993, IMAP_PASSWORD="imap-secret-456")
    login("admin")
    html = page(client, "/admin/settings")
    content = text(html)
    for expected in ("MAIL_SERVER 127.0.0.1:", "ORGANIZER_EMAIL nam-briefings@chair.example.org",
                     "PUBLIC_BASE_URL", "PLANNING_HORIZON_DAYS 60", "REMINDER_WORKING_DAYS 2",
                     "PLANNER_RULES window 20 working days; hours 10:00–13:00, 15:00–18:00",
                     "MAIL_USERNAME relay-user", "MAIL_PASSWORD set (hidden)",
                     "SECRET_KEY set (hidden)", "IMAP_HOST imap.example.org:993",
                     "IMAP_PASSWORD set (hidden)", "PORTAL_LINK_MAX_AGE_DAYS 180"):
        assert expected in content, expected
    assert "smtp-secret-123" not in html and app.config["SECRET_KEY"] not in html
    assert "imap-secret-456" not in html
    assert settings.database_shown("postgresql+psycopg://briefings:pg-secret@db/nam") == \
        "postgresql+psycopg://briefings:***@db/nam"


# --- viewers see no action buttons ----------------------------------------------------------


def forms_and_actions(html: str) -> list[str]:
    """POST forms (other than logging out) and links to pages that change things."""
    main = html.split('<main id="content"')[1]
    posts = [action for action in re.findall(r'<form method="post" action="([^"]+)"', main)]
    changes = re.findall(r'href="([^"]*/(?:new|edit|confirm|reschedule|cancel|remove|reviews)'
                         r'(?:[?#][^"]*)?)"', main)
    return posts + changes


def test_viewers_see_no_button_that_changes_anything(app, client, login, smtp_server):
    briefing, _ = confirm_session_49(app)
    smtp_server.refuse_with = "550 5.1.1 No such mailbox"
    outbox.deliver_all(ignore_backoff=True)  # some failed messages, to retry
    failed = outbox.failed_messages()[0]
    login("viewer")
    pages = ["/", "/sessions", "/sessions/49", "/sessions/50", f"/briefings/{briefing.id}",
             "/missions", "/missions/GUY", "/outbox", f"/outbox/{failed.id}", "/busy",
             "/rooms", "/states", "/audit", "/calendars"]
    for url in pages:
        assert forms_and_actions(page(client, url)) == [], url

    log_out(client)
    login("editor")  # the same pages do offer editors their buttons
    offered = {url: forms_and_actions(page(client, url)) for url in pages}
    assert f"/briefings/{briefing.id}/reschedule" in offered[f"/briefings/{briefing.id}"]
    assert f"/outbox/{failed.id}/retry" in offered["/outbox"]
    assert "/sessions/50/plan" in offered["/sessions/50"]
    assert "/missions/GUY/edit" in offered["/missions/GUY"]
    assert "/busy/new" in offered["/busy"] and "/rooms/new" in offered["/rooms"]


def test_viewers_are_refused_on_the_server_too(app, client, login):
    key = plan_session_49(app)
    login("viewer")
    for url in ("/sessions/49/plan", f"/sessions/49/proposals/{key}/confirm",
                "/sessions/49/briefings/manual", "/missions/GUY/deactivate", "/rooms/new",
                "/busy/new", "/sessions/new"):
        assert post(client, url).status_code == 403, url
    assert db.session.scalar(db.select(db.func.count()).select_from(Briefing)) == 0


def opened_at(client, path: str, origin: str) -> str:
    """The page's text as a browser gets it when it reached the service at `origin`."""
    response = client.get(path, base_url=origin, headers=HTML)
    assert response.status_code == 200, (origin, path, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/admin/settings"])
def test_a_page_reached_at_another_address_than_public_base_url_says_so(app, client, login,
                                                                       path):
    """`make run PORT=5100` once kept PUBLIC_BASE_URL at port 5000 and nothing said so."""
    login("admin")
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000/"
    warning = text(opened_at(client, path, "http://127.0.0.1:5100"))
    assert "Links in e-mails and feeds lead elsewhere" in warning
    assert "You opened this page at http://127.0.0.1:5100" in warning
    assert "are built from http://127.0.0.1:5000" in warning
    assert "lead elsewhere" not in opened_at(client, path, "http://127.0.0.1:5000")
    app.config["PUBLIC_BASE_URL"] = "https://Briefings.example.int/nam"
    assert "lead elsewhere" not in opened_at(client, path, "https://briefings.example.int:443")
    assert "lead elsewhere" in opened_at(client, path, "http://briefings.example.int")
