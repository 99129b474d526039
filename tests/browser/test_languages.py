"""Every page in its language, in Chromium (issue 15, "Done when": screenshots of the portal
and the dashboard in each language; the Arabic ones right to left, nothing sticking out of
the page at 390 px).

A mission's pages (its portal, reached by the signed link its e-mails carry, and a one-click
answer page) are opened in English, French, Spanish and Arabic by ?lang=, and once by the
language the contact saved; the secretariat's dashboard by ?lang= and by the browser's own
language (Accept-Language, which Playwright's `locale` sets). Each is looked at on a desktop
window and on a 390 px wide phone, with a full-page screenshot of each
(test-artifacts/screenshots/50-lang-*.png, see `helpers.screenshot`), and each checks
<html lang dir>, a heading in its language, and, on the phone, that nothing sticks out.

Every page is opened in a fresh browser context: a ?lang= is remembered for the browser
session, and would otherwise carry over to the next language's page.
"""
from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make dev-venv")

from playwright.sync_api import expect  # noqa: E402

from tests.browser.helpers import PASSWORD, USERS, rsvp_page, screenshot  # noqa: E402

LANGUAGES = ["en", "fr", "es", "ar"]
DESKTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
#: Guyana's UPR focal point (demo data): Guyana presents at the first briefing, so its pages
#: show the most (its presentation slot as well as the briefing)
GUYANA = "upr.guy@example.org"
#: the portal's "Upcoming briefings" heading (h2#upcoming-heading) in each language
PORTAL_HEADING = {
    "en": "Upcoming briefings",
    "fr": "Prochaines réunions d'information",
    "es": "Próximas reuniones informativas",
    "ar": "الإحاطات المقبلة",
}
PORTAL_HEADING_SELECTOR = "h2#upcoming-heading"
#: the decline link's answer page's <h1> (French puts a no-break space before the colon)
RSVP_HEADING = {
    "en": "Your answer: Decline",
    "fr": "Votre réponse\u00a0: Refuser",
    "es": "Su respuesta: Rechazar",
    "ar": "ردكم: اعتذار",
}
#: the dashboard's <h1> in English; in the other languages it must read otherwise
DASHBOARD_HEADING_EN = "Dashboard"
#: The dashboard's translation was being written at the same time as these tests: only
#: "differs from English" is asserted, so that the translators may still choose the words.
#: What its <h1> read in Chromium when these tests were written (by ?lang= and by
#: Accept-Language alike): fr "Tableau de bord", es "Panel", ar "لوحة المتابعة".
#: browser locales, as Playwright gives them to Chromium (its Accept-Language), and the
#: catalog language each must select
LOCALES = [("en-GB", "en"), ("fr-CH", "fr"), ("es-ES", "es"), ("ar-EG", "ar")]

#: <html lang dir>, what the document's box and the body compute, and the language marked
#: current in the switcher
LANGUAGE_OF_PAGE = """() => ({
  lang: document.documentElement.getAttribute("lang"),
  dir: document.documentElement.getAttribute("dir"),
  direction: getComputedStyle(document.body).direction,
  current: Array.from(document.querySelectorAll('nav.languages a[aria-current="true"]'),
                      link => link.getAttribute("lang")),
})"""

