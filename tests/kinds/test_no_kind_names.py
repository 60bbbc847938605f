"""No code outside a kind's folder branches on a built-in kind's name (STYLE.md 11): exports,
gold scoring, agreement, the browser, the API and the pages ask the kind's hooks instead, so a
kind from another package works everywhere the built-in ones do."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from annotate.config import REPO_ROOT
from annotate.kinds.registry import BUILTIN

PACKAGE = REPO_ROOT / "annotate"
NAMES = frozenset(BUILTIN)
_QUOTED = "|".join(BUILTIN)
TEMPLATE_BRANCH = re.compile(rf"""(==|!=|\bin\b)\s*[(\[]?\s*['"]({_QUOTED})['"]|['"]({_QUOTED})['"]\s*(==|!=|\bin\b)""")
SCRIPT_BRANCH = re.compile(
    rf"""(===|!==|==|!=)\s*['"]({_QUOTED})['"]|['"]({_QUOTED})['"]\s*(===|!==|==|!=)|case\s+['"]({_QUOTED})['"]"""
)


def own_folder(path: Path) -> bool:
    """Files inside a built-in kind's own folder may name it."""
    parts = path.relative_to(PACKAGE).parts
    return len(parts) > 2 and parts[0] == "kinds" and parts[1] in NAMES


def _names_in(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in NAMES:
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set().union(*(_names_in(e) for e in node.elts)) if node.elts else set()
    return set()


def python_branches(source: str, where: str) -> list[str]:
    """Comparisons with a kind's name, ``match`` cases on one, and tables keyed by kind names."""
    hits = []
    for node in ast.walk(ast.parse(source, where)):
        found: set[str] = set()
        if isinstance(node, ast.Compare):
            found = set().union(*(_names_in(n) for n in [node.left, *node.comparators]))
        elif isinstance(node, ast.MatchValue):
            found = _names_in(node.value)
        elif isinstance(node, ast.Dict):
            keyed = set().union(*(_names_in(k) for k in node.keys if k is not None)) if node.keys else set()
            found = keyed if len(keyed) >= 2 else set()
        if found:
            hits.append(f"{where}:{getattr(node, 'lineno', '?')}: {', '.join(sorted(found))}")
    return hits


def all_hits() -> list[str]:
    hits = []
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or own_folder(path) or "vendor" in path.parts:
            continue
        where = str(path.relative_to(REPO_ROOT))
        if path.suffix == ".py":
            hits += python_branches(path.read_text(), where)
        elif path.suffix in (".html", ".js"):
            pattern = TEMPLATE_BRANCH if path.suffix == ".html" else SCRIPT_BRANCH
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line) and not line.lstrip().startswith(("//", "{#", "#")):
                    hits.append(f"{where}:{n}: {line.strip()}")
    return hits


def test_the_check_sees_a_branch_on_a_kind_name():
    assert python_branches('if kind == "ranking":\n    pass\n', "x.py")
    assert python_branches('ok = project.kind in ("rubric", "critique")\n', "x.py")
    assert python_branches('match kind:\n    case "pairwise":\n        pass\n', "x.py")
    assert python_branches('HINTS = {"ranking": "a", "rubric": "b"}\n', "x.py")
    assert not python_branches('name = "ranking"\nrow = {"critique": text}\n', "x.py")
    assert TEMPLATE_BRANCH.search("{% if project.kind == 'pairwise' %}")
    assert SCRIPT_BRANCH.search('if (kind === "ranking") handled = rankingKey(event, root);')
    assert SCRIPT_BRANCH.search('case "rubric":')


def test_no_code_outside_a_kinds_folder_branches_on_its_name():
    hits = all_hits()
    assert not hits, "ask the kind's hooks (annotate/kinds/base.py) instead:\n" + "\n".join(hits)
