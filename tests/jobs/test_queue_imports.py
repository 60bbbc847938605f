"""Web imports on the task queue, with real worker processes: queued until a worker takes
them (the enqueue outlives the web process), run to completion, and, when the worker is
SIGKILLed in the middle, invisible until another worker runs them again from the start,
or failed with the reason once the attempts are used up."""

from __future__ import annotations

import io

import orjson
from helpers import converter_processes, pair_rows
from sqlalchemy import func, select, update

from annotate.ingest.pipeline import visible_count
from annotate.models import Batch, Item, Job, JobStatus
from tests.jobs.conftest import wait_for


def _jsonl(n: int, prefix: str = "q") -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(n, prefix=prefix))


def _queue_import(web, make_user, make_project, slug: str, body: bytes) -> str:
    """Upload and confirm an import through the pages; returns the batch page's URL."""
    researcher = make_user("researcher")
    make_project(slug, members=[(researcher, "researcher")])
    web.login(researcher.email)
    data = {"file": [(io.BytesIO(body), "rows.jsonl")], "csrf_token": web.token}
    preview = web.client.post(f"/p/{slug}/import", data=data, content_type="multipart/form-data")
    assert preview.status_code == 303, preview.text
    started = web.post(preview.headers["Location"], {})
    assert started.status_code == 303, started.text
    return started.headers["Location"]


def _job(session) -> Job:
    session.rollback()
    return session.scalar(select(Job).where(Job.kind == "import"))


def _batch(session) -> Batch:
    session.rollback()
    return session.scalar(select(Batch))


def test_an_import_waits_queued_for_a_worker_and_then_completes(workers, web, session, make_user, make_project, app):
    url = _queue_import(web, make_user, make_project, "queued", _jsonl(50))
    # No worker yet: the page says it waits, the batch and its rows are not visible.
    page = web.get(url)
    assert "Queued" in page.text
    assert "Waiting for a background worker" in page.text
    assert _job(session).status is JobStatus.QUEUED
    # The web process that enqueued it may go away: the queue's store keeps the task.
    app.extensions.pop("annotate.queue")
    workers()
    wait_for(lambda: _job(session).status is JobStatus.DONE, what="the import to complete")
    job = _job(session)
    assert (job.status, job.attempts, job.error) == (JobStatus.DONE, 1, None)
    assert visible_count(session, _batch(session).project_id) == 50
    done = web.get(url, headers={"HX-Request": "true"})
    assert "Complete" in done.text
    assert "every 1s" not in done.text


def test_a_worker_killed_mid_import_leaves_nothing_visible_and_the_retry_imports_every_row_once(
    workers, web, session, make_user, make_project
):
    n = 60_000
    url = _queue_import(web, make_user, make_project, "killed", _jsonl(n))
    first = workers()
    wait_for(lambda: _batch(session).rows_read >= 3_000, what="the import to write some chunks")
    first.kill()
    batch = _batch(session)
    assert batch.status.value == "running"
    assert session.scalar(select(func.count()).select_from(Item)) > 0, "chunks were committed"
    assert visible_count(session, batch.project_id) == 0, "half an import is visible"
    assert _job(session).status is JobStatus.RUNNING

    # The next worker finds the dead worker's job at start-up, undoes it and runs it again.
    workers()
    wait_for(lambda: _job(session).status is JobStatus.DONE, timeout=120, what="the retried import")
    job = _job(session)
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    batch = _batch(session)
    assert (batch.rows_new, batch.rows_duplicate) == (n, 0)
    assert session.scalar(select(func.count()).select_from(Item)) == n
    assert visible_count(session, batch.project_id) == n
    assert "Complete" in web.get(url).text


