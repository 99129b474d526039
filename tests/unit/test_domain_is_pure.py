"""The domain core must not depend on Flask or SQLAlchemy (DESIGN.md)."""
import ast
from pathlib import Path

import nam_briefings.domain

FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug")
DOMAIN = Path(nam_briefings.domain.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_domain_imports_neither_flask_nor_sqlalchemy():
    files = sorted(DOMAIN.rglob("*.py"))
    assert len(files) >= 5, "the domain package should be found and not empty"
    offenders = {
        f"{path.name}: {name}"
        for path in files
        for name in imported_modules(path)
        if name.split(".")[0].startswith(FORBIDDEN)
    }
    assert not offenders, f"domain/ must stay pure: {sorted(offenders)}"


def test_the_check_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom flask import Flask\nfrom sqlalchemy.orm import Session\n")
    assert imported_modules(sample) == {"os", "flask", "sqlalchemy.orm"}
