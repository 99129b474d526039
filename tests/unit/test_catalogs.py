"""The message catalogs are complete (issue 15): every message the code and templates mark
for translation is in the French, Spanish and Arabic catalogs, translated, not fuzzy, with
the same %(name)s placeholders as its English source (a translation may leave one out, as
"%(ordinal)s" where a language writes the ordinal itself), and each catalog compiles."""
from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "nam_briefings" / "translations"
LANGUAGES = ("fr", "es", "ar")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def method_map() -> list[tuple[str, str]]:
    """babel.cfg's sections as (pattern, method), relative to the project's root."""
    sections = re.findall(r"^\[(\w+):\s*(\S+)\]", (ROOT / "babel.cfg").read_text(), re.M)
    return [(pattern, method) for method, pattern in sections]


def extracted() -> dict[str, str]:
    """msgid -> where it was first found, from every source babel.cfg names."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map(), options_map={"**.html": {"extensions": "jinja2.ext.do"}}):
        msgid = message[0] if isinstance(message, tuple) else message  # plurals: singular
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


SOURCES = extracted()


def test_the_sources_mark_messages_for_translation():
    assert "Dear %(name)s," in SOURCES  # e-mails
    assert "NAM briefing before UPR%(number)s: %(states)s" in SOURCES  # calendar entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_message_is_translated(language):
    messages = catalog(language)
    missing = [f"{msgid!r} ({where})" for msgid, where in SOURCES.items()
               if msgid not in messages]
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
