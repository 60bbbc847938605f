"""Task templates: JSON files that pick a kind and configure it, checked by a meta-schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.orm import Session

from annotate.kinds.metaschema import for_installed_kinds
from annotate.kinds.registry import KINDS
from annotate.validation import InvalidDocument, Problem, problems

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


class TemplateError(ValueError):
    """A template could not be found or is invalid; the message says where."""


def meta_schema(templates_dir: Path) -> dict[str, Any]:
    """The templates' meta-schema, extended with every installed kind (plug-ins included)."""
    return for_installed_kinds(orjson.loads((templates_dir / "schema.json").read_bytes()))


def template_problems(document: Any, templates_dir: Path) -> list[Problem]:
    """Everything wrong with a template document: the meta-schema, then its kind's config schema."""
    found = problems(meta_schema(templates_dir), document)
    if found:
        return found
    kind = KINDS.get(document["kind"])
    if kind is None:
        return [Problem("kind", f"{document['kind']!r} has no implementation; known kinds: {', '.join(sorted(KINDS))}")]
    found = problems(kind.config_schema, document["config"], prefix="config")
    if found:
        return found
    found = [Problem(f"config.{p}", m) for p, m in kind.config_checks(document["config"])]
    if "turns" in document:
        from annotate.turns import config_problems

        found += config_problems(document["turns"])
    return found


def validate_template(document: Any, templates_dir: Path, source: str = "template") -> dict[str, Any]:
    """Return the template if valid; raise TemplateError naming the source and JSON path otherwise."""
    found = template_problems(document, templates_dir)
    if found:
        raise TemplateError(f"{source}: " + "; ".join(str(p) for p in found))
    return document


def load_template(name: str, templates_dir: Path, session: Session | None = None) -> dict[str, Any]:
    """Load and validate ``task_templates/<name>.json``, or else the latest uploaded version of ``name``.

    Uploaded templates live in the database (``annotate.kinds.uploads``). Without an
    explicit ``session`` the app context's session is used when there is one, so that
    callers written before uploads existed (``create_project``) see them too.
    """
    if not NAME_RE.match(name) or name == "schema":
        raise TemplateError(f"{name!r} is not a template name (lower-case letters, digits, - and _)")
    path = templates_dir / f"{name}.json"
    if not path.is_file():
        session = session if session is not None else _app_session()
        if session is not None:
            from annotate.kinds.uploads import latest_upload

            uploaded = latest_upload(session, name)
            if uploaded is not None:
                return validate_template(
                    uploaded.document, templates_dir, source=f"uploaded template {name} v{uploaded.version}"
                )
        known = ", ".join(available_templates(templates_dir)) or "none"
        raise TemplateError(
            f"no template named {name!r} in {templates_dir} or among uploaded templates; files: {known}"
        )
    try:
        document = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise TemplateError(f"{path.name}: not valid JSON: {exc}") from None
    return validate_template(document, templates_dir, source=path.name)


def _app_session() -> Session | None:
    from flask import has_app_context

    if not has_app_context():
        return None
    from annotate import db

    return db.session()


def parse_template(raw: bytes | str, source: str = "template") -> Any:
    """JSON text to a document; TemplateError names the source, line and column of bad JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise TemplateError(f"{source}: not valid JSON: {exc}") from None


def available_templates(templates_dir: Path) -> list[str]:
    """Names of the template files (without .json), sorted."""
    return sorted(p.stem for p in templates_dir.glob("*.json") if p.stem != "schema")


def check_all(templates_dir: Path) -> None:
    """Validate every template file; raise TemplateError listing every broken one."""
    broken = []
    for name in available_templates(templates_dir):
        try:
            load_template(name, templates_dir)
        except TemplateError as exc:
            broken.append(str(exc))
    if broken:
        raise TemplateError("invalid task templates:\n  " + "\n  ".join(broken))


__all__ = [
    "InvalidDocument",
    "TemplateError",
    "available_templates",
    "check_all",
    "load_template",
    "parse_template",
    "template_problems",
    "validate_template",
]
