"""Logging in safely: guessing is slowed down per account and per address, answers take as
long for unknown accounts as for known ones, sessions end for good at logout and at a
password change, and weak passwords are refused wherever a password is set."""
from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta

import pytest
from flask import g
from flask.testing import FlaskClient

from nam_briefings.extensions import db
from nam_briefings.domain.errors import Invalid
from nam_briefings.models import LoginThrottle, User, utcnow
from nam_briefings.services import throttle, users
from nam_briefings.services.audit import Actor
from tests.conftest import csrf_token_from
from tests.factories import create_user
from tests.integration.web_helpers import HTML, end_request, page, post, text

PASSWORD = "correct horse battery"
EMAIL = "ed@chair.example.org"
ADMIN = Actor(label="test")


def attempt(client: FlaskClient, email: str, password: str, address: str = "127.0.0.1",
            token: str | None = None):
    """POST the login form from `address` (a fresh CSRF token unless one is given)."""
    forget_loaded_user()
    token = token or csrf_token_from(page(client, "/login"))
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token},
                           headers=HTML, environ_base={"REMOTE_ADDR": address})
    end_request()
    return response


def forget_loaded_user() -> None:
    """Make the next request load its user and CSRF token from its own cookie, as a real
    one does: the tests' requests share one app context, so Flask-Login and Flask-WTF
    would otherwise reuse what the previous request (of any client) loaded."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def post_as(client: FlaskClient, url: str, data: dict | None = None):
    """`post` for tests with several clients."""
    forget_loaded_user()
    return post(client, url, data)


def logged_in(client: FlaskClient) -> bool:
    """Whether the client's session opens a private page."""
    forget_loaded_user()
    response = client.get("/sessions", headers=HTML)
    end_request()
    return response.status_code == 200


class Clock:
    """The throttle's idea of now, moved by hand."""

    def __init__(self, monkeypatch) -> None:
        self.at = utcnow()
        monkeypatch.setattr(throttle, "utcnow", lambda: self.at)

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


# --- throttling --------------------------------------------------------------------------


def test_200_wrong_passwords_then_the_right_one_does_not_log_in(client):
    """The probe's attack: 200 guesses in a row, then the real password."""
    create_user(email=EMAIL, password=PASSWORD)
    token = csrf_token_from(page(client, "/login"))
    statuses = [attempt(client, EMAIL, f"guess number {n}", token=token).status_code
                for n in range(200)]
    assert statuses[:4] == [200] * 4 and set(statuses[5:]) == {429}
    right = attempt(client, EMAIL, PASSWORD, token=token)
    assert right.status_code == 429
    assert not logged_in(client)
    assert int(right.headers["Retry-After"]) > 0
    assert re.search(r"Too many attempts: try again in \d+ minutes?\.", text(right.text))


def test_a_blocked_account_stays_blocked_from_any_address_and_unblocks_after_the_wait(
        client, monkeypatch):
    clock = Clock(monkeypatch)
    create_user(email=EMAIL, password=PASSWORD)
    for n in range(5):
        attempt(client, EMAIL, "not the password", address=f"192.0.2.{n}")
    blocked = attempt(client, EMAIL, PASSWORD, address="198.51.100.7")
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "60"
    assert "try again in 1 minute." in text(blocked.text)
    clock.advance(seconds=61)
    assert attempt(client, EMAIL, PASSWORD, address="198.51.100.7").status_code == 302
    assert logged_in(client)


def test_the_wait_doubles_with_each_further_failure_up_to_an_hour(app, monkeypatch):
    clock = Clock(monkeypatch)
    waits = []
    for _ in range(14):
        try:
            throttle.check(EMAIL, "192.0.2.1")
        except throttle.TooManyAttempts as error:
            waits.append(error.retry_after)
            clock.advance(seconds=error.retry_after)
        try:
            throttle.record_failure(EMAIL, "192.0.2.1")
        except throttle.TooManyAttempts:
            pass
    assert waits[:7] == [60, 120, 240, 480, 960, 1920, 3600]
    assert set(waits[7:]) == {3600}


