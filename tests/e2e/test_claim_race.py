"""Many experts claim and submit at once through the real app and a real server:
no item beyond its overlap, no expert twice on an item, no lost submission, no 'database is locked'."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from sqlalchemy import func, select

from annotate.models import Assignment, AssignmentStatus, Item, Judgment

from helpers import pair_rows


def _request(url: str, token: str, body: dict | None = None) -> tuple[int, dict | None]:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(url, data=data, method="POST", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode(errors="replace")}


@pytest.mark.parametrize("overlap", [1, 3])
def test_concurrent_experts_never_over_assign(overlap, live_server, make_user, make_project, make_token, import_rows, session):
    n_experts, n_items = 24, 30
    experts = [make_user("expert") for _ in range(n_experts)]
    project = make_project(f"race-{overlap}", overlap=overlap, members=[(e, "expert") for e in experts])
    import_rows(project, pair_rows(n_items))
    tokens = [make_token(e) for e in experts]
    slug = project.slug  # plain values only in the threads: ORM objects belong to this thread's session
    session.commit()

    errors: list[str] = []
    submitted: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(n_experts)

    def work(token: str) -> None:
        start.wait()
        while True:
            status, body = _request(f"{live_server}/api/v1/projects/{slug}/assignments", token)
            if status == 204:
                return
            if status != 201:
                with lock:
                    errors.append(f"claim {status}: {body}")
                return
            # Two tabs: a second claim while the first lease is open returns the same lease.
            again_status, again = _request(f"{live_server}/api/v1/projects/{slug}/assignments", token)
            if again_status != 201 or again["assignment"]["id"] != body["assignment"]["id"]:
                with lock:
                    errors.append(f"second tab got {again_status} {again and again.get('assignment')}")
            answer = {"answers": {"preferred": body["item"]["responses"][0]["id"]}}
            status, result = _request(f"{live_server}/api/v1/assignments/{body['assignment']['id']}/judgment", token, answer)
            with lock:
                if status == 201:
                    submitted.append(result["judgment"]["id"])
                else:
                    errors.append(f"submit {status}: {result}")

    threads = [threading.Thread(target=work, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    assert not any("locked" in e for e in errors)
    per_item = Counter(session.scalars(select(Judgment.item_id)))
    assert len(per_item) == n_items
    assert set(per_item.values()) == {overlap}, "every item has exactly its overlap"
    pairs = session.execute(select(Assignment.item_id, Assignment.expert_id)).all()
    assert len(pairs) == len(set(pairs))
    assert len(submitted) == len(set(submitted)) == n_items * overlap
    assert session.scalar(select(func.count()).select_from(Judgment)) == n_items * overlap
    assert session.scalar(select(func.count()).select_from(Assignment).where(Assignment.status == AssignmentStatus.LEASED)) == 0
    assert set(session.scalars(select(Item.assigned_count))) == {overlap}
