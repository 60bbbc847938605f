"""The data browser's item list and item page: full-text search (PostgreSQL FTS, SQLite FTS5),
filters, sort, keyset pages; one item with every judgment in its expert's letters."""

from __future__ import annotations

import html
import re

import pytest
from helpers import item_row
from sqlalchemy import select, text

from annotate.models import Adjudication, Item, Judgment, JudgmentRevision, Review, ReviewState, ReviewVerdict


def ids(page) -> list[str]:
    return re.findall(r'<a href="/p/[^/]+/items/\d+">(it-\d+)</a>', page.text)


@pytest.fixture
def corpus(make_user, make_project, import_rows):
    researcher = make_user("researcher", email="res@example.org")
    ann, bob = make_user("expert", email="ann@example.org"), make_user("expert", email="bob@example.org")
    project = make_project(
        "derm", overlap=1, members=[(researcher, "researcher"), (ann, "expert"), (bob, "expert")], randomize_order=False
    )
    import_rows(
        project,
        [
            item_row(
                0, "Is this mole dangerous?", "See a dermatologist.", "It is fine.", metadata={"source": "clinic"}
            ),
            item_row(1, "How do I treat eczema?", "Moisturise daily.", "Use steroids.", models=("gpt-x", "m-b")),
            item_row(2, "Contract law question", "Consideration is needed.", "No idea.", metadata={"source": "law"}),
            item_row(3, "Running shoes for flat feet", "Stability shoes.", "Any shoes.", gold={"preferred": "r1"}),
        ],
    )
    return project, researcher, ann, bob


def test_search_finds_words_of_prompts_responses_and_metadata_with_stemming(corpus, browser_for):
    _project, researcher, *_ = corpus
    web = browser_for(researcher)
    assert ids(web.get("/p/derm/items?q=mole")) == ["it-0"]
    assert ids(web.get("/p/derm/items?q=steroids")) == ["it-1"]  # a response
    assert ids(web.get("/p/derm/items?q=clinic")) == ["it-0"]  # a metadata value
    assert ids(web.get("/p/derm/items?q=run")) == ["it-3"]  # "Running", stemmed
    assert ids(web.get("/p/derm/items?q=moles+dermatologist")) == ["it-0"]  # every word, anywhere in the item
    assert ids(web.get("/p/derm/items?q=mole+contract")) == []
    assert ids(web.get("/p/derm/items?q=content")) == []  # JSON keys are not words of the item
    assert ids(web.get("/p/derm/items?q=it-2")) == ["it-2"]  # the external id


def test_search_syntax_never_breaks_the_page(corpus, browser_for):
    _project, researcher, *_ = corpus
    web = browser_for(researcher)
    for q in ['"unbalanced', "AND OR NOT", "mole*", "(", "NEAR(a b)", "a:b", "' ; DROP TABLE items; --"]:
        page = web.get("/p/derm/items", query_string={"q": q})
        assert page.status_code == 200, (q, page.text[:300])


def test_filters_state_batch_expert_gold_model(corpus, browser_for, judge, skip, session, import_rows):
    project, researcher, ann, bob = corpus
    judge(project, ann, {"preferred": "r1"})  # it-0 complete
    skip(project, bob)  # bob skips it-1 (it stays open for others)
    from annotate.assign.services import claim_next

    claim_next(session, project, bob)  # bob now holds it-1: in progress
    session.commit()
    session.add(
        Adjudication(
            project_id=project.id,
            item_id=session.scalar(select(Item.id).where(Item.external_id == "it-2")),
            agreement_pct=50,
        )
    )
    session.commit()
    import_rows(project, [item_row(9, "Later batch", "x", "y")], name="later.jsonl")
    web = browser_for(researcher)
    assert ids(web.get("/p/derm/items?state=complete")) == ["it-0"]
    # Bob skipped it-1 (it is open again, for others) and now holds it-2.
    assert ids(web.get("/p/derm/items?state=in_progress")) == ["it-2"]
    assert ids(web.get("/p/derm/items?state=open")) == ["it-1", "it-3", "it-9"]
    assert ids(web.get("/p/derm/items?state=skipped")) == ["it-1"]
    assert ids(web.get("/p/derm/items?state=disputed")) == ["it-2"]
    later = session.scalar(select(Item.batch_id).where(Item.external_id == "it-9"))
    assert ids(web.get(f"/p/derm/items?batch={later}")) == ["it-9"]
    pseudonym = session.execute(
        text("SELECT pseudonym FROM project_members WHERE user_id = :u"), {"u": ann.id}
    ).scalar()
    assert ids(web.get(f"/p/derm/items?expert={pseudonym}")) == ["it-0"]
    assert ids(web.get("/p/derm/items?gold=1")) == ["it-3"]
    assert ids(web.get("/p/derm/items?model=gpt-x")) == ["it-1"]
    assert ids(web.get("/p/derm/items?model=gpt")) == []  # a model is matched exactly
    assert ids(web.get("/p/derm/items?model=m-b&q=eczema")) == ["it-1"]


