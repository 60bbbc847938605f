"""Fixtures for the task-kind tests: items with k responses and a signed-in expert on a task."""

from __future__ import annotations

import re

import pytest
from helpers import PASSWORD


def rows_with(n_items: int, k: int, prefix: str = "item") -> list[dict]:
    """``n_items`` canonical items with ``k`` responses each (ids r1…rk)."""
    return [
        {
            "id": f"{prefix}-{i}",
            "prompt": [{"role": "user", "content": f"Question {i}: explain photosynthesis."}],
            "responses": [
                {
                    "id": f"r{j}",
                    "content": f"Answer {j} to {i}: plants turn light into sugar, step {j}.",
                    "model": f"m-{j}",
                }
                for j in range(1, k + 1)
            ],
            "metadata": {"n": i},
        }
        for i in range(n_items)
    ]


ASSIGNMENT_RE = re.compile(r'data-assignment="(\d+)"')


@pytest.fixture
def on_task(make_user, make_project, import_rows, web):
    """Make a project from ``template`` with items of ``k`` responses, sign an expert in,
    claim a task; returns (project, assignment id, task page HTML)."""

    def start(template: str, k: int = 2, n_items: int = 2, slug: str = "kinds", rows=None):
        expert = make_user("expert")
        project = make_project(slug, template=template, members=[(expert, "expert")])
        import_rows(project, rows or rows_with(n_items, k))
        web.login(expert.email, PASSWORD)
        response = web.post(f"/p/{slug}/next", follow_redirects=True)
        assert response.status_code == 200, response.text
        assignment_id = int(ASSIGNMENT_RE.search(response.text).group(1))
        return project, assignment_id, response.text

    return start
