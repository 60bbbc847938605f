"""annotate.db.prebuilt: a statement is built once per set of arguments, complete before any
thread sees it, and the same object is shared by every thread after."""

from __future__ import annotations

import threading
import time

from sqlalchemy import bindparam, select

from annotate.db import prebuilt
from annotate.models import Item


def test_built_once_per_arguments_and_shared_between_threads():
    builds: list[bool] = []

    @prebuilt
    def statement(ordered: bool):
        builds.append(ordered)
        time.sleep(0.05)  # a slow build: every thread arrives while the first is still building
        candidate = Item.__table__.alias("candidate").c
        query = select(candidate.id).where(candidate.project_id == bindparam("in_project"))
        return query.order_by(candidate.id) if ordered else query

    start = threading.Barrier(16)
    seen: list[object] = []

    def use(ordered: bool) -> None:
        start.wait()
        seen.append(statement(ordered))

    threads = [threading.Thread(target=use, args=(i % 2 == 0,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(builds) == [False, True]
    assert len({id(s) for s in seen}) == 2
    assert statement(True) is statement(True)
    rendered = str(statement(True))
    assert "FROM items AS candidate" in rendered
    assert "ORDER BY candidate.id" in rendered
    assert str(statement(False)).count("candidate") >= 2
    assert "ORDER BY" not in str(statement(False))