def test_bad_filters_are_refused_next_to_their_field(corpus, browser_for):
    _project, researcher, *_ = corpus
    web = browser_for(researcher)
    page = web.get("/p/derm/items?state=finished&batch=x&expert=nobody&cursor=%%%")
    assert page.status_code == 422
    assert 'id="state-problem">choose one of open, in_progress, complete, disputed, skipped' in page.text
    assert 'id="batch-problem">a batch number' in page.text
    assert 'id="cursor-problem">not a cursor this list gave out' in page.text
    page = web.get("/p/derm/items?expert=nobody")
    assert page.status_code == 422
    assert 'id="expert-problem">nobody in this project is called nobody' in page.text
    assert "aria-invalid" not in page.text.split('id="q"')[1].split(">")[0]


@pytest.mark.parametrize(("sort", "expected"), [("oldest", None), ("newest", "reversed"), ("external_id", "sorted")])
def test_keyset_pages_walk_every_match_once_in_each_sort(
    make_user, make_project, import_rows, browser_for, sort, expected
):
    researcher = make_user("researcher")
    project = make_project("big", members=[(researcher, "researcher")])
    import_rows(
        project, [item_row(i, f"question {'apple' if i % 3 == 0 else 'pear'} {i}", "a", "b") for i in range(130)]
    )
    web = browser_for(researcher)
    for q in ("", "apple"):
        seen, url = [], f"/p/big/items?sort={sort}&q={q}"
        while url:
            page = web.get(url)
            assert page.status_code == 200
            seen += ids(page)
            match = re.search(r'href="([^"]+)" rel="next"', page.text)
            url = html.unescape(match.group(1)) if match else None
        want = [f"it-{i}" for i in range(130) if not q or i % 3 == 0]
        if expected == "reversed":
            want.reverse()
        elif expected == "sorted":
            want.sort()
        assert seen == want


