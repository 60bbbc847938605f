"""The worker's sweep, part by part: expired leases go back to the pool in every project, the
rows of an import that failed are deleted, old done jobs are pruned, and a running job whose
worker is gone is run again (or failed once it has had its attempts)."""

from __future__ import annotations

from datetime import timedelta

from helpers import pair_rows
from sqlalchemy import func, select, update

from annotate.assign.services import claim_next
from annotate.db import utcnow
from annotate.ingest import pipeline
from annotate.jobs import sweep
from annotate.jobs.records import create_job
from annotate.models import Assignment, AssignmentStatus, Batch, BatchStatus, Item, Job, JobStatus


def test_expired_leases_are_released_in_every_project(app, session, make_user, make_project, import_rows):
    expert = make_user("expert")
    project = make_project("leases", members=[(expert, "expert")])
    import_rows(project, pair_rows(2))
    lease = claim_next(session, project, expert)
    session.commit()
    session.execute(update(Assignment).values(expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    with app.app_context():
        assert sweep.release_leases(session) == 1
    session.rollback()
    assert session.get(Assignment, lease.id).status is AssignmentStatus.EXPIRED
    assert session.scalar(select(func.sum(Item.assigned_count))) == 0


def test_rows_of_an_import_that_did_not_complete_are_deleted(app, session, make_project, import_rows):
    project = make_project("leftovers")
    summary = import_rows(project, pair_rows(5))
    # As a killed import leaves them: written, under a batch that is not complete.
    session.execute(update(Batch).where(Batch.id == summary.batch_id).values(status=BatchStatus.INTERRUPTED))
    session.commit()
    assert pipeline.visible_count(session, project.id) == 0
    with app.app_context():
        assert sweep.purge_imports(session) == 5
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_old_done_jobs_are_pruned_and_failed_ones_kept(app, session, make_project):
    project = make_project("prune")
    done, failed, recent = (create_job(session, "export", project_id=project.id, subject_id=n) for n in (1, 2, 3))
    long_ago = utcnow() - timedelta(days=40)
    done.status, done.finished_at = JobStatus.DONE, long_ago
    failed.status, failed.finished_at = JobStatus.FAILED, long_ago
    recent.status, recent.finished_at = JobStatus.DONE, utcnow()
    session.commit()
    with app.app_context():
        assert sweep.prune_jobs(session) == 1
    assert sorted(session.scalars(select(Job.subject_id))) == [2, 3]


def test_a_job_whose_worker_died_is_retried_or_failed(app, session, make_project):
    project = make_project("dead")
    again = create_job(session, "export", project_id=project.id, subject_id=10)
    spent = create_job(session, "export", project_id=project.id, subject_id=11, max_attempts=1)
    for job in (again, spent):
        job.status, job.attempts, job.worker = JobStatus.RUNNING, 1, "gone-host:1"
        job.heartbeat_at = utcnow() - timedelta(minutes=5)  # another host's worker, silent
    session.commit()
    with app.app_context():
        handed = sweep.recover_jobs(session)
    assert handed == [again.id]
    session.rollback()
    # Handed to the queue (run at once here): no such export, so it fails, saying so.
    assert session.get(Job, again.id).attempts == 2
    spent = session.get(Job, spent.id)
    assert spent.status is JobStatus.FAILED
    assert "gave up after 1 attempts" in spent.error
