"""Odd input gets a clear 400 or 404, never a 500, and writes nothing: every route of the app.

The walk reads the routes from `app.url_map`, so a route added later is walked too. It runs
on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (which refuses NUL bytes in text and
numbers beyond 32 bits where SQLite stores them). Issue 11, finding 11.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from nam_briefings.extensions import db
from nam_briefings.models import Contact, InboundReply, Invitation, OutboxMessage, Proposal
from nam_briefings.services import (briefings, busy, clock, feeds, invitations, missions, portal,
                                    rooms, users)
from tests.factories import create_user
from tests.integration.invitation_helpers import SECRETARIAT, confirm_session_49
from tests.integration.web_helpers import HTML, text

HUGE_IDS = (2**31, 2**63, 10**30)
NUL = "a\x00b"
LONG = "x" * 100_000
WEB = Path(__file__).resolve().parents[2] / "nam_briefings" / "web"
#: every query parameter a view reads (request.args.get("name", ...) / request.args["name"])
QUERY_NAMES = sorted(set(re.findall(r"""request\.args(?:\.get\(|\[)\s*["'](\w+)["']""",
                                    "\n".join(p.read_text() for p in WEB.glob("*.py"))))
                     | {"next", "x"})


# --- the data: a confirmed briefing with invitations, the outbox, rooms, periods ---------------

@pytest.fixture
def world(app, client, login) -> dict:
    """Session 49 confirmed, a failed message, an inactive room and mission; logged in as admin."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer, counted below
    both = confirm_session_49(app)
    login_page = client.get("/login", headers=HTML).get_data(as_text=True)  # as a visitor sees it
    admin = login("admin")
    spare = rooms.create_room("Room XX", 40, "Palais des Nations", SECRETARIAT)
    rooms.set_room_active(spare.id, False, SECRETARIAT)
    period = busy.add_busy_period("closure", date(2025, 4, 1), date(2025, 4, 1), "Closure",
                                  SECRETARIAT)
    gone = missions.create_mission("BRA", "Mission of Brazil", "mission@bra.example.org",
                                   SECRETARIAT)
    missions.set_mission_active(gone.state_iso3, False, SECRETARIAT)
    former = create_user(email="former@chair.example.org", role="viewer")
    users.set_active(former.id, False, SECRETARIAT)
    proposal = briefings.plan_session(48, SECRETARIAT).proposals[0].key
    message = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).first()
    message.status, message.last_error = "failed", "550 mailbox unavailable"
    db.session.commit()
    invitation = db.session.scalars(db.select(Invitation).order_by(Invitation.id)).first()
    contact = invitation.contact
    colleague = db.session.scalars(db.select(Contact).where(  # at another mission
        Contact.mission_id != contact.mission_id)).first()
    missions.set_contact_active(colleague.id, False, SECRETARIAT)
    both[0].agenda_pending = True  # a presenter left: the decision's form is on its page
    for sent in db.session.scalars(db.select(OutboxMessage).filter_by(  # went 3 days ago:
            briefing_id=both[1].id, kind="request", status="pending")):  # reminders may go
        sent.status, sent.sent_at = "sent", clock.now() - timedelta(days=3)
    reply = InboundReply(message_id="<reply@guy.example.org>", outcome="unverified",
                         from_address=contact.email, attendee=contact.email,
                         partstat="ACCEPTED", event_uid=both[0].uid, briefing_id=both[0].id,
                         invitation_id=invitation.id)
    db.session.add(reply)
    db.session.commit()
    ints = {"briefing_id": both[0].id, "message_id": message.id, "period_id": period.id,
            "room_id": spare.id, "user_id": admin.id, "contact_id": contact.id, "number": 49,
            "reply_id": reply.id}
    strings = {"iso3": "GUY", "answer": "accept",
               "key": db.session.scalars(db.select(Proposal.key)).first(),
               "token": None, "filename": "style.css"}
    tokens = {"portal": portal.portal_token(contact), "rsvp": invitations.rsvp_token(invitation),
              "feeds.mission": feeds.mission_feed_token("GUY"),
              "feeds.secretariat": feeds.user_feed_token(admin.id)}
    #: pages that show the forms the walk's own values do not (activate, confirm, plan)
    pages = ["/missions/BRA", f"/missions/{colleague.mission.state_iso3}",
             f"/admin/users/{former.id}", "/sessions/48",
             f"/sessions/48/proposals/{proposal}/confirm", "/rooms",
             "/sessions/54/publish",  # 54 is on file as expected (the seed's forecast)
             f"/briefings/{both[1].id}/remind"]
    return {"ints": ints, "strings": strings, "tokens": tokens, "pages": pages,
            "login_page": login_page}


def url_values(app, world: dict, rule) -> dict:
    """Real values for the rule's arguments (an unknown name: 1 or 'x')."""
    values = {}
    for name in rule.arguments:
        if isinstance(rule._converters[name], IntegerConverter):
            values[name] = world["ints"].get(name, 1)
        elif name == "token":
            prefix = rule.endpoint.split(".")[0]
            values[name] = world["tokens"].get(rule.endpoint) or world["tokens"].get(prefix, "x")
        else:
            values[name] = world["strings"].get(name) or "x"
    return values


