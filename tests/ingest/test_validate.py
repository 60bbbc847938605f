"""The fast item check never accepts what the item JSON Schema rejects."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.ingest.validate import item_schema, looks_valid
from annotate.validation import problems

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=3))
media = st.one_of(
    scalars,
    st.fixed_dictionaries({"type": st.sampled_from(["image", "audio", "video", "pdf"]), "src": st.text(max_size=2)}),
)
message = st.one_of(
    scalars,
    st.fixed_dictionaries(
        {
            "role": st.sampled_from(["user", "assistant", "system", "tool", "bot"]),
            "content": st.one_of(st.text(max_size=3), scalars),
        },
        optional={"media": media},
    ),
)
response = st.one_of(
    scalars,
    st.fixed_dictionaries(
        {"id": st.one_of(st.text(max_size=3), scalars), "content": st.one_of(st.text(max_size=3), scalars)},
        optional={"model": scalars, "media": media},
    ),
)
items = st.fixed_dictionaries(
    {
        "id": st.one_of(st.text(max_size=4), scalars),
        "prompt": st.one_of(st.lists(message, max_size=3), scalars),
        "responses": st.one_of(st.lists(response, max_size=3), scalars),
    },
    optional={
        "metadata": st.one_of(st.dictionaries(st.text(max_size=2), scalars, max_size=2), scalars),
        "suggestion": st.one_of(st.dictionaries(st.text(max_size=2), scalars, max_size=2), scalars),
        "gold": st.one_of(st.dictionaries(st.text(max_size=2), scalars, max_size=2), scalars),
        "extra": scalars,
    },
)


@settings(max_examples=400, deadline=None)
@given(items)
def test_fast_check_accepts_only_schema_valid_items(item):
    if looks_valid(item):
        assert problems(item_schema(), item) == []


def test_fast_check_accepts_a_typical_item():
    item = {
        "id": "x",
        "prompt": [{"role": "user", "content": "q"}],
        "responses": [{"id": "r1", "content": "a", "model": None}],
        "metadata": {},
    }
    assert looks_valid(item)
    assert problems(item_schema(), item) == []