def test_item_page_shows_every_judgment_in_its_experts_letters(corpus, browser_for, judge, session):
    project, researcher, ann, bob = corpus
    session.execute(
        text("UPDATE items SET suggestion = :s WHERE external_id = 'it-0'"),
        {"s": '{"preferred": "r2", "judge": "llm"}'},
    )
    session.commit()
    project.overlap = 2
    session.commit()
    ann_judgment = judge(project, ann, {"preferred": "r1"}, order=["r1", "r2"], seconds=41)
    bob_judgment = judge(project, bob, {"preferred": "r1"}, order=["r2", "r1"], seconds=77)
    # A revision and a review on Bob's.
    session.add(JudgmentRevision(judgment_id=bob_judgment.id, answers={"preferred": "r2"}, edited_by_id=bob.id))
    session.add(
        Review(
            judgment_id=bob_judgment.id, reviewer_id=researcher.id, verdict=ReviewVerdict.REJECT, comment="B is unsafe"
        )
    )
    session.get(Judgment, bob_judgment.id).review_state = ReviewState.REJECTED
    session.commit()
    item_id = session.scalar(select(Item.id).where(Item.external_id == "it-0"))
    web = browser_for(researcher)
    page = web.get(f"/p/derm/items/{item_id}")
    assert page.status_code == 200
    body = page.text
    ann_card = (
        body.split(f'id="judgment-{ann_judgment.id}"')[1].split('class="judgment-card"')[0].split("Leases and skips")[0]
    )
    bob_card = (
        body.split(f'id="judgment-{bob_judgment.id}"')[1].split('class="judgment-card"')[0].split("Leases and skips")[0]
    )
    # The same answer (r1), in each expert's own letters.
    assert '<dt>preferred</dt><dd dir="auto">Response A</dd>' in ann_card
    assert '<dt>preferred</dt><dd dir="auto">Response B</dd>' in bob_card
    assert 'Response A = <span class="mono">r2</span>' in bob_card
    assert "Active <strong>41 s</strong>" in ann_card  # measured by the server (annotate.timekeeping)
    assert "Active <strong>1 min 17 s</strong>" in bob_card
    assert "B is unsafe" in bob_card
    assert "reject by" in bob_card
    assert "the answers before" in bob_card
    assert '<dd dir="auto">Response A</dd>' in bob_card.split("the answers before")[1]  # r2 was Bob's A
    pseudonyms = (
        session.execute(
            text("SELECT pseudonym FROM project_members WHERE user_id IN (:a, :b) ORDER BY user_id"),
            {"a": ann.id, "b": bob.id},
        )
        .scalars()
        .all()
    )
    assert pseudonyms[0] in ann_card
    assert pseudonyms[1] in bob_card
    assert "ann@example.org" not in body
    # The item as experts see it, and the machine suggestion.
    assert "Is this mole dangerous?" in body
    assert "See a dermatologist." in body
    assert '<dt>judge</dt><dd dir="auto">llm</dd>' in body
    # Each judgment also through the kind's own partial, read-only, in that expert's order.
    assert "fieldset disabled" in bob_card
    assert bob_card.index("It is fine.") < bob_card.index("See a dermatologist.")


def test_only_the_projects_researchers_see_the_browser(corpus, browser_for, session):
    _project, _researcher, ann, _bob = corpus
    item_id = session.scalar(select(Item.id).where(Item.external_id == "it-0"))
    web = browser_for(ann)
    for url in ("/p/derm/items", f"/p/derm/items/{item_id}", "/p/derm/judgments"):
        assert web.get(url).status_code == 404, url


def test_search_index_follows_deletes_and_edits(corpus, browser_for, session):
    _project, researcher, *_ = corpus
    session.execute(text("UPDATE items SET metadata = :m WHERE external_id = 'it-0'"), {"m": '{"source": "tribunal"}'})
    session.execute(text("DELETE FROM items WHERE external_id = 'it-2'"))
    session.commit()
    web = browser_for(researcher)
    assert ids(web.get("/p/derm/items?q=tribunal")) == ["it-0"]
    assert ids(web.get("/p/derm/items?q=clinic")) == []
    assert ids(web.get("/p/derm/items?q=contract")) == []
    assert ids(web.get("/p/derm/items?q=mole")) == ["it-0"]


def test_the_search_expression_is_the_indexed_one(is_postgres, session):
    import importlib.util

    from helpers import REPO

    from annotate.browse.search import pg_document

    path = REPO / "migrations" / "versions" / "2026_12_05_0013_jobs.py"
    spec = importlib.util.spec_from_file_location("m0013", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # What the migration filled item_search with for existing items is what the import writes.
    assert pg_document() == module.PG_DOCUMENT
    if is_postgres:
        from annotate.browse.search import pg_matches
        from annotate.models import Item as I

        session.execute(text("SET LOCAL enable_seqscan = off"))
        stmt = select(I.id).where(pg_matches("mole"))
        plan = "\n".join(
            session.execute(
                text("EXPLAIN " + str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})))
            ).scalars()
        )
        assert "ix_item_search_document" in plan
        session.rollback()