def routes(app, method: str) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if method in rule.methods),
                  key=lambda rule: rule.rule)


def build(app, rule, values: dict) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def fingerprint() -> dict[str, str]:
    """A digest of every table's rows: equal before and after means nothing was written."""
    db.session.rollback()
    digests = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def changed(before: dict[str, str]) -> list[str]:
    after = fingerprint()
    return [name for name in before if after[name] != before[name]]


# --- forms as a browser sees them ---------------------------------------------------------

class FormReader(HTMLParser):
    """The POST forms of a page: action -> {field name: value a browser would send}."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        #: fields that take a number (type="number" or inputmode="numeric")
        self.numeric: set[str] = set()
        self._fields: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._fields = {}
            self.forms.append((attrs.get("action") or "", self._fields))
        elif self._fields is None or not attrs.get("name"):
            return
        elif tag in ("input", "button"):
            kind = (attrs.get("type") or "text").lower()
            if kind == "number" or attrs.get("inputmode") == "numeric":
                self.numeric.add(attrs["name"])
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self._fields.setdefault(attrs["name"], attrs.get("value") or "y")
            else:
                self._fields.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs["name"]
            self._fields.setdefault(self._select, "")
        elif tag == "option" and self._select:
            if not self._fields[self._select] or "selected" in attrs:
                self._fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._fields.setdefault(self._textarea, "")

    def handle_data(self, data: str) -> None:
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of_every_page(app, client, world: dict) -> dict[str, tuple[str, dict[str, str]]]:
    """Endpoint -> (path, fields) of a POST form for it, from every page of the walk.

    The names of the fields that take a number are under the key "numeric".
    """
    urls = [build(app, rule, url_values(app, world, rule)) for rule in routes(app, "GET")]
    pages = [(url, client.get(url, headers=HTML)) for url in urls + world["pages"]]
    db.session.rollback()
    pages = [(url, response.get_data(as_text=True)) for url, response in pages
             if response.content_type.startswith("text/html")] + [("/login", world["login_page"])]
    adapter = app.url_map.bind("localhost")
    found: dict = {"numeric": set()}
    for url, html in pages:
        reader = FormReader()
        reader.feed(html)
        found["numeric"] |= reader.numeric
        for action, fields in reader.forms:
            path = urlsplit(action).path or urlsplit(url).path
            if "csrf_token" in fields:
                endpoint, _ = adapter.match(path, method="POST")
                found.setdefault(endpoint, (path, fields))
    return found


# --- the walks ----------------------------------------------------------------------------

def test_huge_ids_in_addresses_are_404_and_write_nothing(app, client, world):
    before = fingerprint()
    walked, failures = set(), []
    for method in ("GET", "POST"):
        csrf = _csrf(client)
        for rule in routes(app, method):
            values = url_values(app, world, rule)
            for name in rule.arguments:
                if not isinstance(values[name], int):
                    continue
                walked.add(rule.endpoint)
                for huge in HUGE_IDS:
                    url = build(app, rule, {**values, name: huge})
                    response = client.open(url, method=method, headers=HTML,
                                           data={"csrf_token": csrf} if method == "POST" else None)
                    db.session.rollback()
                    if response.status_code != 404:
                        failures.append((method, url[:80], response.status_code))
    assert not failures, failures
    assert {"briefings.show", "outbox.show", "portal.answer", "sessions.show",
            "admin.user_role"} <= walked
    assert changed(before) == []


def test_nul_bytes_in_the_path_and_query_are_400(app, client, world):
    before = fingerprint()
    failures, walked = [], 0
    for rule in routes(app, "GET"):
        values = url_values(app, world, rule)
        base = build(app, rule, values)
        urls = [f"{base}?{urlencode({name: NUL for name in QUERY_NAMES})}",
                f"{base}?{quote(NUL)}=1"]
        for name, value in values.items():
            if isinstance(value, str):
                urls.append(build(app, rule, {**values, name: value + "\x00"}))
        for url in urls:
            walked += 1
            response = client.get(url, headers=HTML)
            db.session.rollback()
            if response.status_code != 400 or "control character" not in text(response.text):
                failures.append((url[:90], response.status_code))
    assert not failures, failures
    assert walked > 60
    assert changed(before) == []


def test_huge_numbers_in_the_query_never_give_a_500(app, client, world):
    before = fingerprint()
    failures = []
    for rule in routes(app, "GET"):
        base = build(app, rule, url_values(app, world, rule))
        for number in (*HUGE_IDS, -(2**63), -1, 0, "9" * 5000):
            response = client.get(f"{base}?{urlencode({n: number for n in QUERY_NAMES})}",
                                  headers=HTML)
            db.session.rollback()
            if response.status_code >= 500:
                failures.append((base, str(number)[:20], response.status_code))
    assert not failures, failures
    assert changed(before) == []


@pytest.mark.parametrize("bad", [NUL, LONG], ids=["nul", "100000-chars"])
def test_every_form_field_refuses_nul_and_oversize_values_and_writes_nothing(app, client,
                                                                              world, bad):
    forms = forms_of_every_page(app, client, world)
    forms.pop("numeric")
    before = fingerprint()
    failures, missing, tried = [], [], 0
    for rule in routes(app, "POST"):
        path, fields = forms.get(rule.endpoint, (None, None))
        if fields is None:
            missing.append(rule.endpoint)
            path = build(app, rule, url_values(app, world, rule))
            fields = {"csrf_token": _csrf(client)}
        for name in fields:
            tried += 1
            data = {**fields, "csrf_token": _csrf(client) if name != "csrf_token" else bad}
            data[name] = bad
            response = client.post(path, data=data, headers=HTML)
            db.session.rollback()
            if not 400 <= response.status_code < 500:
                failures.append((rule.endpoint, name, response.status_code))
            elif bad == NUL and name != "csrf_token" and response.status_code == 400 \
                    and "control character" not in text(response.text):
                failures.append((rule.endpoint, name, "no clear message"))
            wrote = changed(before)
            if wrote:
                failures.append((rule.endpoint, name, "wrote", wrote))
                before = fingerprint()
    assert not failures, failures
    assert not missing, f"no page of the walk offers a form for {missing}: add one to `world`"
    assert tried > 40


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30, "9" * 5000])
def test_every_number_field_refuses_numbers_the_database_cannot_hold(app, client, world,
                                                                     number):
    forms = forms_of_every_page(app, client, world)
    numeric = forms.pop("numeric")
    before = fingerprint()
    failures, tried = [], []
    for endpoint, (path, fields) in sorted(forms.items()):
        for name in sorted(numeric & set(fields)):
            tried.append((endpoint, name))
            data = {**fields, "csrf_token": _csrf(client), name: str(number)}
            response = client.post(path, data=data, headers=HTML)
            db.session.rollback()
            if response.status_code != 400:
                failures.append((endpoint, name, response.status_code))
            wrote = changed(before)
            if wrote:
                failures.append((endpoint, name, "wrote", wrote))
                before = fingerprint()
    assert not failures, failures
    assert {("sessions.new", "number"), ("busy.new_room", "capacity"),
            ("briefings.plan", "window_working_days")} <= set(tried)


def test_the_refusals_say_what_is_wrong_in_a_page_or_in_json(app, client, world):
    missing = client.get(f"/briefings/{2**31}", headers=HTML)
    assert missing.status_code == 404
    assert "There is no such record: 2147483648 is larger than any number" in text(missing.text)
    nul = client.get("/missions?q=a%00b", headers=HTML)
    assert nul.status_code == 400 and nul.content_type.startswith("text/html")
    assert "The address's parameter 'q' contains a control character" in text(nul.text)
    script = client.get("/missions?q=a%00b", headers={"Accept": "application/json"})
    assert script.status_code == 400
    assert script.get_json() == {"error": "The address's parameter 'q' contains a control "
                                          "character (such as a NUL byte)."}
    page_number = client.get(f"/outbox?page={10**30}", headers=HTML)
    assert page_number.status_code == 400
    assert "is too large: numbers here go up to 2,147,483,647" in text(page_number.text)


def test_the_rsvp_comment_with_a_nul_is_refused_with_a_message(app, client, world):
    before = fingerprint()
    url = f"/rsvp/{world['tokens']['rsvp']}/accept"
    page = client.get(url, headers=HTML)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    response = client.post(url, data={"csrf_token": token, "comment": "Merci\x00"},
                           headers=HTML)
    assert response.status_code == 400
    assert "control character" in text(response.text)
    assert changed(before) == []


def test_a_multi_line_comment_is_still_accepted(app, client, world):
    url = f"/rsvp/{world['tokens']['rsvp']}/accept"
    page = client.get(url, headers=HTML)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    response = client.post(url, data={"csrf_token": token,
                                      "comment": "Line one\r\n\tLine two"}, headers=HTML)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.scalars(db.select(Invitation.comment).where(
        Invitation.comment != "")).all() == ["Line one\r\n\tLine two"]


def _csrf(client) -> str:
    response = client.get("/missions", headers=HTML)
    db.session.rollback()
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text).group(1)


# --- the forms' limits are the columns' ------------------------------------------------------

def form_fields():
    """(form, field name, unbound field) for every field of every form in web/forms.py."""
    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    from nam_briefings.web import forms as module

    for form in vars(module).values():
        if isinstance(form, type) and issubclass(form, FlaskForm) and form is not FlaskForm:
            for klass in form.__mro__:
                for name, field in vars(klass).items():
                    if isinstance(field, UnboundField):
                        yield form.__name__, name, field


def test_every_text_and_number_field_of_every_form_is_bounded():
    from wtforms import IntegerField, PasswordField, StringField
    from wtforms.validators import Length, NumberRange

    from nam_briefings.domain.limits import DATABASE_INT_MAX

    unbounded = []
    for form, name, field in form_fields():
        validators = field.kwargs.get("validators", [])
        if issubclass(field.field_class, (StringField, PasswordField)):
            if not any(isinstance(v, Length) and v.max > 0 for v in validators):
                unbounded.append((form, name))
        if issubclass(field.field_class, IntegerField):
            ranges = [v for v in validators if isinstance(v, NumberRange)]
            if not ranges or ranges[0].max is None or ranges[0].max > DATABASE_INT_MAX:
                unbounded.append((form, name))
    assert unbounded == []


def test_the_limits_are_the_column_sizes():
    from nam_briefings.domain import limits
    from nam_briefings.models import BusyPeriod, Mission, Room, State, User

    columns = {"STATE_NAME_MAX": State.name, "MISSION_NAME_MAX": Mission.name,
               "CONTACT_NAME_MAX": Contact.name, "EMAIL_MAX": Contact.email,
               "ROOM_NAME_MAX": Room.name, "ROOM_LOCATION_MAX": Room.location,
               "BUSY_LABEL_MAX": BusyPeriod.label}
    assert {name: getattr(limits, name) for name in columns} == {
        name: column.type.length for name, column in columns.items()}
    assert Mission.email.type.length == User.email.type.length == limits.EMAIL_MAX


def test_a_name_one_character_too_long_is_refused_next_to_its_field(app, client, world):
    before = fingerprint()
    path = f"/portal/{world['tokens']['portal']}/contacts/new"
    page = client.get(path, headers=HTML)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    response = client.post(path, headers=HTML, data={
        "csrf_token": token, "name": "N" * 201, "role": "focal_point",
        "email": "new@guy.example.org", "language": "en"})
    assert response.status_code == 400
    assert "The name must be at most 200 characters long." in text(response.text)
    assert changed(before) == []


# --- CSV exports: formula cells are text (OWASP CSV injection; finding 12) ----------------------

FORMULA = '=HYPERLINK("http://evil","x")'


def test_the_roster_csv_shows_formula_cells_as_text(app, client, world):
    contact = db.session.get(Contact, world["ints"]["contact_id"])
    contact.name = FORMULA
    db.session.commit()
    url = f"/rsvp/{world['tokens']['rsvp']}/accept"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get(url, headers=HTML).text).group(1)
    assert client.post(url, data={"csrf_token": token, "comment": "@SUM(1+1)*cmd|' /C calc'!A0"},
                       headers=HTML).status_code == 200
    response = client.get(f"/briefings/{world['ints']['briefing_id']}/roster.csv", headers=HTML)
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    [row] = [r for r in rows if r["email"] == contact.email]
    assert row["contact"] == "'" + FORMULA
    assert row["comment"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    starts = {cell[:1] for r in rows for cell in r.values()}
    assert not starts & {"=", "+", "-", "@", "\t", "\r"}


def test_the_refusals_are_written_in_the_page_s_language(app, client, world):
    """A French page's refusals are French (numbers the French way); JSON clients and
    English pages keep the English text above."""
    nul = client.get("/missions?q=a%00b&lang=fr", headers=HTML)
    assert nul.status_code == 400
    assert ("Le paramètre 'q' de l'adresse contient un caractère de contrôle (tel qu'un octet "
            "NUL).") in text(nul.text)
    page_number = client.get(f"/outbox?page={10**30}&lang=fr", headers=HTML)
    assert page_number.status_code == 400
    assert "2\u202f147\u202f483\u202f647" in page_number.text
