"""A refused form shows one error box at its top (role="alert", "Please correct this…", each
problem linked to its field) that takes the focus: `autofocus` and tabindex=-1 without
JavaScript, static/error-summary.js with it. Field messages stay next to their fields.

(The browser tests check the focus and the view in Chromium: tests/browser/test_plain_words.py.)
"""
from __future__ import annotations

import re
from datetime import date

from tests.integration.invitation_helpers import plan_session_49
from tests.integration.web_helpers import field_error, page, post, text

SCRIPT = '<script src="/static/error-summary.js" defer></script>'


def summaries(html: str) -> list[str]:
    """The error boxes of a page, as HTML (from the box's tag to its end)."""
    return re.findall(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)


def links(box: str) -> dict[str, str]:
    """The box's problems that link to a field: text -> the field's id."""
    return {text(label): target
            for target, label in re.findall(r'<a href="#([^"]+)">(.*?)</a>', box, re.S)}


def the_one_box(html: str) -> str:
    """The page's only error box, checked to be an alert that takes the focus."""
    boxes = summaries(html)
    assert len(boxes) == 1, boxes
    box = boxes[0]
    opening = box.split(">", 1)[0]
    assert 'role="alert"' in opening and 'tabindex="-1"' in opening and "autofocus" in opening
    assert "data-error-summary" in opening and SCRIPT in html
    return box


def test_confirming_a_past_proposal_without_the_tick_shows_the_problem_at_the_top(
        app, client, login):
    key = plan_session_49(app)
    app.config["TODAY"] = date(2025, 4, 23)  # the first meeting is over
    login("editor")
    url = f"/sessions/49/proposals/{key}/confirm"
    assert summaries(page(client, url)) == []  # nothing wrong yet

    refused = post(client, url)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    box = the_one_box(html)
    assert text(box).startswith("Please correct this; nothing was saved:")
    assert links(box) == {"Tue 22 Apr 2025 10:00 CEST is in the past: confirm explicitly that "
                          "invitations should go out for a past date. Tick the box to go "
                          "ahead.": "allow_past"}
    # the form, its box first, comes straight after the heading, before the proposal
    main = html.split("</h1>", 1)[1]
    assert main.lstrip().startswith('<form method="post"')
    form = main.split("</form>")[0]
    assert form.index('class="error-summary"') < form.index('id="allow_past"')
    assert main.index("</form>") < main.index("Confirming creates <strong>2 briefings")
    assert field_error(html, "allow_past").startswith("Tue 22 Apr 2025 10:00 CEST is in the past")


def test_a_bad_list_of_states_shows_one_box_with_every_line(app, client, login):
    plan_session_49(app)
    login("editor")
    refused = post(client, "/sessions/49/reviews", {"states": "XXX\nGUY\nYYY"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    box = the_one_box(html)
    assert 'id="review-problems"' in box
    assert links(box) == {
        "States under review, in order of review: 2 problems found; nothing was imported. "
        "Each problem is listed with its line.": "states",
        "Line 1: unknown state 'XXX': import it with the states first": "states",
        "Line 3: unknown state 'YYY': import it with the states first": "states"}
    form = html.split('<form method="post" action="/sessions/49/reviews"')
    assert html.index('class="error-summary"') < html.index('id="states"')
    assert len(form) == 2 and 'class="error-summary"' not in form[1]  # the box tops the form
    assert "2 problems found" in field_error(html, "states")


def test_a_time_set_by_hand_refused_opens_its_form_with_the_box_at_its_top(app, client, login):
    plan_session_49(app)
    login("editor")
    refused = post(client, "/sessions/49/briefings/manual",
                   {"day": "", "start_time": "10:00", "end_time": "25:00", "room": "nowhere"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    box = the_one_box(html)
    assert 'id="manual-errors"' in box and '<h3 class="error-summary__heading">' in box
    assert links(box) == {"Date: Give the date.": "day",
                          "End (Geneva time): Give the end time as HH:MM, e.g. 11:30.": "end_time",
                          "Room: Not a valid choice.": "room",
                          "Presenting states: Tick at least one presenting state.": "states"}
    manual = html.split('action="/sessions/49/briefings/manual"')[1].split("</form>")[0]
    assert manual.split(">", 1)[1].lstrip().startswith('<div class="error-summary"')


def test_a_wrong_password_is_in_the_box_and_next_to_the_field(client, login):
    refused = post(client, "/login", {"email": "nobody@chair.example.org",
                                      "password": "not the password"})
    html = refused.get_data(as_text=True)
    assert links(the_one_box(html)) == {"Password: Wrong e-mail address or password.": "password"}
    assert field_error(html, "password") == "Wrong e-mail address or password."


def test_a_page_without_a_refusal_has_no_box_and_no_script(app, client, login):
    plan_session_49(app)
    login("editor")
    for url in ("/sessions/49", "/sessions/49/reviews", "/sessions/new", "/busy/new"):
        html = page(client, url)
        assert summaries(html) == [] and SCRIPT not in html, url
