"""The layers of DESIGN.md hold: checked on the source, so a stray import fails the build."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "frontdesk"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(folder: str):
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["domain", "services", "storage"])
def test_no_qt_below_the_ui(folder):
    offenders = {p.name: n for p in _modules(folder) for n in _imports(p) if n.split(".")[0] == "PySide6"}
    assert not offenders


def test_only_storage_imports_peewee():
    offenders = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py") if "storage" not in p.parts
                 for n in _imports(p) if n.split(".")[0] in ("peewee", "playhouse")}
    assert not offenders


def test_printing_has_no_widgets():
    offenders = {p.name: n for p in _modules("printing") for n in _imports(p)
                 if n.startswith("PySide6.QtWidgets") or n.startswith("frontdesk.ui")}
    assert not offenders


@pytest.mark.parametrize("folder", ["domain", "services", "storage", "printing"])
def test_lower_layers_never_import_the_ui(folder):
    offenders = {p.name: n for p in _modules(folder) for n in _imports(p) if n.startswith("frontdesk.ui")}
    assert not offenders


def test_the_check_sees_the_code_it_checks():
    # The checks above pass on nothing found: prove they read the real modules and see imports where they are.
    for folder in ("domain", "services", "storage", "printing", "ui"):
        assert len(_modules(folder)) >= 3, folder
    assert "PySide6.QtWidgets" in set().union(*(_imports(p) for p in _modules("ui")))
    assert "peewee" in _imports(PACKAGE / "storage" / "db.py")
    assert "frontdesk.ui.main_window" in set().union(*(_imports(p) for p in PACKAGE.rglob("*.py")))
