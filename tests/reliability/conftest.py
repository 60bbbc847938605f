"""Fixtures for the fault tests: a project with experts and their API tokens, and gunicorn
servers a test may SIGKILL and start again on the same database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from helpers import Gunicorn, pair_rows
from sqlalchemy import func, select

from annotate.models import Judgment, Project, User


@dataclass
class Crew:
    project: Project
    experts: list[User]
    tokens: list[str]


@pytest.fixture
def crew(make_user, make_project, make_token, import_rows, session):
    """crew(n_items, n_experts, slug=..., overlap=...): a pairwise project, its experts and tokens."""

    def build(n_items: int = 4, n_experts: int = 2, slug: str = "rel", overlap: int = 1) -> Crew:
        experts = [make_user("expert") for _ in range(n_experts)]
        project = make_project(slug, overlap=overlap, members=[(e, "expert") for e in experts])
        import_rows(project, pair_rows(n_items, prefix=slug))
        tokens = [make_token(e) for e in experts]
        session.commit()
        return Crew(project, experts, tokens)

    return build


@pytest.fixture
def count_judgments(session):
    def count(**where) -> int:
        session.rollback()  # a fresh snapshot: the server wrote on other connections
        stmt = select(func.count()).select_from(Judgment)
        for key, value in where.items():
            stmt = stmt.where(getattr(Judgment, key) == value)
        return session.scalar(stmt)

    return count


@pytest.fixture
def gunicorn_server(database_url, app, tmp_path):
    """An unstarted gunicorn (2 workers) on the test database; stopped after the test. The
    test database's app fixture is requested first, so its tables are emptied after gunicorn stops."""
    servers: list[Gunicorn] = []

    def make(workers: int = 2, threads: int = 4) -> Gunicorn:
        server = Gunicorn(database_url, tmp_path / f"gunicorn-{len(servers)}.log", workers=workers, threads=threads)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
    for server in servers:
        assert "Traceback" not in server.log_text(), server.log_text()[-3000:]


@pytest.fixture
def judged(crew, session):
    """judged(n_items, n_experts, slug): a crew whose experts have judged every item (overlap 1),
    through the same services the pages call."""
    from annotate.assign.services import claim_next, submit_judgment

    def build(n_items: int, n_experts: int = 3, slug: str = "judged") -> Crew:
        team = crew(n_items=n_items, n_experts=n_experts, slug=slug)
        done = 0
        while done < n_items:
            for expert in team.experts:
                lease = claim_next(session, team.project, expert)
                if lease is None:
                    continue
                preferred = lease.display_order[done % 2]
                submit_judgment(session, lease, team.project, {"preferred": preferred})
                session.commit()
                done += 1
        return team

    return build
