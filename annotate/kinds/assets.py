"""A kind's own files, from its folder: the Jinja templates under ``<folder>/templates/`` (named
``kinds/<name>/<file>``) and the scripts and styles under ``<folder>/static/`` (served by the
app's ``static`` endpoint at ``/static/kinds/<name>/<file>``, with the same caching and the
same refusal of paths outside the folder as every static file).

Pages load a kind's scripts and styles only where they show it: the ``kind_assets`` macro
(annotate/templates/kinds/_macros.html) writes the ``<link>`` and ``<script>`` tags, and
annotate/static/js/kinds.js loads the scripts of a kind that arrives in an htmx swap (htmx
drops ``<script>`` tags from swapped content).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app, send_from_directory
from jinja2 import BaseLoader, Environment, TemplateNotFound

from annotate.kinds.registry import loaded

PREFIX = "kinds/"


def _kind_file(name: str, subdir: str) -> tuple[Path, str] | None:
    """(the kind's ``subdir`` folder, the file's path in it) for ``kinds/<kind>/<path>``, or None."""
    if not name.startswith(PREFIX):
        return None
    kind_name, _, rest = name[len(PREFIX) :].partition("/")
    kind = loaded().kinds.get(kind_name)
    if kind is None or not rest:
        return None
    return kind.folder / subdir, rest


class KindTemplates(BaseLoader):
    """Jinja templates named ``kinds/<kind>/<file>``, read from ``<kind folder>/templates/<file>``."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        found = _kind_file(template, "templates")
        if found is None:
            raise TemplateNotFound(template)
        folder, rest = found
        path = (folder / rest).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            raise TemplateNotFound(template)
        mtime = path.stat().st_mtime
        return path.read_text(encoding="utf-8"), str(path), lambda: path.is_file() and path.stat().st_mtime == mtime


def kind_aware_static(app_static: Callable[..., Any]) -> Callable[..., Any]:
    """The app's ``static`` view, also serving ``kinds/<kind>/<file>`` from the kind's folder."""

    def static(filename: str) -> Any:
        found = _kind_file(filename, "static")
        if found is None:
            return app_static(filename=filename)
        folder, rest = found
        return send_from_directory(folder, rest, max_age=current_app.get_send_file_max_age(rest))

    return static
