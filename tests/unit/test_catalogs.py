"""The message catalogs are complete (issue 15): every message the code and templates mark
for translation is in the French, Spanish and Arabic catalogs, translated, not fuzzy, with
the same %(name)s placeholders as its English source (a translation may leave one out, as
"%(ordinal)s" where a language writes the ordinal itself), and each catalog compiles.

The messages are extracted as `make extract` does: babel.cfg's mapping and options (its
{% trans %} blocks trimmed), and the Makefile's BABEL_KEYWORDS besides Babel's own."""
from __future__ import annotations

import ast
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "nam_briefings" / "translations"
LANGUAGES = ("fr", "es", "ar")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def keywords() -> dict:
    """Babel's keywords and the Makefile's BABEL_KEYWORDS (-k _l -k lazy_gettext ...)."""
    [line] = re.findall(r"^BABEL_KEYWORDS := (.*)$", (ROOT / "Makefile").read_text(), re.M)
    return {**DEFAULT_KEYWORDS, **parse_keywords(re.findall(r"-k (\S+)", line))}


def extracted() -> dict[tuple[str, str | None], str]:
    """(msgid, msgctxt) -> where it was first found, from every source babel.cfg names."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[tuple[str, str | None], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords()):
        msgid = message[0] if isinstance(message, tuple) else message  # plurals: singular
        if msgid:
            found.setdefault((msgid, context), f"{filename}:{lineno}")
    return found


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


EXTRACTED = extracted()
#: the msgids alone
SOURCES = {msgid: where for (msgid, _context), where in EXTRACTED.items()}


def test_the_sources_mark_messages_for_translation():
    assert "Dear %(name)s," in SOURCES  # e-mails
    assert "NAM briefing before UPR%(number)s: %(states)s" in SOURCES  # calendar entries
    assert "Upcoming briefings" in SOURCES  # the portal ({{ _() }})
    assert ("This page was sent to <strong>%(name)s</strong> (%(email)s). Keep its address "
            "within your Mission: anyone who has it can answer for you and change your "
            "Mission's contacts.") in SOURCES  # a {% trans %} block, trimmed
    assert "Your answer: %(answer)s" in SOURCES  # the RSVP pages
    assert "The name" in SOURCES and "Awaiting confirmation" in SOURCES  # _l() and N_()
    assert "%(what)s must be at most %(limit)s character long." in SOURCES  # lazy_ngettext


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_message_is_translated(language):
    messages = catalog(language)
    missing = [f"{msgid!r} ({where})" for (msgid, context), where in EXTRACTED.items()
               if messages.get(msgid, context=context) is None]
    assert not missing, f"not in the {language} catalog: " + "; ".join(missing)
    for message in messages:
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy in {language}: {message.id!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"empty in {language}: {message.id!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        allowed = {name for msgid in ids for name in PLACEHOLDER.findall(msgid)}
        for string in strings:
            unknown = set(PLACEHOLDER.findall(string)) - allowed
            assert not unknown, f"{language}: {message.id!r} has placeholders {unknown}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_compiles(language):
    messages = catalog(language)
    assert not list(messages.check()), f"{language}: {list(messages.check())}"
    compiled = BytesIO()
    write_mo(compiled, messages)
    assert len(compiled.getvalue()) > 1000
    compiled.seek(0)
    back = read_mo(compiled)  # what Flask-Babel reads: every translation, the plurals too
    for message in messages:
        if message.id and not message.fuzzy:
            strings = back.get(message.id, context=message.context).string  # pgettext too
            assert (tuple(strings) if isinstance(strings, list) else strings) == message.string, \
                (language, message.id)


def service_strings() -> list[str | re.Pattern]:
    """The messages the services write: their string constants, and their f-strings as
    patterns (any value in place of each {...})."""
    found: list[str | re.Pattern] = []
    for path in (ROOT / "nam_briefings" / "services").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(node.value)
            elif isinstance(node, ast.JoinedStr):
                found.append(re.compile("".join(
                    re.escape(part.value) if isinstance(part, ast.Constant) else ".+"
                    for part in node.values)))
    return found


def test_the_service_messages_the_answer_pages_translate_are_still_written():
    """web/rsvp.py lists the services' messages it shows translated: each must still be one
    a service writes, or its translation would never be used."""
    from nam_briefings.web.rsvp import SERVICE_MESSAGES

    written = service_strings()
    for message in SERVICE_MESSAGES:
        assert any(message == known if isinstance(known, str) else known.fullmatch(message)
                   for known in written), f"no service writes {message!r} any more"


def test_every_geneva_holiday_is_named_in_the_catalogs_by_its_geneva_name():
    """The holiday names the timeline and the planner translate are every one `holidays`
    gives Geneva (a new one would stay English), and the French ones are Geneva's own
    (those `holidays` gives in French)."""
    import holidays

    from nam_briefings.domain.calendar import HOLIDAY_NAMES

    years = range(2016, 2041)
    english = holidays.country_holidays("CH", subdiv="GE", years=years, language="en_US")
    french = holidays.country_holidays("CH", subdiv="GE", years=years, language="fr")
    assert set(english.values()) == set(HOLIDAY_NAMES)
    french_catalog = catalog("fr")
    assert {name: french_catalog.get(name).string for name in english.values()} == \
        {english[day]: french[day] for day in english}
