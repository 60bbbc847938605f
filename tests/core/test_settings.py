"""Every setting the code reads is declared in ``config.defaults()`` and documented in the
README's configuration table, and the table names no setting that does not exist
(after Datasette's ``test_settings_are_documented``)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from annotate.config import REPO_ROOT, defaults

PACKAGE = REPO_ROOT / "annotate"
# Set by create_app or config.finalize() itself, never by an operator (the session cookie's
# lifetime follows ANNOTATE_SESSION_MAX_HOURS; the parsed networks follow ANNOTATE_METRICS_ALLOW).
DERIVED = {"ANNOTATE_VERSION", "PERMANENT_SESSION_LIFETIME", "METRICS_ALLOW_NETWORKS", "WEBHOOKS_ALLOWED"}
SETTING = re.compile(r"^[A-Z][A-Z0-9_]+$")


def _config_expression(node: ast.AST) -> bool:
    """``config``, ``app.config``, ``current_app.config``: Flask's config, not a task template's."""
    return (isinstance(node, ast.Name) and node.id == "config") or (
        isinstance(node, ast.Attribute) and node.attr == "config"
    )


def settings_read_by_the_code() -> dict[str, str]:
    """Setting name -> where it is first read: ``config["X"]``, ``config.get("X")`` and any
    ``ANNOTATE_X`` written in the package (messages naming a setting, environment lookups)."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        where = str(path.relative_to(REPO_ROOT))
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            key = None
            if isinstance(node, ast.Subscript) and _config_expression(node.value):
                key = node.slice
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and _config_expression(node.func.value)
                and node.args
            ):
                key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and SETTING.match(key.value):
                found.setdefault(key.value, f"{where}:{node.lineno}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for name in re.findall(r"ANNOTATE_([A-Z][A-Z0-9_]*[A-Z0-9])", node.value):
                    found.setdefault(name, f"{where}:{node.lineno}")
    for path in sorted(PACKAGE.rglob("*.html")):  # the app's templates and each kind's own
        for name in re.findall(r"\bconfig(?:\.|\[['\"])([A-Z][A-Z0-9_]+)", path.read_text()):
            found.setdefault(name, str(path.relative_to(REPO_ROOT)))
    return {k: v for k, v in found.items() if f"ANNOTATE_{k}" not in DERIVED and k not in DERIVED}


def documented_settings() -> set[str]:
    """The ``ANNOTATE_*`` names in the rows of the README's configuration table."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `ANNOTATE_")]
    return {name for row in rows for name in re.findall(r"`ANNOTATE_([A-Z0-9_]+)`", row.split("|")[1])}


def test_the_scan_finds_settings_in_every_form():
    """The scan itself: it must see a subscript, a .get() and a setting named in a message."""
    found = settings_read_by_the_code()
    assert "DATABASE_URL" in found  # app.config["DATABASE_URL"]
    assert "MAIL_FROM" in found  # config.get("MAIL_FROM")
    assert "ENV" in found  # "ANNOTATE_ENV must be ..."
    assert "allow_tie" not in found  # a task template's config, not a setting


def test_every_setting_read_is_declared_in_defaults(tmp_path):
    declared = set(defaults(str(tmp_path)))
    missing = {name: where for name, where in settings_read_by_the_code().items() if name not in declared}
    assert not missing, f"read but not declared in annotate.config.defaults(): {missing}"


def test_every_setting_is_documented_in_the_readme(tmp_path):
    undocumented = set(defaults(str(tmp_path))) - documented_settings()
    assert not undocumented, f"settings missing from the README's configuration table: {sorted(undocumented)}"


def test_the_readme_documents_no_setting_that_does_not_exist(tmp_path):
    ghosts = documented_settings() - set(defaults(str(tmp_path)))
    assert not ghosts, f"the README documents settings defaults() does not declare: {sorted(ghosts)}"


def test_the_readme_table_is_found():
    assert {"ENV", "SECRET_KEY", "DATABASE_URL"} <= documented_settings()
    assert Path(REPO_ROOT / "README.md").exists()