#: What sticks out of the window sideways. The page must not scroll sideways
#: (scrollWidth <= clientWidth), and no visible element may reach past the window's right
#: edge or before its left edge. "Visible": displayed, not visibility:hidden or transparent,
#: and more than 1 px wide and high once cut to every ancestor that clips its overflow (so
#: the 1 px `.visually-hidden` texts and whatever they hold are left out, and so is the part
#: of a wide table that its own scrolling box hides until scrolled: that box itself must fit).
#: Half a pixel is allowed for subpixel rounding. Each offender is named by tag#id.class,
#: its left and right edges, and the start of its text.
OVERFLOW = """() => {
  const root = document.documentElement;
  const width = window.innerWidth;
  const describe = (element, left, right) => {
    const classes = typeof element.className === "string" && element.className.trim()
      ? "." + element.className.trim().split(/\\s+/).join(".") : "";
    const text = (element.innerText || element.textContent || "").trim()
      .replace(/\\s+/g, " ").slice(0, 60);
    return `${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}${classes}`
      + ` left=${Math.round(left)} right=${Math.round(right)} "${text}"`;
  };
  const offenders = [];
  for (const element of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(element);
    if (style.visibility !== "visible" || parseFloat(style.opacity) === 0) continue;
    if (element.checkVisibility && !element.checkVisibility()) continue;
    const box = element.getBoundingClientRect();
    let left = box.left, right = box.right, top = box.top, bottom = box.bottom;
    for (let above = element.parentElement; above && above !== root;
         above = above.parentElement) {
      const clipping = getComputedStyle(above);
      if (clipping.overflowX === "visible" && clipping.overflowY === "visible") continue;
      const edge = above.getBoundingClientRect();
      left = Math.max(left, edge.left); right = Math.min(right, edge.right);
      top = Math.max(top, edge.top); bottom = Math.min(bottom, edge.bottom);
    }
    if (right - left <= 1 || bottom - top <= 1) continue;
    if (right > width + 0.5 || left < -0.5) offenders.push(describe(element, left, right));
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, width, offenders};
}"""

#: Where a (one-line) heading's text sits in its box: its gaps to the box's left and right
#: content edges. Measured on the text itself (a Range), since a heading's box fills the
#: line whichever way it is written.
HEADING_GAPS = """heading => {
  const range = document.createRange();
  range.selectNodeContents(heading);
  const text = range.getBoundingClientRect(), box = heading.getBoundingClientRect();
  const style = getComputedStyle(heading);
  return {left: Math.round(text.left - box.left - parseFloat(style.paddingLeft)),
          right: Math.round(box.right - parseFloat(style.paddingRight) - text.right)};
}"""


@pytest.fixture
def database_path(confirmed_database):
    """Session 49's best proposal is confirmed: the invitations (and answer links) exist."""
    return confirmed_database.path


@pytest.fixture
def first_briefing(confirmed_database) -> int:
    return confirmed_database.briefing_ids[0]


def portal_link(app, email: str = GUYANA) -> str:
    """The contact's signed portal link, as its e-mails give it."""
    from nam_briefings.extensions import db
    from nam_briefings.models import Contact
    from nam_briefings.services import portal

    with app.app_context():
        return portal.portal_url(db.session.scalar(db.select(Contact).filter_by(email=email)))


def save_language(app, code: str, email: str = GUYANA) -> None:
    """The contact's own language, as the directory, an import or the contact would save it."""
    from nam_briefings.extensions import db
    from nam_briefings.models import Contact

    with app.app_context():
        db.session.scalar(db.select(Contact).filter_by(email=email)).language = code
        db.session.commit()


def log_in(page, role: str = "editor") -> None:
    """Log in through the form whatever language it is written in (by the fields' names)."""
    page.goto("/login")
    form = page.locator("main form[method=post]")
    form.locator("input[name=email]").fill(USERS[role])
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def check_language(page, language: str, heading: str) -> None:
    """<html lang dir> name the language; the page is laid out in its direction (the
    short `heading` starts at the right in Arabic, at the left otherwise); the language
    switcher marks it as the current one."""
    direction = "rtl" if language == "ar" else "ltr"
    seen = page.evaluate(LANGUAGE_OF_PAGE)
    assert (seen["lang"], seen["dir"], seen["direction"]) == (language, direction, direction), seen
    assert seen["current"] == [language], seen
    gaps = page.locator(heading).first.evaluate(HEADING_GAPS)
    start, end = ("right", "left") if direction == "rtl" else ("left", "right")
    assert gaps[start] <= 1 < gaps[end], f"{heading} is not aligned to the {start}: {gaps}"


