"""The OpenAPI 3.1 document of API v1, served at ``/api/v1/openapi.json``.

The document is built here, next to the routes it describes, and checked against them:
``tests/api/test_openapi.py`` fails when a ``/api/v1/`` route (path and method) of the app
is missing from ``OPERATIONS`` or when ``OPERATIONS`` names one the app lacks, and
``tests/api/test_openapi_fuzz.py`` runs schemathesis over it against the real app (no
5xx; every response valid against the schema given here).

The shapes already published elsewhere are not copied: the canonical item is the package's
``annotate/ingest/item.schema.json``, the export records are ``exports/<format>.schema.json``
and the answers are built by the task kinds (``annotate.kinds``) from their example configs;
``document()`` lifts them into ``components.schemas``.

**Adding a route** is one entry in ``OPERATIONS``, keyed by the OpenAPI path (Flask's
``<slug>`` becomes ``{slug}``, ``<int:id>`` ``{id}``) and the lower-case method::

    ("/projects/{slug}/things", "get"): op(
        "List the project's things",
        roles="researcher",
        params=[SLUG, query("limit", INT)],
        responses={200: ok(obj(things=array(ref("Thing")))), **LOOKUP},
    ),

Path parameters are declared from the path by ``op`` (``{slug}``, ``{..._id}``); add the
response shapes the route returns to ``SCHEMAS`` when they are used twice or more. ``LOOKUP``
is the 401 and 404 every token route can answer; ``BODY`` adds the 400 and 422 of a route that
reads a JSON body.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from annotate import __version__
from annotate.db import MAX_ID

JSON = "application/json"
Schema = dict[str, Any]

# -- schema helpers --------------------------------------------------------------------------


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: tuple[str, ...] | None = None, /, **properties: Schema) -> Schema:
    """An object with ``properties``; all of them required unless ``required`` names the few that are."""
    return {
        "type": "object",
        "required": list(properties if required is None else required),
        "properties": properties,
    }


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "format": "date-time"}
SUGGESTION_POLICY: Schema = {"enum": ["hidden", "after_answer", "shown"]}
# Database ids: what a path's <int:…> accepts (annotate.web.DatabaseId: 0 .. annotate.db.MAX_ID).
ID: Schema = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
REVIEW_STATE: Schema = {"enum": ["pending", "accepted", "rejected"]}


def query(name: str, schema: Schema, description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def ok(schema: Schema, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": ref("Error")}}}


def body(schema: Schema, description: str = "") -> dict[str, Any]:
    return {"required": True, "description": description, "content": {JSON: {"schema": schema}}}


NUMBER: Schema = {"type": "number"}
QUALITY_AGREEMENT: Schema = obj(
    alpha=nullable(NUMBER),
    level={"enum": ["nominal", "ordinal", "interval", "ratio"]},
    items=INT,
    judgments=INT,
    ci=nullable(array(NUMBER, minItems=2, maxItems=2)),
)
QUALITY_MODEL: Schema = obj(model=STR, rating=NUMBER, ci_low=nullable(NUMBER), ci_high=nullable(NUMBER), battles=INT)
NO_CONTENT = {"description": "Nothing left to hand out"}
LOOKUP = {
    401: error("No bearer token, or an unknown or revoked one (with WWW-Authenticate)"),
    404: error("No such project, assignment or judgment for this token's user (also: not a member)"),
}
BODY = {
    400: error("The body is not a JSON object"),
    422: error("A field is missing or invalid; problems[].path names it"),
}

# The data browser's filters (annotate.browse.filters), the same on the items and judgments lists.
BROWSE_PARAMS = [
    query("q", STR, "full-text search: items containing every word (stemmed)"),
    query("state", {"enum": ["open", "in_progress", "complete", "disputed", "skipped"]}),
    query("batch", STR, "a batch number"),
    query("expert", STR, "judged by this expert (their pseudonym)"),
    query("model", STR, "a response's model, exactly"),
    query("gold", STR, "1: gold items only"),
    query("sort", {"enum": ["oldest", "newest", "external_id"]}),
    query("review", REVIEW_STATE),
    query("verdict", {"enum": ["preferred", "tie", "none"]}),
    query(
        "flag",
        {"enum": ["any", "none", "too_fast", "mostly_pasted", "idle_submit"]},
        "judgments with any authenticity flag, none, or this one",
    ),
    query("since", {"type": "string", "format": "date"}),
    query("until", {"type": "string", "format": "date"}),
    query("cursor", STR, "the next value of the previous page"),
    query("limit", STR, "1 to 200 (default 50)"),
]
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[^/]+$"}}
_PATH_PARAM = re.compile(r"{([a-z_]+)}")


def op(
    summary: str,
    *,
    roles: str,
    responses: dict[int, Any],
    params: list[dict[str, Any]] | None = None,
    request: dict[str, Any] | None = None,
    description: str = "",
    public: bool = False,
) -> dict[str, Any]:
    """One operation. ``roles`` says who may call it (in the description; the app checks it)."""
    operation: dict[str, Any] = {
        "summary": summary,
        "description": f"{description}\n\nWho: {roles}.".strip(),
        "parameters": list(params or []),
        "responses": {str(status): response for status, response in sorted(responses.items())},
    }
    if request is not None:
        operation["requestBody"] = request
    if public:
        operation["security"] = []
    return operation


def _with_path_params(path: str, operation: dict[str, Any]) -> dict[str, Any]:
    declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
    for name in _PATH_PARAM.findall(path):
        if name not in declared:
            schema = SLUG["schema"] if name == "slug" else ID
            operation["parameters"].insert(0, {"name": name, "in": "path", "required": True, "schema": schema})
    return operation


# -- shared shapes ------------------------------------------------------------------------------

SCHEMAS: dict[str, Schema] = {
    "Error": {
        "type": "object",
        "description": "Every error: `error` always; `message` on HTTP errors (404, 405, 413); `problems` with "
        "the JSON path of each problem on validation errors; `terms_url`, `field`, `source`, `location` where "
        "they apply.",
        "required": ["error"],
        "properties": {
            "error": STR,
            "message": STR,
            "problems": array(obj(path=STR, message=STR)),
            "terms_url": STR,
            "field": STR,
            "source": nullable(STR),
            "location": nullable(STR),
        },
    },
    "Assignment": obj(
        id=INT,
        status={"enum": ["leased", "submitted", "skipped", "expired"]},
        leased_at=TIME,
        expires_at=TIME,
        display_order=array(STR, description="Response ids in the order shown"),
    ),
    "Template": {
        **obj(("name", "version", "kind", "config"), name=STR, version=INT, kind=STR, config={"type": "object"}),
        "description": "The project's template snapshot (task_templates/schema.json)",
    },
    "Task": obj(
        assignment=ref("Assignment"),
        item=ref("Item"),
        template=ref("Template"),
        answer_schema={
            "type": "object",
            "description": "The JSON Schema the answers to this item must satisfy (built by the task kind)",
        },
        judgment_url=STR,
        suggestion_policy={**SUGGESTION_POLICY, "description": "What the expert may see of the item's suggestion"},
    ),
    "TurnJudgment": obj(
        ("turn",),
        turn={**INT, "description": "The assistant message's index in the item's prompt (0-based)"},
        rating=nullable(INT),
        flagged=BOOL,
        reasons=array(STR),
        comment=STR,
    ),
    "SuggestionSeen": nullable(
        obj(
            policy=SUGGESTION_POLICY,
            seen=BOOL,
            seen_at=nullable(TIME),
            revised=BOOL,
            revised_at=nullable(TIME),
        )
    ),
    "Judgment": obj(
        id=INT,
        assignment_id=INT,
        item_id=STR,
        answers=ref("Answers"),
        turns={**nullable(array(ref("TurnJudgment"))), "description": "Per-turn judgments, when the template asks"},
        suggestion_seen=ref("SuggestionSeen"),
        created_at=TIME,
        updated_at=TIME,
    ),
    "Review": obj(
        id=INT,
        verdict={"enum": ["accept", "reject", "fix"]},
        comment=STR,
        reviewer=nullable(STR),
        created_at=TIME,
    ),
    "JudgmentForReview": obj(
        judgment=obj(
            id=INT,
            item_id=STR,
            answers=ref("Answers"),
            adjudication=BOOL,
            review_state=REVIEW_STATE,
            created_at=TIME,
            updated_at=TIME,
            revisions=array(
                obj(answers=ref("Answers"), reason=nullable(STR), edited_by=nullable(STR), created_at=TIME)
            ),
            reviews=array(ref("Review")),
        ),
        item=ref("Item"),
        review_url=STR,
    ),
    "ImportOptions": {
        "type": "object",
        "properties": {
            "shape": {**STR, "description": "A shape name (README: Importing); detected from the first row if absent"},
            "mapping": {
                "type": "object",
                "additionalProperties": {"anyOf": [STR, array(STR)]},
                "description": "field -> column(s), as --map on the command line",
            },
            "format": {"enum": ["jsonl", "json", "csv", "tsv", "parquet"]},
            "skip_invalid": {"anyOf": [BOOL, STR]},
        },
    },
    "ImportSummary": obj(
        ("batch_id", "source", "format", "shape", "rows", "new", "duplicate", "skipped", "seconds"),
        batch_id=INT,
        source=STR,
        format=STR,
        shape=STR,
        rows=INT,
        new=INT,
        duplicate=INT,
        skipped=INT,
        seconds={"type": "number"},
    ),
    "ImportState": obj(
        ("id", "source", "status", "url"),
        id=INT,
        source=STR,
        status={
            "enum": ["queued", "running", "retrying", "complete", "failed", "interrupted"],
            "description": "queued, running, retrying (error: the last attempt's), then complete or failed "
            "(error: why)",
        },
        error=nullable(STR),
        progress={"type": "number", "minimum": 0, "maximum": 1},
        rows_total=nullable(INT),
        rows=INT,
        new=INT,
        duplicate=INT,
        skipped=INT,
        problems=array(obj(location=STR, error=STR), description="Rows skipped with skip_invalid, and why"),
        attempts=nullable(INT),
        created_at=TIME,
        finished_at=nullable(TIME),
        url={**STR, "description": "This import's state: GET it until status is complete or failed"},
    ),
    "Signals": {
        "type": "object",
        "description": "How the answer's text was entered, per text field (annotate.timekeeping.signals); "
        "counts only, bounded. Optional: a client without them gets the idle_submit flag unless it sent heartbeats.",
        "additionalProperties": False,
        "properties": {
            "interactions": {**INT, "minimum": 0},
            "fields": {
                "type": "object",
                "maxProperties": 50,
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        **{
                            name: {**INT, "minimum": 0}
                            for name in ("typed", "pasted", "dropped", "restored", "deleted", "pastes")
                        },
                        "paste_sizes": array({**INT, "minimum": 0}, maxItems=50),
                        "first_key_ms": nullable({**INT, "minimum": 0}),
                        "focus_lost": BOOL,
                    },
                },
            },
        },
    },
    "Stats": obj(
        project=STR,
        overlap=INT,
        items=INT,
        judgments=INT,
        complete_items=INT,
        active_leases=INT,
        experts=INT,
    ),
}

# -- the operations -----------------------------------------------------------------------------

OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/openapi.json", "get"): op(
        "This document",
        roles="anyone (no token)",
        public=True,
        responses={200: ok({"type": "object"}, "The OpenAPI 3.1 document")},
    ),
    ("/projects/{slug}/assignments", "post"): op(
        "Lease the next task",
        roles="the project's experts, reviewers and researchers",
        description="An open lease of this user is returned again. `fresh=1` leases another item while under "
        "the project's cap on open leases (prefetching clients).",
        params=[query("fresh", {"enum": ["1", "true", "0", "false"]})],
        responses={
            201: ok(ref("Task"), "The task: item with responses in display order, template and answer schema"),
            204: NO_CONTENT,
            403: error("The project's terms are not accepted yet (terms_url says where)"),
            **LOOKUP,
        },
    ),
    ("/assignments/{assignment_id}/judgment", "post"): op(
        "Submit (or edit) the judgment of a leased task",
        roles="the expert who holds the assignment",
        description="The same answers again return the same judgment (200); other answers edit it, keeping "
        "the earlier ones, while the judgment may be changed.",
        request=body(
            obj(
                ("answers",),
                answers=ref("Answers"),
                signals=ref("Signals"),
                turns={
                    **array(ref("TurnJudgment")),
                    "description": "Per-turn judgments, when the template's turns setting asks for them",
                },
                active_seconds={
                    **INT,
                    "deprecated": True,
                    "description": "Ignored: active time is measured by the server from heartbeats",
                },
            ),
            "Answers valid against the assignment's answer_schema",
        ),
        responses={
            201: ok(
                obj(("judgment",), judgment=ref("Judgment"), suggestion={"type": "object"}),
                "The new judgment (with the item's suggestion when the policy reveals it after the answer)",
            ),
            200: ok(
                obj(("judgment",), judgment=ref("Judgment"), suggestion={"type": "object"}),
                "The judgment, unchanged or edited",
            ),
            409: error("The task cannot take this judgment any more (e.g. it was skipped, or is final)"),
            **LOOKUP,
            **BODY,
        },
    ),
    ("/assignments/{assignment_id}/skip", "post"): op(
        "Give a task back, with a reason",
        roles="the expert who holds the assignment",
        request=body(obj(reason={**STR, "minLength": 1})),
        responses={
            200: ok(obj(assignment=obj(id=INT, status=STR, skip_reason=nullable(STR)))),
            409: error("The task is already submitted"),
            **LOOKUP,
            **BODY,
        },
    ),
    ("/projects/{slug}/eligibility", "get"): op(
        "Why a claim would give this user nothing (expertise, quota, lease cap), or null",
        roles="the project's experts, reviewers and researchers",
        responses={200: ok(obj(refusal=nullable(STR))), **LOOKUP},
    ),
    ("/projects/{slug}/priority", "post"): op(
        "Push a batch's items before the others",
        roles="the project's researchers",
        request=body(obj(("batch_id",), batch_id=ID, priority={**INT, "description": "Higher goes first"})),
        responses={200: ok(obj(batch_id=INT, priority=INT, items=INT)), **LOOKUP, **BODY},
    ),
    ("/projects/{slug}/skipped", "get"): op(
        "Skipped, unfinished items, stuck ones first",
        roles="the project's researchers",
        params=[query("limit", {**INT, "minimum": 1, "maximum": 1000}), query("offset", {**INT, "minimum": 0})],
        responses={
            200: ok(
                obj(
                    skipped=array(
                        obj(
                            item_id=STR,
                            skips=INT,
                            judgments=INT,
                            overlap=INT,
                            reasons=array(STR),
                            remaining=INT,
                            stuck=BOOL,
                        )
                    )
                )
            ),
            400: error("limit or offset is not a whole number"),
            **LOOKUP,
        },
    ),
    ("/projects/{slug}/items", "post"): op(
        "Import items",
        roles="the project's researchers",
        description="All or nothing (unless skip_invalid): the first bad row answers 422 naming the source, "
        "the location and the JSON path. With `Prefer: respond-async` the rows or file are stored and imported "
        "by a job of the task queue: 202 with the import's state and its URL in `Location`; a bad row then fails "
        "the import with the reason (GET the URL).",
        params=[
            {
                "name": "Prefer",
                "in": "header",
                "required": False,
                "schema": {"enum": ["respond-async"]},
                "description": "respond-async: import in the background (RFC 7240)",
            }
        ],
        request={
            "required": True,
            "content": {
                JSON: {
                    "schema": {
                        "anyOf": [
                            array({"type": "object"}, description="Rows: canonical items or any known shape"),
                            obj(("items",), items=array({"type": "object"}), options=ref("ImportOptions")),
                        ]
                    }
                },
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            **SCHEMAS["ImportOptions"]["properties"],
                            "mapping": STR,
                        },
                    }
                },
            },
        },
        responses={
            201: ok(obj(batch=ref("ImportSummary"), skipped=array(obj(location=STR, error=STR)))),
            202: ok(obj(("import",), **{"import": ref("ImportState")}), "Queued (Prefer: respond-async)"),
            413: error("The upload is larger than ANNOTATE_IMPORT_MAX_BYTES"),
            415: error("The uploaded file's type is not one annotate reads"),
            **LOOKUP,
            **BODY,
        },
    ),
    ("/projects/{slug}/export", "get"): op(
        "The export, streamed as JSONL",
        roles="the project's researchers",
        description="One record per line, valid against `exports/<format>.schema.json` "
        "(in this document: components.schemas `Export.<format>`). Options as in exports/README.md.",
        params=[
            query("format", {"enum": []}),  # filled by document() from the export registry
            query("unit", {"enum": ["item", "judgment"]}),
            query("aggregation", {"enum": ["majority", "unanimous", "all"]}),
            query("accepted_only", {"enum": ["1", "0", "true", "false"]}),
            query("min_agreement", {"type": "number", "minimum": 0, "maximum": 1}),
            query("gold_only", {"enum": ["1", "0", "true", "false"]}),
            query("exclude_flagged", {"enum": ["1", "0", "true", "false"]}, "leave out judgments with a flag"),
            query(
                "label_threshold",
                {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                "trl-kto of a rated project: a score (0..1) above it is desirable; default 0.5",
            ),
            query(
                "prompt_completion",
                {"enum": ["1", "0", "true", "false"]},
                "sft: prompt and completion columns instead of messages",
            ),
            query("since", STR),
            query("until", STR),
        ],
        responses={
            200: {
                "description": "JSONL, one export record per line",
                "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
            },
            400: error("An option is invalid; field names it"),
            **LOOKUP,
        },
    ),
    ("/projects/{slug}/imports", "get"): op(
        "The project's latest imports, newest first",
        roles="the project's researchers",
        params=[query("limit", {**INT, "minimum": 1, "maximum": 100})],
        responses={200: ok(obj(imports=array(ref("ImportState")))), 400: error("limit is not 1-100"), **LOOKUP},
    ),
    ("/projects/{slug}/imports/{batch_id}", "get"): op(
        "One import's state (follow a Prefer: respond-async import)",
        roles="the project's researchers",
        responses={200: ok(obj(("import",), **{"import": ref("ImportState")})), **LOOKUP},
    ),
    ("/projects/{slug}/items", "get"): op(
        "Browse the project's items: full-text search, filters, keyset pages",
        roles="the project's researchers",
        params=BROWSE_PARAMS,
        responses={
            200: ok(
                obj(
                    items=array(
                        obj(
                            id=STR,
                            item_id=INT,
                            batch=INT,
                            state={"enum": ["open", "in_progress", "complete", "disputed", "skipped"]},
                            judgments=INT,
                            gold=BOOL,
                            prompt=array({"type": "object"}),
                            responses=array({"type": "object"}),
                            created_at=TIME,
                        )
                    ),
                    next=nullable(STR),
                    next_url=nullable(STR),
                )
            ),
            400: error("A filter is invalid; problems[].path names the parameter"),
            **LOOKUP,
        },
    ),
    ("/projects/{slug}/judgments", "get"): op(
        "Browse the project's judgments: the item filters plus expert, verdict, review state and dates",
        roles="the project's researchers",
        params=BROWSE_PARAMS,
        responses={
            200: ok(
                obj(
                    judgments=array(
                        obj(
                            id=INT,
                            item_id=STR,
                            expert=STR,
                            answers={"type": "object"},
                            review_state=REVIEW_STATE,
                            adjudication=BOOL,
                            active_seconds={**INT, "description": "Measured by the server from heartbeats"},
                            interval_count=INT,
                            flags={"type": "object", "description": "Authenticity flag -> {value, limit}"},
                            created_at=TIME,
                            updated_at=TIME,
                        )
                    ),
                    next=nullable(STR),
                    next_url=nullable(STR),
                )
            ),
            400: error("A filter is invalid; problems[].path names the parameter"),
            **LOOKUP,
        },
    ),
    ("/heartbeats", "post"): op(
        "Count the token's user as working, now",
        roles="anyone, on their own leases (task, adjudication), judgments they may review, projects they work on",
        description="Send one every ~15 s (ANNOTATE_HEARTBEAT_SECONDS) while the person works; the server measures "
        "the time between heartbeats, closing an interval after ANNOTATE_IDLE_GAP_SECONDS of silence. since_ms "
        "(how long ago the person first acted, unreported) reaches back one heartbeat period at most.",
        request=body(
            obj(
                ("activity", "target"),
                activity={"enum": ["task", "instructions", "review", "adjudication"]},
                target={**ID, "description": "assignment (task, adjudication), judgment (review) or project id"},
                since_ms={"type": "number", "minimum": 0},
            )
        ),
        responses={
            200: ok(obj(counted=BOOL, opened=BOOL, seconds={**INT, "description": "Counted so far on the target"})),
            409: error("Time on it no longer counts (a skipped task)"),
            **LOOKUP,
            **BODY,
        },
    ),
    ("/projects/{slug}/timesheets", "get"): op(
        "Hours and pay per person and UTC day, and the adjustments booked, for a period",
        roles="the project's researchers",
        params=[
            query("from", {"type": "string", "format": "date"}, "first day (UTC); with to; default: this month"),
            query("to", {"type": "string", "format": "date"}, "last day (UTC), included"),
        ],
        responses={
            200: ok(
                obj(
                    project=STR,
                    currency=STR,
                    lines=array(
                        obj(
                            date=STR,
                            email=STR,
                            seconds=INT,
                            activities={"type": "object"},
                            rates=array(nullable(STR)),
                            amount={**STR, "description": "Decimal, two places"},
                            approved=BOOL,
                        )
                    ),
                    adjustments=array({"type": "object"}),
                    total=obj(seconds=INT, amount=STR, owed=STR),
                ),
                "The period's lines; an approved (locked) day shows its hours and pay as approved",
            ),
            422: error("The period is invalid; problems[].path names from or to"),
            **LOOKUP,
        },
    ),
    ("/projects/{slug}/quality", "get"): op(
        "Quality figures (as `annotate quality SLUG --json`): agreement, kappa, expert scores, bias, leaderboard",
        roles="the project's researchers",
        description="agreement: Krippendorff's alpha per question with its level, the items and judgments it rests "
        "on and a bootstrap 95% interval (ci); kappa: Cohen's kappa of each pair of experts sharing at least 10 "
        "units; experts: each expert's score (0-100) and its parts (gold, consensus, review, integrity: value and "
        "the number it rests on), gold accuracy, agreement with the leave-one-out majority, the rate at which the "
        "response shown first wins and its exact binomial p-value; judge: an automatic judge's Cohen's kappa "
        "against the human majority; leaderboard: Bradley-Terry on the Elo scale (anchored at 1000) with bootstrap "
        "95% intervals.",
        responses={
            200: ok(
                obj(
                    project=STR,
                    judgments=INT,
                    items=INT,
                    agreement={"type": "object", "additionalProperties": QUALITY_AGREEMENT},
                    kappa=array(obj(a=STR, b=STR, question=nullable(STR), kappa=nullable(NUMBER), shared=INT)),
                    experts=array(
                        obj(
                            email=STR,
                            score=nullable(NUMBER),
                            parts={"type": "object"},
                            gold_accuracy=nullable(NUMBER),
                            agreement_with_consensus=nullable(NUMBER),
                            first_shown_win_rate=nullable(NUMBER),
                            position_p_value=nullable(NUMBER),
                            judgments=INT,
                        )
                    ),
                    judge={"type": "object"},
                    leaderboard=array(QUALITY_MODEL),
                    position={"type": "object"},
                    leaderboards={"type": "object", "additionalProperties": array(QUALITY_MODEL)},
                )
            ),
            **LOOKUP,
        },
    ),
    ("/projects/{slug}/stats", "get"): op(
        "Progress counts (as `annotate stats --json`)",
        roles="the project's researchers",
        responses={200: ok(ref("Stats")), **LOOKUP},
    ),
    ("/projects/{slug}/reviews", "get"): op(
        "Judgments waiting for review",
        roles="the project's reviewers and researchers",
        params=[query("limit", {**INT, "minimum": 1, "maximum": 500}), query("offset", {**INT, "minimum": 0})],
        responses={
            200: ok(obj(pending=array(obj(judgment_id=INT, item_id=STR, updated_at=TIME, adjudication=BOOL)))),
            400: error("limit or offset is not a whole number"),
            **LOOKUP,
        },
    ),
    ("/projects/{slug}/reviews/next", "post"): op(
        "Claim the next judgment to review",
        roles="the project's reviewers and researchers",
        responses={201: ok(ref("JudgmentForReview")), 204: NO_CONTENT, **LOOKUP},
    ),
    ("/judgments/{judgment_id}/review", "post"): op(
        "Accept, reject (with a comment) or fix (with answers) a judgment",
        roles="the project's reviewers and researchers",
        request=body(
            obj(
                ("verdict",),
                verdict={"enum": ["accept", "reject", "fix"]},
                comment=STR,
                answers=ref("Answers"),
                seen_updated_at={**TIME, "description": "The judgment's updated_at the reviewer saw"},
            )
        ),
        responses={
            201: ok(
                obj(
                    review=ref("Review"),
                    judgment=obj(id=INT, review_state=REVIEW_STATE, answers=ref("Answers")),
                )
            ),
            409: error("The judgment changed since the reviewer saw it, or is final"),
            **LOOKUP,
            **BODY,
        },
    ),
    ("/projects/{slug}/adjudications/next", "post"): op(
        "Claim the next split vote to adjudicate",
        roles="the project's adjudicators",
        responses={
            201: ok(
                {
                    "allOf": [
                        ref("Task"),
                        obj(earlier_judgments=array(obj(expert=STR, answers=ref("Answers"), created_at=TIME))),
                    ]
                }
            ),
            204: NO_CONTENT,
            **LOOKUP,
        },
    ),
    ("/me/returned", "get"): op(
        "My judgments a reviewer sent back",
        roles="any signed-in token",
        responses={
            200: ok(
                obj(
                    returned=array(
                        obj(
                            judgment_id=INT,
                            assignment_id=INT,
                            project=STR,
                            item_id=STR,
                            answers=ref("Answers"),
                            review=nullable(ref("Review")),
                            judgment_url=STR,
                        )
                    )
                )
            ),
            401: LOOKUP[401],
        },
    ),
}


# -- the document ----------------------------------------------------------------------------------


def _lift(schema: Schema, name: str, schemas: dict[str, Schema]) -> Schema:
    """Put a standalone JSON Schema into ``schemas`` as ``name``: its ``$defs`` become
    ``name.def`` components and its local ``#/$defs/…`` references point at them."""
    schema = copy.deepcopy(schema)
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    defs = schema.pop("$defs", {})
    text = json.dumps(schema)
    for def_name, definition in defs.items():
        schemas[f"{name}.{def_name}"] = definition
    text = re.sub(r'"#/\$defs/([^"]+)"', lambda m: json.dumps(f"#/components/schemas/{name}.{m.group(1)}"), text)
    schemas[name] = json.loads(text)
    # A definition may refer to another definition of the same file.
    for def_name in defs:
        lifted = re.sub(
            r'"#/\$defs/([^"]+)"',
            lambda m: json.dumps(f"#/components/schemas/{name}.{m.group(1)}"),
            json.dumps(schemas[f"{name}.{def_name}"]),
        )
        schemas[f"{name}.{def_name}"] = json.loads(lifted)
    return schemas[name]


