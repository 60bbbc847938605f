"""Property-based fuzzing of every shape and reader: a bad row gets an error naming where
(line or row) and what (the field or JSON path), never a traceback, and nothing is kept.

Rows start from a valid example of each shape; hypothesis deletes fields, nulls them or
puts values of every JSON type in their place. Files are written in every text format
(and gzipped), then cut short or re-encoded. Runs are bounded (``max_examples``) so the
file takes seconds, not minutes.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotate.ingest import ImportOptions, import_file
from annotate.ingest.errors import ImportFailed, RowError
from annotate.ingest.services import import_rows, staged_row, to_item
from annotate.ingest.shapes import SHAPES, mapped_shape
from annotate.ingest.shapes.mapping import parse_mapping
from annotate.models import Batch, BatchStatus

FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
DB = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

MESSAGES = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
# One valid row per shape (the shape it is detected as, for a pairwise project).
VALID: dict[str, dict] = {
    "canonical": {
        "id": "c1",
        "prompt": [{"role": "user", "content": "Q"}],
        "responses": [{"id": "r1", "content": "A"}, {"id": "r2", "content": "B"}],
        "metadata": {"k": 1},
    },
    "alpaca-pairwise": {
        "instruction": "Q",
        "output_1": "A",
        "output_2": "B",
        "generator_1": "m1",
        "generator_2": "m2",
        "preference": 1.5,
    },
    "trl": {"prompt": "Q", "chosen": "A", "rejected": "B"},
    "hh-rlhf": {"chosen": "\n\nHuman: Q\n\nAssistant: A", "rejected": "\n\nHuman: Q\n\nAssistant: B"},
    "trl-implicit": {
        "chosen": [*MESSAGES[:1], {"role": "assistant", "content": "A"}],
        "rejected": [*MESSAGES[:1], {"role": "assistant", "content": "B"}],
    },
}
SINGLE: dict[str, dict] = {  # shapes with one response: fuzzed against a critique project
    "messages": {"messages": MESSAGES},
    "prompt-response": {"prompt": "Q", "response": "A", "model": "m"},
    "instruction-output": {"instruction": "Q", "output": "A", "generator": "m"},
}
MAPPING = parse_mapping(["prompt=q", "responses=a,b", "models=ma,mb", "id=uid", "suggestion=s", "system=sys"])
MAPPED = {"q": "Q", "a": "A", "b": "B", "ma": "m1", "mb": "m2", "uid": "u1", "s": "a", "sys": "be brief"}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated(draw, base: dict) -> dict:
    """``base`` with one to three of its fields (or fields nested in it) deleted, nulled or replaced."""
    row = orjson.loads(orjson.dumps(base))
    for _ in range(draw(st.integers(1, 3))):
        target, key = _pick(draw, row)
        action = draw(st.sampled_from(["delete", "null", "replace"]))
        if action == "delete" and isinstance(target, dict):
            target.pop(key, None)
        elif action == "delete" and isinstance(target, list) and target:
            target.pop(key)
        elif isinstance(target, (dict, list)) and (isinstance(target, dict) or key < len(target)):
            target[key] = None if action == "null" else draw(json_values)
    return row


def _pick(draw, row):
    """A container inside ``row`` and one of its keys, chosen by hypothesis."""
    target: object = row
    while True:
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if not keys:
            return target, 0
        key = draw(st.sampled_from(keys))
        child = target[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            target = child
            continue
        return target, key


def _attempt(call):
    """``(result, None)``, or ``(None, the RowError or ImportFailed raised)``; anything else propagates."""
    try:
        return call(), None
    except (RowError, ImportFailed) as exc:
        return None, exc


def _converts_or_names_the_field(row: dict, shape, kind: str) -> None:
    item, error = _attempt(lambda: to_item(row, shape, kind))
    if item is not None:
        _staged, error = _attempt(lambda: staged_row(item))  # what is stored
    if error is not None:
        assert error.message
        return
    assert isinstance(item["id"], str)
    assert item["id"]


@pytest.mark.parametrize("name", list(VALID))
@FAST
@given(data=st.data())
def test_pairwise_shapes_name_the_field_of_a_bad_row(name, data):
    row = data.draw(mutated(VALID[name]))
    _converts_or_names_the_field(row, SHAPES[name], "pairwise")


@pytest.mark.parametrize("name", list(SINGLE))
@FAST
@given(data=st.data())
def test_single_response_shapes_name_the_field_of_a_bad_row(name, data):
    row = data.draw(mutated(SINGLE[name]))
    _converts_or_names_the_field(row, SHAPES[name], "critique")


@FAST
@given(data=st.data())
def test_an_explicit_mapping_names_the_field_of_a_bad_row(data):
    row = data.draw(mutated(MAPPED))
    _converts_or_names_the_field(row, mapped_shape(MAPPING), "pairwise")


@FAST
@given(row=st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_any_object_is_converted_or_refused_by_every_shape(row):
    for shape in SHAPES.values():
        _converts_or_names_the_field(row, shape, "pairwise")


# -- through the readers and the database: atomic, and the error says where ------------------

_slugs = itertools.count()


def _write(path: Path, fmt: str, rows: list[dict]) -> Path:
    # The standard library writes integers of any size (orjson stops at 64 bits).
    if fmt == "jsonl":
        body = "".join(json.dumps(r) + "\n" for r in rows).encode()
    elif fmt == "json":
        body = json.dumps(rows).encode()
    else:
        columns = list(dict.fromkeys(k for r in rows for k in r))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for r in rows:
            writer.writerow(
                [
                    v if isinstance(v, str) else json.dumps(v) if k in r else ""
                    for k, v in ((k, r.get(k)) for k in columns)
                ]
            )
        body = out.getvalue().encode()
    path.write_bytes(body)
    return path


def _location_of_second_row(fmt: str) -> str:
    return "row 2" if fmt == "json" else "line 3"


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
@DB
@given(data=st.data())
def test_a_bad_second_row_fails_the_import_naming_it_and_keeps_nothing(
    fmt, data, session, make_project, tmp_path, count_items
):
    project = make_project(f"fuzz-{fmt}-{next(_slugs)}")
    name = data.draw(st.sampled_from(["trl", "canonical", "alpaca-pairwise"]))
    bad = data.draw(mutated(VALID[name]))
    good = dict(VALID[name], id="first") if name != "trl" else dict(VALID[name], prompt="first Q")
    rows = [good, bad]
    path = _write(tmp_path / f"rows-{next(_slugs)}.{fmt}", fmt, rows)
    summary, error = _attempt(lambda: import_file(session, project, path, options=ImportOptions(shape=name)))
    if error is not None:
        # Where: the second row (the header is line 1 of a CSV, the first row line 2).
        location = _location_of_second_row(fmt) if fmt != "jsonl" else "line 2"
        assert error.location == location, str(error)
        assert error.detail
        assert count_items(project) == 0
        return
    assert summary.new + summary.duplicate == 2
    assert count_items(project) == summary.new


@DB
@given(cut=st.integers(min_value=1, max_value=400), fmt=st.sampled_from(["jsonl", "json", "csv"]), zipped=st.booleans())
def test_truncated_files_import_whole_rows_or_fail_cleanly(cut, fmt, zipped, session, make_project, tmp_path):
    project = make_project(f"cut-{next(_slugs)}")
    rows = [dict(VALID["trl"], prompt=f"Q{i}") for i in range(12)]
    path = _write(tmp_path / f"cut-{next(_slugs)}.{fmt}", fmt, rows)
    body = path.read_bytes()
    body = gzip.compress(body) if zipped else body
    cut_path = tmp_path / f"cut-{next(_slugs)}.{fmt}{'.gz' if zipped else ''}"
    cut_path.write_bytes(body[: max(len(body) - cut, 1)])
    summary, error = _attempt(
        lambda: import_file(session, project, cut_path, options=ImportOptions(shape="trl", format=fmt))
    )
    if error is not None:
        assert error.detail
        return
    assert 1 <= summary.new <= len(rows)


@DB
@given(
    encoding=st.sampled_from(["utf-16", "utf-32", "latin-1", "cp1252"]),
    fmt=st.sampled_from(["jsonl", "json", "csv"]),
    text=st.text(alphabet="éüñß€", min_size=1, max_size=5),
)
def test_files_not_in_utf8_are_refused_naming_the_encoding(encoding, fmt, text, session, make_project, tmp_path):
    project = make_project(f"enc-{next(_slugs)}")
    rows = [dict(VALID["trl"], prompt=f"Q{text}{i}") for i in range(3)]
    path = _write(tmp_path / f"enc-{next(_slugs)}.{fmt}", fmt, rows)
    encoded = path.read_bytes().decode().encode(encoding, "replace")
    path.write_bytes(encoded)
    try:
        encoded.decode("utf-8")
        still_utf8 = True  # e.g. latin-1 of text whose every accent became "?"
    except UnicodeDecodeError:
        still_utf8 = False
    _summary, error = _attempt(
        lambda: import_file(session, project, path, options=ImportOptions(shape="trl", format=fmt))
    )
    if error is not None:
        assert error.detail
        return
    assert still_utf8, f"{encoding} was imported as UTF-8"


@DB
@given(rows=st.lists(st.dictionaries(st.text(max_size=6), json_values, max_size=4) | json_values, max_size=4))
def test_api_rows_of_any_shape_are_imported_or_refused_naming_the_item(rows, session, make_project, count_items):
    project = make_project(f"api-{next(_slugs)}")
    _summary, error = _attempt(lambda: import_rows(session, project, rows, "request body"))
    if error is not None:
        assert error.detail
        assert error.location is None or error.location.startswith("items[")
        assert count_items(project) == 0


def test_a_role_past_64_bits_is_named_not_a_traceback():
    """Found by the fuzzing above: the enum message itself failed to print the value."""
    row = {**VALID["canonical"], "prompt": [{"role": -(2**63) - 1, "content": "Q"}]}
    with pytest.raises(RowError) as caught:
        to_item(row, SHAPES["canonical"], "pairwise")
    assert "role" in str(caught.value)
    assert "-9223372036854775809" in str(caught.value)


@pytest.mark.parametrize(
    ("row", "shape", "field"),
    [
        # Found by the fuzzer above on PostgreSQL's run: a prompt orjson cannot write (an
        # integer past 64 bits) raised TypeError while the pair's order was hashed.
        (
            {
                "chosen": [{"role": "user", "content": -(2**63) - 1}, {"role": "assistant", "content": "A"}],
                "rejected": [{"role": "user", "content": -(2**63) - 1}, {"role": "assistant", "content": "B"}],
            },
            "trl-implicit",
            "prompt",
        ),
        ({"prompt": [{"role": "user", "content": 2**64}], "responses": ["A", "B"]}, "canonical", "prompt"),
    ],
)
def test_a_value_no_json_can_hold_is_refused_with_its_field(row, shape, field):
    _item, error = _attempt(lambda: to_item(row, SHAPES[shape], "pairwise"))
    assert isinstance(error, RowError)
    assert error.path == field
    assert "cannot be stored as JSON" in error.message


def test_a_nul_in_a_key_is_named_and_the_failed_import_recorded(session, make_project, count_items):
    """Found by the fuzzing above on PostgreSQL: the refusal quoted the key, a NUL character,
    and PostgreSQL could not store the message on the batch (a database error, not a refusal)."""
    project = make_project(f"api-{next(_slugs)}")
    _summary, error = _attempt(lambda: import_rows(session, project, [{"\x00": 1}], "request body"))
    assert isinstance(error, ImportFailed)
    assert "keys: \\x00" in str(error)
    assert "\x00" not in str(error)
    session.rollback()
    batch = session.scalar(select(Batch).where(Batch.project_id == project.id))
    assert batch.status is BatchStatus.FAILED
    assert batch.error == str(error)
    assert count_items(project) == 0


def test_a_nul_in_an_id_or_a_text_is_refused_naming_the_field(session, make_project, count_items):
    """PostgreSQL cannot hold a NUL in a text column (the id) nor read one back from JSON."""
    project = make_project(f"api-{next(_slugs)}")
    rows = [{**VALID["canonical"], "id": "a\x00b"}]
    _summary, error = _attempt(lambda: import_rows(session, project, rows, "request body"))
    assert isinstance(error, ImportFailed)
    assert str(error) == "request body: items[0]: id: contains a NUL character (\\x00), which an id cannot hold"
    assert count_items(project) == 0
    # In a text, JSON keeps it (as \u0000), but PostgreSQL's text functions (the search index) cannot read it.
    rows = [{**VALID["canonical"], "id": "nul-in-content", "prompt": "before\x00after"}]
    _summary, error = _attempt(lambda: import_rows(session, project, rows, "request body"))
    assert str(error) == (
        "request body: items[0]: prompt[0].content: contains a NUL character (\\x00), which cannot be stored; remove it"
    )
    # A backslash and "u0000" written out is no NUL.
    rows = [{**VALID["canonical"], "id": "escape-in-content", "prompt": "see \\u0000 in C"}]
    assert import_rows(session, project, rows, "request body").new == 1
    assert count_items(project) == 1