def check_nothing_sticks_out(page, what: str) -> None:
    """At the window's width: no sideways scrolling, no visible element beyond either edge."""
    seen = page.evaluate(OVERFLOW)
    assert seen["scrollWidth"] <= seen["clientWidth"] and not seen["offenders"], (
        f"{what} at {seen['width']} px: the page is {seen['scrollWidth']} px wide "
        f"(window {seen['clientWidth']} px); sticking out:\n  " + "\n  ".join(seen["offenders"]))


def look(new_context, url: str, name: str, language: str, heading: tuple, *,
         before=None, **context_options) -> dict[str, str]:
    """Open `url` in a fresh context on the desktop and then on the phone: check its language
    and heading (and on the phone that nothing sticks out), take a screenshot of each;
    `heading` is (its selector, a check that returns its text); `before(page)` runs first in
    each context (e.g. logging in). The headings seen, by window."""
    selector, check_heading = heading
    headings = {}
    for size, viewport in (("desktop", DESKTOP), ("390px", PHONE)):
        page = new_context(viewport=viewport, **context_options).new_page()
        if before:
            before(page)
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        screenshot(page, f"{name}-{size}")
        check_language(page, language, selector)
        headings[size] = check_heading(page)
        if viewport is PHONE:
            check_nothing_sticks_out(page, f"{name} ({url})")
    return headings


def portal_heading(language: str) -> tuple:
    """The portal's "Upcoming briefings" (its <h1> is the mission's name, not translated)."""
    def check(page) -> str:
        heading = page.locator(PORTAL_HEADING_SELECTOR)
        expect(heading).to_have_count(1)
        assert heading.text_content().strip() == PORTAL_HEADING[language]
        expect(page.locator("article.portal-briefing")).to_have_count(2)
        return heading.text_content().strip()
    return PORTAL_HEADING_SELECTOR, check


def rsvp_heading(language: str) -> tuple:
    def check(page) -> str:
        heading = page.locator("main h1")
        expect(heading).to_have_count(1)
        assert heading.text_content().strip() == RSVP_HEADING[language]
        return heading.text_content().strip()
    return "main h1", check


def dashboard_heading(language: str) -> tuple:
    def check(page) -> str:
        heading = page.locator("main h1")
        expect(heading).to_have_count(1)
        text = heading.text_content().strip()
        if language == "en":
            assert text == DASHBOARD_HEADING_EN
        else:
            assert text and text != DASHBOARD_HEADING_EN, (
                f"the dashboard's heading is still English in {language}: {text!r}")
        return text
    return "main h1", check


# --- a mission's pages -----------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_the_mission_portal_in_each_language_by_lang(new_context, live_server, language):
    url = f"{portal_link(live_server.app)}?lang={language}"
    look(new_context, url, f"50-lang-portal-{language}", language, portal_heading(language))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_answer_page_in_each_language_by_lang(new_context, live_server, first_briefing,
                                                   language):
    url = f"{rsvp_page(live_server.app, first_briefing, GUYANA, 'decline')}?lang={language}"
    look(new_context, url, f"51-lang-rsvp-{language}", language, rsvp_heading(language))


def test_the_contacts_saved_language_chooses_the_portal_and_the_answer_page(
        new_context, live_server, first_briefing):
    save_language(live_server.app, "ar")
    # no ?lang=, and a browser asking for French: the contact's own language comes first
    look(new_context, portal_link(live_server.app), "52-lang-portal-saved-ar", "ar",
         portal_heading("ar"), locale="fr-CH")
    look(new_context, rsvp_page(live_server.app, first_briefing, GUYANA, "decline"),
         "52-lang-rsvp-saved-ar", "ar", rsvp_heading("ar"), locale="fr-CH")


# --- the secretariat's dashboard -------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboard_in_each_language_by_lang(new_context, live_server, language):
    look(new_context, f"/?lang={language}", f"53-lang-dashboard-{language}", language,
         dashboard_heading(language), before=log_in)


@pytest.mark.parametrize("locale, language", LOCALES)
def test_the_dashboard_in_the_browsers_language(new_context, live_server, locale, language):
    look(new_context, "/", f"54-lang-dashboard-{locale}", language,
         dashboard_heading(language), before=log_in, locale=locale)
