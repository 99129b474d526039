"""The language of the secretariat's pages (issue 15, point 4): each user chooses one on
their account page; until then the browser's Accept-Language; a ?lang= link for the
browser session. A mission's pages follow their contact, whoever opens them."""
from __future__ import annotations

import re

import pytest

from nam_briefings.extensions import db
from nam_briefings.models import User
from tests.conftest import csrf_token_from
from tests.integration.web_helpers import (
    HTML, audit_trail, end_request, field_error, language_of, text)

def page_language(client, url: str = "/", **headers: str) -> tuple[str, str]:
    """The <html lang> and dir of the page at `url`."""
    response = client.get(url, headers={**HTML, **headers})
    end_request()
    assert response.status_code == 200, (url, response.status_code)
    return language_of(response.get_data(as_text=True))


def save(client, value: str):
    """Submit the account page's language form."""
    page = client.get("/account", headers=HTML).get_data(as_text=True)
    response = client.post("/account", headers=HTML,
                           data={"csrf_token": csrf_token_from(page), "language": value})
    end_request()
    return response


def saved_language(user: User) -> str | None:
    db.session.expire_all()
    return db.session.get(User, user.id).language


def test_until_a_user_chooses_the_pages_follow_the_browser(client, login):
    login("viewer")
    assert page_language(client) == ("en", "ltr")
    assert page_language(client, **{"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"}) == \
        ("fr", "ltr")
    assert page_language(client, **{"Accept-Language": "ar"}) == ("ar", "rtl")
    assert page_language(client, **{"Accept-Language": "de-CH, ru"}) == ("en", "ltr")


def test_the_language_a_user_saves_wins_over_the_browser_and_is_audited(client, login):
    user = login("viewer")  # choosing one's own language needs no editing right
    response = save(client, "ar")
    assert response.status_code == 302 and response.location.endswith("/account")
    assert saved_language(user) == "ar"
    page = client.get("/account", headers=HTML).get_data(as_text=True)
    assert "تم حفظ اللغة: العربية." in text(page)  # the flash, in the language just saved
    assert "<h1>حسابكم</h1>" in page
    assert page_language(client, **{"Accept-Language": "fr"}) == ("ar", "rtl")
    assert page_language(client, "/sessions") == ("ar", "rtl")
    assert ("user.set_language", "user", str(user.id)) in [t[1:] for t in audit_trail()]
    # back to the browser's choice
    assert save(client, "").status_code == 302 and saved_language(user) is None
    assert page_language(client, **{"Accept-Language": "es"}) == ("es", "ltr")


def test_a_lang_link_changes_this_browser_until_the_user_saves_a_language(client, login):
    user = login("editor")
    save(client, "fr")
    assert page_language(client, "/?lang=es") == ("es", "ltr")
    assert page_language(client) == ("es", "ltr")  # kept for the browser session
    save(client, "fr")  # saving forgets what the link chose
    assert page_language(client) == ("fr", "ltr") and saved_language(user) == "fr"


@pytest.mark.parametrize("value", ["de", "xx", "fr-CH", "français"])
def test_a_language_without_pages_is_refused_and_nothing_changes(client, login, value):
    user = login("viewer")
    response = save(client, value)
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "language") == (
        "Choose one of the languages offered: English, French, Spanish or Arabic. "
        "Nothing was changed.")
    assert saved_language(user) is None
    assert not [t for t in audit_trail() if t[1] == "user.set_language"]


def test_every_page_links_to_the_account_from_the_users_address(client, login):
    user = login("viewer")
    for url in ("/", "/sessions", "/account"):
        html = client.get(url, headers=HTML).get_data(as_text=True)
        end_request()
        assert re.search(rf'<a href="/account"[^>]*>{re.escape(user.email)}</a>', html), url


def test_the_account_page_needs_a_login(client):
    response = client.get("/account", headers=HTML)
    assert response.status_code == 302 and "/login" in response.location


def test_the_welcome_is_written_in_the_language_the_user_saved(client):
    """The login page is in the browser's language (nobody is known yet); the welcome after
    it is the user's own, as every page that follows."""
    from tests.factories import create_user

    user = create_user(email="ar@chair.example.org", role="viewer")
    user.language = "ar"
    db.session.commit()
    login_page = client.get("/login", headers={**HTML, "Accept-Language": "en"})
    assert language_of(login_page.get_data(as_text=True)) == ("en", "ltr")
    response = client.post("/login", headers={**HTML, "Accept-Language": "en"}, data={
        "csrf_token": csrf_token_from(login_page.get_data(as_text=True)),
        "email": user.email, "password": "correct horse battery"})
    end_request()
    assert response.status_code == 302
    page = client.get(response.location, headers={**HTML, "Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert language_of(html) == ("ar", "rtl")
    assert "مرحبًا، ar@chair.example.org." in text(html)
