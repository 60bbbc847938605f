"""The package's dependencies are bounded above (issue 11): an unbounded major release of a
library must not reach a lab's install unreviewed."""

from __future__ import annotations

import re
import tomllib

from annotate.config import REPO_ROOT


def requirements() -> list[str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    found = list(project["build-system"]["requires"]) + list(project["project"]["dependencies"])
    for extra in project["project"].get("optional-dependencies", {}).values():
        found += extra
    return found


def test_every_dependency_has_an_upper_bound():
    unbounded = [r for r in requirements() if not re.search(r"<|==|~=", r)]
    assert not unbounded, f"give these an upper bound in pyproject.toml: {unbounded}"


def test_the_check_sees_the_dependencies():
    names = {re.split(r"[\[<>=~ ]", r, maxsplit=1)[0].lower() for r in requirements()}
    assert {"flask", "sqlalchemy", "pytest", "setuptools"} <= names