def test_a_worker_killed_mid_import_takes_its_converter_process_with_it(
    workers, queue_store, web, session, make_user, make_project
):
    """With a converter process (every file, here), killing the worker ends the converter too:
    it fails its next write to the dead worker and exits; the retry imports every row once."""
    n = 60_000
    queue_store["ANNOTATE_IMPORT_PROCESS_BYTES"] = "1"
    _queue_import(web, make_user, make_project, "killed-converter", _jsonl(n))
    first = workers()
    wait_for(lambda: _batch(session).rows_read >= 3_000, what="the import to write some chunks")
    assert first.process is not None
    converters = converter_processes(first.process.pid)
    assert converters, "the worker's import has no converter process"
    first.kill()
    wait_for(
        lambda: not any(pid in converter_processes(0) for pid in converters),
        timeout=20,
        what="the converter process of the killed worker to exit",
    )
    assert visible_count(session, _batch(session).project_id) == 0, "half an import is visible"
    workers()
    wait_for(lambda: _job(session).status is JobStatus.DONE, timeout=120, what="the retried import")
    batch = _batch(session)
    assert (batch.rows_new, batch.rows_duplicate) == (n, 0)
    assert visible_count(session, batch.project_id) == n


def test_a_worker_killed_on_the_last_attempt_fails_the_import_with_the_reason(
    workers, web, session, make_user, make_project
):
    url = _queue_import(web, make_user, make_project, "last", _jsonl(60_000))
    session.execute(update(Job).values(max_attempts=1))
    session.commit()
    first = workers()
    wait_for(lambda: _batch(session).rows_read >= 3_000, what="the import to write some chunks")
    first.kill()
    workers()
    wait_for(lambda: _job(session).status is JobStatus.FAILED, what="the job to fail")
    job = _job(session)
    assert "stopped before finishing" in job.error
    assert "killed" in job.error
    batch = _batch(session)
    assert batch.status.value in ("failed", "interrupted")
    wait_for(
        lambda: session.scalar(select(func.count()).select_from(Item)) == 0 or session.rollback(),
        what="the rows of the failed import to be deleted",
    )
    page = web.get(url)
    assert "Failed" in page.text or "Interrupted" in page.text
    assert "stopped before finishing" in page.text or "nothing from it was kept" in page.text


def test_a_job_whose_enqueue_was_lost_is_handed_over_again(workers, session, make_project, app):
    """A web process that died between committing the job and handing it to the queue."""
    from datetime import timedelta

    from annotate.db import utcnow
    from annotate.jobs.records import create_job

    project = make_project("lost")
    job = create_job(session, "export", project_id=project.id, subject_id=987654)
    job.run_after = utcnow() - timedelta(hours=1)
    session.commit()
    workers()
    # It runs (and fails at once: there is no such export), rather than waiting forever.
    wait_for(lambda: _job_by_id(session, job.id).status is JobStatus.FAILED, what="the lost job to run")
    assert "deleted" in _job_by_id(session, job.id).error


def _job_by_id(session, job_id: int) -> Job:
    session.rollback()
    return session.get_one(Job, job_id, populate_existing=True)


def test_an_api_import_with_respond_async_is_run_by_a_worker(
    workers, client, session, make_user, make_project, make_token
):
    researcher = make_user("researcher")
    make_project("api-queued", members=[(researcher, "researcher")])
    headers = {"Authorization": f"Bearer {make_token(researcher)}", "Prefer": "respond-async"}
    response = client.post(
        "/api/v1/projects/api-queued/items",
        data={"file": (io.BytesIO(_jsonl(40)), "rows.jsonl")},
        headers=headers,
    )
    assert response.status_code == 202, response.json
    url = response.headers["Location"]
    # No worker yet: queued, nothing visible.
    assert client.get(url, headers=headers).json["import"]["status"] == "queued"
    assert visible_count(session, _batch(session).project_id) == 0
    workers()
    wait_for(lambda: client.get(url, headers=headers).json["import"]["status"] == "complete", what="the import")
    state = client.get(url, headers=headers).json["import"]
    assert (state["new"], state["attempts"], state["error"]) == (40, 1, None)
    assert visible_count(session, _batch(session).project_id) == 40
