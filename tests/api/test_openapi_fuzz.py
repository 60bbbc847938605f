"""Property-based run of schemathesis over /api/v1/openapi.json against the real app, in process
(WSGI), on the test database, with a real researcher's token and a seeded project: no response
is a 5xx, and every response's status, content type and body match the document.

Bounded: a few examples per operation (positive and negative data), so the file takes well under
a minute. Path parameters are pointed at the seeded project and, for half the examples, at real
assignments and judgments, so the runs reach the code behind the lookups and not only 404s.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from helpers import pair_rows
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from annotate.api.openapi import all_operations

SLUG = "fuzz"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 12


@pytest.fixture
def seeded(client, make_user, make_project, make_token, import_rows):
    """A project with items, a researcher (the fuzzing token), an open lease and a judgment to review."""
    researcher, expert = make_user("researcher", password=None), make_user("expert", password=None)
    project = make_project(SLUG, overlap=2, members=[(researcher, "researcher"), (expert, "expert")])
    import_rows(project, pair_rows(6))
    as_researcher = {"Authorization": f"Bearer {make_token(researcher)}"}
    as_expert = {"Authorization": f"Bearer {make_token(expert)}"}
    done = client.post(f"/api/v1/projects/{SLUG}/assignments", headers=as_expert).get_json()
    judged = client.post(done["judgment_url"], json={"answers": {"preferred": "r1"}}, headers=as_expert)
    assert judged.status_code == 201, judged.text
    lease = client.post(f"/api/v1/projects/{SLUG}/assignments", headers=as_researcher).get_json()
    return {
        "headers": as_researcher,
        "ids": {"assignment_id": lease["assignment"]["id"], "judgment_id": judged.get_json()["judgment"]["id"]},
    }


def _cases(operation, path: str, ids: dict[str, int]):
    """Positive and negative cases, on the seeded project, with generated or (half the time) real ids."""
    names = set(re.findall(r"{([a-z_]+)}", path))
    fixed = {"slug": SLUG} if "slug" in names else {}
    real = {**fixed, **{k: v for k, v in ids.items() if k in names}}
    variants = [fixed, real] if real != fixed else [fixed]
    negatable = bool(operation.query or operation.body or names - set(fixed))
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if negatable else [GenerationMode.POSITIVE]
    return st.one_of(
        [operation.as_strategy(mode, path_parameters=params or None) for mode in modes for params in variants]
    )


def test_no_5xx_and_every_response_matches_the_document(app, seeded):
    """Every operation in turn, on one seeded database (seeding per operation would cost more than the run)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = {}
    for path, method in sorted(all_operations()):
        operation = schema[f"/api/v1{path}"][method.upper()]

        @given(case=_cases(operation, path, seeded["ids"]))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
        )
        def run(case):
            case.call_and_validate(headers=seeded["headers"], checks=CHECKS)

        try:
            run()
        except Exception as exc:  # every operation runs; all failures are reported together
            failures[f"{method.upper()} {path}"] = str(exc)
    assert not failures, "\n\n".join(f"{op}:\n{message}" for op, message in failures.items())
