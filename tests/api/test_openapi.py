"""The OpenAPI document of API v1: served publicly, valid OpenAPI 3.1, one operation per route
of the app (no more, no less), and the published item, export and answer schemas inside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import schemathesis
from helpers import pair_rows
from jsonschema import Draft202012Validator

from annotate.api.openapi import all_operations
from annotate.ingest.validate import item_schema

REPO = Path(__file__).resolve().parents[2]
IGNORED_METHODS = {"HEAD", "OPTIONS"}  # added by Flask to every route


def _openapi_path(rule: str) -> str:
    """Flask's /api/v1/x/<int:id> as OpenAPI's /api/v1/x/{id}."""
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule)


def _routes(app) -> set[tuple[str, str]]:
    return {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - IGNORED_METHODS
    }


def _documented(document: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, operations in document["paths"].items() for method in operations}


def test_every_api_route_is_documented_and_nothing_else(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    routes, documented = _routes(app), _documented(document)
    assert routes, "the app has no /api/v1/ routes: the walk is broken"
    assert routes - documented == set(), "routes missing from annotate/api/openapi.py OPERATIONS"
    assert documented - routes == set(), "operations in the document that the app does not have"


def test_a_new_route_without_an_operation_is_caught(app):
    from annotate.api.openapi import document

    @app.get("/api/v1/projects/<slug>/undocumented")
    def undocumented(slug):
        return {}

    missing = _routes(app) - _documented(document(app.config["EXPORT_SCHEMAS_DIR"]))
    assert missing == {("/api/v1/projects/{slug}/undocumented", "get")}


def test_path_parameters_match_the_rules(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for operation in operations.values():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"{([a-z_]+)}", path)), path


def test_the_document_is_public_cacheable_and_valid_openapi_3_1(app, client):
    response = client.get("/api/v1/openapi.json")  # no token
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "public" in response.headers["Cache-Control"]
    assert client.get("/api/v1/openapi.json", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token",
    }
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema
    operation_ids = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    assert len(operation_ids) == len(all_operations())


def test_the_published_schemas_are_lifted_not_copied(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    published = item_schema()
    assert schemas["Item"]["properties"]["id"] == published["properties"]["id"]
    assert schemas["Item"]["properties"]["prompt"]["items"] == {"$ref": "#/components/schemas/Item.message"}
    assert schemas["Item.message"]["properties"]["role"] == published["$defs"]["message"]["properties"]["role"]
    for path in (REPO / "exports").glob("*.schema.json"):
        name = "Export." + path.name.removesuffix(".schema.json")
        published_export = json.loads(path.read_text())
        # A schema with one shape requires its columns; one with several (reward) lists them in oneOf.
        assert schemas[name].get("required") == published_export.get("required"), name
        assert len(schemas[name].get("oneOf", [])) == len(published_export.get("oneOf", [])), name
    from annotate.kinds import KINDS

    assert {s["$ref"] for s in schemas["Answers"]["anyOf"]} == {f"#/components/schemas/Answers.{k}" for k in KINDS}
    assert "$ref" not in json.dumps(schemas).replace('"$ref": "#/components/schemas/', "")  # every ref is internal


@pytest.fixture
def validate(client):
    """Check a JSON value against a component of the served document."""
    document = client.get("/api/v1/openapi.json").get_json()

    def check(value, schema: dict) -> None:
        Draft202012Validator({**schema, "components": document["components"]}).validate(value)

    return check


def test_real_responses_match_the_document(client, make_user, make_project, make_token, import_rows, validate):
    expert = make_user("expert")
    project = make_project("oa", members=[(expert, "expert")])
    import_rows(project, pair_rows(2))
    headers = {"Authorization": f"Bearer {make_token(expert)}"}
    task = client.post("/api/v1/projects/oa/assignments", headers=headers).get_json()
    validate(task, {"$ref": "#/components/schemas/Task"})
    judged = client.post(task["judgment_url"], json={"answers": {"preferred": "r2"}}, headers=headers)
    validate(
        judged.get_json(), {"type": "object", "properties": {"judgment": {"$ref": "#/components/schemas/Judgment"}}}
    )
    missing = client.post("/api/v1/assignments/999999/judgment", json={"answers": {}}, headers=headers)
    assert missing.status_code == 404
    validate(missing.get_json(), {"$ref": "#/components/schemas/Error"})
    validate(
        client.get("/api/v1/projects/nope/stats", headers=headers).get_json(), {"$ref": "#/components/schemas/Error"}
    )
    with pytest.raises(Exception, match="is a required property"):
        validate({"assignment": task["assignment"]}, {"$ref": "#/components/schemas/Task"})


def test_ids_and_offsets_past_the_database_range_are_refused_not_500(client, make_user, make_project, make_token):
    """Found by the schemathesis run: PostgreSQL's INTEGER ids refused such numbers with a 500."""
    researcher = make_user("researcher", password=None)
    make_project("big", members=[(researcher, "researcher")])
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    for path in ("/api/v1/assignments/4799455191/skip", "/api/v1/judgments/99999999999999999999/review"):
        response = client.post(path, json={"reason": "x", "verdict": "accept"}, headers=headers)
        assert response.status_code == 404, path
        assert response.get_json()["error"] == "Not Found"
    priority = client.post("/api/v1/projects/big/priority", json={"batch_id": 2**63}, headers=headers)
    assert priority.status_code == 404
    assert "no batch" in priority.get_json()["error"]
    far = client.get("/api/v1/projects/big/skipped?offset=99999999999999999999", headers=headers)
    assert far.status_code == 200
    assert far.get_json() == {"skipped": []}
