"""The web layer stays thin: it calls services and never queries the database (DESIGN.md)."""
import re
from pathlib import Path

import pytest

import nam_briefings.web
from nam_briefings.web.auth import is_safe_next

WEB = Path(nam_briefings.web.__file__).parent
#: the ORM query API and the session: only services/ may use them
FORBIDDEN = re.compile(r"\bdb\.|import db\b|\bsqlalchemy\b|\.query\b|\bselect\(")


def test_web_does_not_touch_the_database_directly():
    files = sorted(WEB.glob("*.py"))
    assert len(files) >= 5, "the web package should be found"
    offenders = [f"{path.name}:{number}: {line.strip()}"
                 for path in files
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if FORBIDDEN.search(line)]
    assert not offenders, f"web/ must go through services/: {offenders}"


@pytest.mark.parametrize("target, safe", [
    ("/missions", True),
    ("/missions?q=guy&x=1", True),
    ("/sessions/45", True),
    ("", False),
    (None, False),
    ("missions", False),
    ("//evil.example", False),
    ("/\\evil.example", False),
    ("https://evil.example/", False),
    ("/\t/evil.example", False),
    ("javascript:alert(1)", False),
])
def test_only_relative_paths_are_safe_after_login(target, safe):
    assert is_safe_next(target) is safe