def test_a_success_clears_the_accounts_count(client):
    create_user(email=EMAIL, password=PASSWORD)
    for _ in range(4):
        assert attempt(client, EMAIL, "not the password").status_code == 200
    assert attempt(client, EMAIL, PASSWORD).status_code == 302
    post_as(client, "/logout")
    for _ in range(4):
        assert attempt(client, EMAIL, "not the password").status_code == 200
    assert attempt(client, EMAIL, PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_blocked(client):
    create_user(email=EMAIL, password=PASSWORD)
    statuses = [attempt(client, f"user{n}@chair.example.org", "not the password",
                        address="203.0.113.9").status_code for n in range(25)]
    assert statuses[:19] == [200] * 19 and set(statuses[19:]) == {429}
    assert attempt(client, EMAIL, PASSWORD, address="203.0.113.9").status_code == 429
    assert attempt(client, EMAIL, PASSWORD, address="203.0.113.10").status_code == 302


def test_an_unknown_account_is_throttled_like_a_known_one(client):
    """Otherwise the 429 would tell which accounts exist."""
    create_user(email=EMAIL, password=PASSWORD)
    known = [attempt(client, EMAIL, "not the password").status_code for _ in range(7)]
    unknown = [attempt(client, "nobody@chair.example.org", "not the password",
                       address="192.0.2.50").status_code for _ in range(7)]
    assert known == unknown == [200] * 4 + [429] * 3


def test_the_counts_are_kept_in_the_database_for_every_worker(app):
    with pytest.raises(throttle.TooManyAttempts):
        for _ in range(5):
            throttle.record_failure("Ed@Chair.example.org", "192.0.2.1")
    rows = {row.key: row for row in db.session.scalars(db.select(LoginThrottle))}
    assert rows[f"account:{EMAIL}"].failures == 5
    assert rows[f"account:{EMAIL}"].blocked_until > utcnow()
    assert rows["address:192.0.2.1"].failures == 5


def test_failures_at_the_same_moment_in_several_workers_are_all_counted(app):
    """Each worker has its own connection; the row lock makes every failure count."""
    import threading

    def worker() -> None:
        with app.app_context():
            for _ in range(3):
                try:
                    throttle.record_failure(EMAIL, "192.0.2.1")
                except throttle.TooManyAttempts:
                    pass
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = {row.key: row.failures for row in db.session.scalars(db.select(LoginThrottle))}
    assert rows == {f"account:{EMAIL}": 24, "address:192.0.2.1": 24}


def test_what_is_not_an_e_mail_address_is_kept_only_as_a_digest(app):
    """People type their password into the e-mail field."""
    throttle.record_failure("my secret passphrase", "192.0.2.1")
    keys = db.session.scalars(db.select(LoginThrottle.key)).all()
    assert len(keys) == 2 and not any("secret" in key for key in keys)


def test_counts_no_rule_remembers_are_deleted(app, monkeypatch):
    clock = Clock(monkeypatch)
    throttle.record_failure("old@chair.example.org", "192.0.2.1")
    clock.advance(days=1, minutes=1)
    throttle.record_failure(EMAIL, "192.0.2.2")
    keys = set(db.session.scalars(db.select(LoginThrottle.key)))
    assert keys == {f"account:{EMAIL}", "address:192.0.2.2"}


def test_support_staff_lift_a_block_from_the_command_line(client, runner):
    create_user(email=EMAIL, password=PASSWORD)
    for _ in range(5):
        attempt(client, EMAIL, "not the password", address=f"192.0.2.{_}")
    assert attempt(client, EMAIL, PASSWORD, address="198.51.100.1").status_code == 429
    result = runner.invoke(args=["users", "unblock", "Ed@Chair.example.org"])
    assert result.exit_code == 0 and "block lifted" in result.output
    assert attempt(client, EMAIL, PASSWORD, address="198.51.100.1").status_code == 302
    again = runner.invoke(args=["users", "unblock", EMAIL])
    assert "was not blocked" in again.output


# --- constant-time answers -----------------------------------------------------------------


def test_an_unknown_account_takes_as_long_to_refuse_as_a_wrong_password(app, client):
    app.config.update(LOGIN_ACCOUNT_FAILURES=1000, LOGIN_ADDRESS_FAILURES=1000)
    users.create_user(EMAIL, PASSWORD, "editor", ADMIN)  # a real (scrypt) hash
    token = csrf_token_from(page(client, "/login"))

    inactive_user = users.create_user("gone@chair.example.org", PASSWORD, "editor", ADMIN)
    users.set_active(inactive_user.id, False, ADMIN)
    emails = (EMAIL, "nobody@chair.example.org", "gone@chair.example.org")
    times: dict[str, list[float]] = {email: [] for email in emails}
    for _ in range(9):  # the three in turn, so that a busy moment of the machine hits all
        for email in emails:
            started = time.perf_counter()
            assert attempt(client, email, "not the password", token=token).status_code == 200
            times[email].append(time.perf_counter() - started)
    known, unknown, inactive = (statistics.median(times[email]) for email in emails)
    assert known / 3 < unknown < known * 3, (known, unknown)
    assert known / 3 < inactive < known * 3, (known, inactive)


# --- sessions ------------------------------------------------------------------------------


def copy_of_session(app, client: FlaskClient) -> FlaskClient:
    """A second browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
    return thief


def test_a_copied_session_cookie_stops_working_after_logout(app, client, login):
    login("editor")
    thief = copy_of_session(app, client)
    assert logged_in(thief)
    post_as(client, "/logout")
    assert not logged_in(thief)
    assert not logged_in(client)


def test_a_copied_session_cookie_stops_working_after_a_password_reset(app, client, login):
    user = login("editor")
    thief = copy_of_session(app, client)
    assert logged_in(thief)
    users.set_password(user.email, "a fresh new passphrase", ADMIN)
    assert not logged_in(thief)


def test_the_cli_and_the_admin_page_end_the_sessions_of_the_account(app, client, runner, login):
    colleague = users.create_user("colleague@chair.example.org", PASSWORD, "viewer", ADMIN)
    theirs = app.test_client()
    assert attempt(theirs, colleague.email, PASSWORD).status_code == 302
    assert logged_in(theirs)
    result = runner.invoke(args=["users", "set-password", colleague.email,
                                 "--password", "another long passphrase"])
    assert result.exit_code == 0, result.output
    assert not logged_in(theirs)

    assert attempt(theirs, colleague.email, "another long passphrase").status_code == 302
    forget_loaded_user()
    login("admin")
    response = post_as(client, f"/admin/users/{colleague.id}/password",
                    {"password": "a third long passphrase"})
    assert response.status_code == 302
    assert not logged_in(theirs)


def test_a_session_ends_after_its_lifetime(app, client, login, monkeypatch):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)
    login("viewer")
    assert logged_in(client)
    started = time.time()
    from nam_briefings.web import auth
    monkeypatch.setattr(auth, "time", lambda: started + 11 * 3600)
    assert logged_in(client)
    monkeypatch.setattr(auth, "time", lambda: started + 12 * 3600 + 60)
    assert not logged_in(client)


def test_no_remember_me_cookie_is_issued_and_a_forged_one_does_not_log_in(app, client):
    from flask_login.utils import encode_cookie

    user = create_user(email=EMAIL, password=PASSWORD)
    response = attempt(client, EMAIL, PASSWORD)
    assert response.status_code == 302
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))
    stranger = app.test_client()
    stranger.set_cookie("remember_token", encode_cookie(str(user.id)))
    assert not logged_in(stranger)


# --- the password policy -------------------------------------------------------------------

WEAK = [
    ("short pw", "at least 12 characters"),
    ("password123456", "common password"),
    ("PASSWORD1234!", "common password"),
    ("Qwerty123456", "common password"),
    ("qwertyuiopasdf", "keyboard pattern"),
    ("123456789012", "keyboard pattern"),
    ("aaaaaaaaaaaaaa", "repeats"),
    ("iloveyouiloveyou", "repeats"),
    ("secretariat.geneva@chair.example.org", "e-mail address"),
    ("Secretariat.Geneva", "e-mail address"),
    ("secretariat.geneva2026", "e-mail address"),
]


@pytest.mark.parametrize("password, rule", WEAK)
def test_weak_passwords_are_refused_with_the_rule_they_fail(app, password, rule):
    with pytest.raises(Invalid) as refused:
        users.create_user("secretariat.geneva@chair.example.org", password, "editor", ADMIN)
    assert rule in str(refused.value)
    assert refused.value.field == "password"
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", [PASSWORD, "Tr4m-Plainpalais-9h", "a long passphrase"])
def test_strong_passwords_are_accepted(app, password):
    user = users.create_user("secretariat.geneva@chair.example.org", password, "editor", ADMIN)
    assert users.authenticate(user.email, password) == user


def test_every_way_of_setting_a_password_applies_the_policy(app, client, runner, login):
    created = runner.invoke(args=["users", "create", "a@chair.example.org",
                                  "--password", "password123456"])
    assert created.exit_code == 1 and "common password" in created.output
    users.create_user("a@chair.example.org", PASSWORD, "viewer", ADMIN)
    changed = runner.invoke(args=["users", "set-password", "a@chair.example.org",
                                  "--password", "qwertyuiopasdf"])
    assert changed.exit_code == 1 and "keyboard pattern" in changed.output
    admin = login("admin")
    new_account = post(client, "/admin/users", {"email": "b@chair.example.org",
                                                "role": "viewer", "password": "iloveyou2026"})
    assert new_account.status_code == 400 and "common password" in text(new_account.text)
    reset = post(client, f"/admin/users/{admin.id}/password", {"password": "short"})
    assert reset.status_code == 400 and "at least 12 characters" in text(reset.text)
    assert users.authenticate("a@chair.example.org", PASSWORD) is not None


def test_the_demo_admin_gets_a_password_that_passes_the_policy(app, runner):
    runner.invoke(args=["seed"])
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    password = re.search(r"password: (\S+)", result.output).group(1)
    users.check_password_policy(password, "admin@example.org")
