"""Folder exports on the task queue, with real worker processes: a worker SIGKILLed while it
writes the folder leaves nothing the pages offer, and the next worker writes it from the
start; the export page shows the job's state meanwhile."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import Browserless
from reliability.conftest import crew, judged  # noqa: F401  (fixtures)
from sqlalchemy import select

from annotate.models import ExportRecord, Job, JobStatus
from annotate.models.export import ExportStatus
from tests.jobs.conftest import wait_for


def _record(session) -> ExportRecord:
    session.rollback()
    return session.scalar(select(ExportRecord))


def _job(session) -> Job:
    session.rollback()
    return session.scalar(select(Job).where(Job.kind == "export"))


def _start_export(client, make_user, session, project, form: str) -> str:
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    researcher = make_user("researcher")
    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    web = Browserless(client)
    web.login(researcher.email)
    started = web.post(f"/p/{project.slug}/exports", {"format": "raw", "form": form}, headers={"HX-Request": "true"})
    assert started.status_code == 204, started.text
    return started.headers["HX-Redirect"]


def test_a_worker_killed_mid_export_offers_nothing_and_the_retry_writes_the_folder(
    workers,
    client,
    session,
    make_user,
    judged,  # noqa: F811
):
    team = judged(60, slug="kill-folder")
    url = _start_export(client, make_user, session, team.project, "parquet")
    page = client.get(url)
    assert re.search(r'data-job-status="queued"', page.text)
    first = workers()
    # --parquet: the JSONL is written to a hidden folder, then converted (a window of a second or more).
    folder = Path(wait_for(lambda: _record(session).output, what="the export's folder"))
    wait_for(lambda: list(folder.glob(".annotate-export-*/*")), what="the export to start writing")
    first.kill()
    record = _record(session)
    assert record.status is ExportStatus.RUNNING
    assert record.files is None
    assert client.get(f"{url}/archive").status_code == 404
    assert client.get(f"{url}/files/manifest.json").status_code == 404

    workers()
    wait_for(lambda: _job(session).status is JobStatus.DONE, timeout=120, what="the retried export")
    record = _record(session)
    assert (record.status, record.row_count) == (ExportStatus.COMPLETE, 60)
    assert _job(session).attempts == 2
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "README.md",
        "data",
        "manifest.json",
    ]
    assert client.get(f"{url}/archive").status_code == 200
