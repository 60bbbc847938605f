"""No URL of the app is written as a string literal (STYLE.md 7): Python builds them with
``url_for``, templates with ``url_for`` or values handed to them, scripts read them from the page."""

from __future__ import annotations

import ast
import re

from annotate.config import REPO_ROOT

PACKAGE = REPO_ROOT / "annotate"
ROUTE_CALLS = {"get", "post", "put", "patch", "delete", "route", "add_url_rule", "Blueprint"}
# Not a URL built for a response: how an imported media file is referred to inside a stored
# item (annotate.ingest.media, written by imports that run with no request, e.g. the CLI).
STORED_REFERENCES = {"/media/"}
# Modules that declare routes' paths as data, not URLs built for a response: the OpenAPI
# document names every API path (tests/api/test_openapi.py checks them against the URL map).
DECLARATIONS = {"annotate/api/openapi.py", "annotate/webhooks/openapi.py"}


def app_prefixes(app) -> set[str]:
    """The first path segment of every route: ``/p/``, ``/tasks/``, ``/api/``, ``/login`` ..."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        first = rule.rule.split("/")[1]
        if first and "<" not in first:
            found.add(f"/{first}")
    return found


def looks_like_app_url(text: str, prefixes: set[str]) -> bool:
    return any(text == p or text.startswith((f"{p}/", f"{p}?")) for p in prefixes)


def python_literals(prefixes: set[str]) -> list[str]:
    """String constants (f-string parts included) that spell an app URL, outside route declarations."""
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if str(path.relative_to(REPO_ROOT)) in DECLARATIONS:
            continue
        tree = ast.parse(path.read_text(), str(path))
        declared = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ROUTE_CALLS:
                    declared.update(id(n) for arg in [*node.args, *node.keywords] for n in ast.walk(arg))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
                text = parts[0] if parts and isinstance(node.values[0], ast.Constant) else ""
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            if id(node) not in declared and text not in STORED_REFERENCES and looks_like_app_url(text, prefixes):
                hits.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}: {text!r}")
    return hits


ATTRIBUTE = re.compile(r"""(?:href|action|src|formaction|hx-(?:get|post|put|patch|delete))\s*=\s*["']([^"'{]*)""")
QUOTED = re.compile(r"""["'`](/[A-Za-z][^"'`\s]*)""")


def template_and_script_literals(prefixes: set[str]) -> list[str]:
    hits = []
    for path in sorted(PACKAGE.rglob("*.html")):  # the app's templates and each kind's own
        for n, line in enumerate(path.read_text().splitlines(), 1):
            hits += [f"{path.relative_to(REPO_ROOT)}:{n}: {u!r}" for u in ATTRIBUTE.findall(line) if u.startswith("/")]
    for path in sorted(PACKAGE.rglob("*.js")):  # the app's scripts and each kind's own
        if "vendor" in path.parts:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            hits += [
                f"{path.relative_to(REPO_ROOT)}:{n}: {u!r}"
                for u in QUOTED.findall(line)
                if looks_like_app_url(u, prefixes)
            ]
    return hits


def test_the_checks_see_a_literal_url(app):
    prefixes = app_prefixes(app)
    assert {"/p", "/tasks", "/api", "/login"} <= prefixes
    assert looks_like_app_url("/api/v1/judgments/3/review", prefixes)
    assert not looks_like_app_url("/usr/lib", prefixes)
    assert ATTRIBUTE.findall('<a href="/p/x">') == ["/p/x"]
    assert ATTRIBUTE.findall("<a href=\"{{ url_for('auth.login') }}\">") == [""]


def test_no_python_module_writes_an_app_url(app):
    hits = python_literals(app_prefixes(app))
    assert not hits, "build these with url_for:\n" + "\n".join(hits)


def test_no_template_or_script_writes_an_app_url(app):
    hits = template_and_script_literals(app_prefixes(app))
    assert not hits, "build these with url_for (templates) or read them from the page (scripts):\n" + "\n".join(hits)