def _answers(schemas: dict[str, Schema]) -> None:
    from annotate.kinds import KINDS

    alternatives = []
    for name, kind in KINDS.items():
        ids = [f"r{n}" for n in range(1, max(2, kind.min_responses) + 1)]
        built = kind.answer_schema(kind.example_config, ids)
        built.pop("$schema", None)
        built["description"] = f"The answers of a {name} task ({kind.title}) under its example config"
        schemas[f"Answers.{name}"] = built
        alternatives.append(ref(f"Answers.{name}"))
    schemas["Answers"] = {
        "description": "The answers to one item. The schema that holds for a task is its `answer_schema` (from "
        "the project's template and the item's responses); shown here: each task kind under its example "
        "config, for an item with responses r1 and r2. Answers name responses by id, never by position.",
        "anyOf": alternatives,
    }


def all_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """``OPERATIONS`` and those a feature declares beside its routes (webhooks)."""
    from annotate.webhooks import openapi as webhooks

    return {**OPERATIONS, **webhooks.OPERATIONS}


@cache
def _document(export_schemas_dir: str) -> str:
    from annotate.export import FORMATS
    from annotate.ingest.validate import item_schema
    from annotate.webhooks import openapi as webhooks

    schemas = copy.deepcopy({**SCHEMAS, **webhooks.SCHEMAS})
    _lift(item_schema(), "Item", schemas)
    exports = Path(export_schemas_dir)
    for schema_file in sorted(exports.glob("*.schema.json")):
        _lift(json.loads(schema_file.read_text()), f"Export.{schema_file.name.removesuffix('.schema.json')}", schemas)
    _answers(schemas)

    paths: dict[str, dict[str, Any]] = {}
    for (path, method), operation in all_operations().items():
        operation = _with_path_params(path, copy.deepcopy(operation))
        operation["operationId"] = f"{method}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}"
        for parameter in operation["parameters"]:
            if parameter["name"] == "format" and path.endswith("/export"):
                parameter["schema"] = {"enum": list(FORMATS), "default": "trl"}
        paths.setdefault(f"/api/v1{path}", {})[method] = operation
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "annotate API",
            "version": __version__,
            "description": "Expert feedback for RLHF: lease tasks, submit judgments, import items, export "
            "preference datasets. Bearer tokens from `annotate tokens create EMAIL`. Errors are JSON "
            "(components.schemas.Error).",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API token"}},
        },
        "security": [{"bearer": []}],
    }
    return json.dumps(document, sort_keys=True)


def document(export_schemas_dir: str | Path) -> dict[str, Any]:
    """The OpenAPI document (a fresh copy; built once per process and folder of export schemas)."""
    return json.loads(_document(str(export_schemas_dir)))


def document_json(export_schemas_dir: str | Path) -> str:
    """The document as JSON text, as served."""
    return _document(str(export_schemas_dir))
