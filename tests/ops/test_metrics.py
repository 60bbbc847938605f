"""/metrics: who may scrape it, and that the request histogram and work counters move with the work."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from helpers import pair_rows
from prometheus_client import REGISTRY

from annotate import create_app
from annotate.config import ConfigError

TOKEN = "metrics-" + "x" * 24


def _app(database_url, tmp_path, **config):
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(32), **config}
    )
    app.instance_path = str(tmp_path / "instance")
    return app


def test_metrics_do_not_exist_unless_configured(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(database_url, tmp_path):
    client = _app(database_url, tmp_path, METRICS_TOKEN=TOKEN).test_client()
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong-token-wrong-token"}).status_code == 403
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert "annotate_http_request_duration_seconds" in response.text


def test_metrics_by_network(database_url, tmp_path):
    inside = _app(database_url, tmp_path, METRICS_ALLOW="10.0.0.0/8, 127.0.0.1/32").test_client()
    assert inside.get("/metrics").status_code == 200
    outside = _app(database_url, tmp_path, METRICS_ALLOW="10.0.0.0/8").test_client()
    assert outside.get("/metrics").status_code == 403
    assert outside.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"METRICS_ALLOW": "127.0.0.1/32,localhost"}, "'localhost' is not an address"),
        ({"METRICS_TOKEN": "short"}, "ANNOTATE_METRICS_TOKEN must be at least 16"),
        ({"LOG_LEVEL": "chatty"}, "ANNOTATE_LOG_LEVEL must be"),
    ],
)
def test_bad_ops_settings_are_refused_at_start(database_url, tmp_path, setting, message):
    with pytest.raises(ConfigError) as refused:
        _app(database_url, tmp_path, **setting)
    assert message in str(refused.value)


def _value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_claims_submits_skips_imports_exports_and_latency_are_counted(
    client, make_user, make_project, make_token, session
):
    expert, researcher = make_user("expert"), make_user("researcher")
    make_project("m", members=[(expert, "expert"), (researcher, "researcher")])
    as_expert = {"Authorization": f"Bearer {make_token(expert)}"}
    as_researcher = {"Authorization": f"Bearer {make_token(researcher)}"}
    names = ("claims", "submits", "skips", "import_rows", "export_rows")
    before = {n: _value(f"annotate_{n}_total") for n in names}
    latency = _value("annotate_http_request_duration_seconds_count", endpoint="api.claim", method="POST", status="201")

    assert client.post("/api/v1/projects/m/items", json=pair_rows(3), headers=as_researcher).status_code == 201
    first = client.post("/api/v1/projects/m/assignments", headers=as_expert).get_json()["assignment"]["id"]
    again = client.post("/api/v1/projects/m/assignments", headers=as_expert).get_json()["assignment"]["id"]
    assert first == again  # the same lease again is not a new claim
    url = f"/api/v1/assignments/{first}/judgment"
    assert client.post(url, json={"answers": {"preferred": "r1"}}, headers=as_expert).status_code == 201
    assert client.post(url, json={"answers": {"preferred": "r1"}}, headers=as_expert).status_code == 200
    second = client.post("/api/v1/projects/m/assignments", headers=as_expert).get_json()["assignment"]["id"]
    skip = client.post(f"/api/v1/assignments/{second}/skip", json={"reason": "not my field"}, headers=as_expert)
    assert skip.status_code == 200
    export = client.get("/api/v1/projects/m/export?format=raw", headers=as_researcher)
    assert export.status_code == 200
    exported = len(export.data.splitlines())
    assert exported >= 1

    after = {n: _value(f"annotate_{n}_total") for n in names}
    assert {n: after[n] - before[n] for n in names} == {
        "claims": 2,
        "submits": 1,
        "skips": 1,
        "import_rows": 3,
        "export_rows": exported,
    }
    claimed = _value("annotate_http_request_duration_seconds_count", endpoint="api.claim", method="POST", status="201")
    assert claimed - latency == 3


def test_unknown_methods_do_not_grow_the_label_set(client):
    client.open("/healthz", method="BREW")
    assert _value("annotate_http_request_duration_seconds_count", endpoint="none", method="other", status="405")
    assert (
        REGISTRY.get_sample_value(
            "annotate_http_request_duration_seconds_count", {"endpoint": "none", "method": "BREW", "status": "405"}
        )
        is None
    )


COUNT_IN_A_WORKER = """
from annotate.ops import metrics
metrics.CLAIMS.inc({n})
"""
SCRAPE = """
from annotate.ops import metrics
print(metrics.exposition().decode())
"""


def test_multiprocess_mode_sums_every_worker(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for n in (2, 5):
        subprocess.run([sys.executable, "-c", COUNT_IN_A_WORKER.format(n=n)], env=env, check=True)
    scraped = subprocess.run([sys.executable, "-c", SCRAPE], env=env, check=True, capture_output=True, text=True)
    assert "annotate_claims_total 7.0" in scraped.stdout


def test_a_job_that_fails_inside_is_counted_and_logged(app, session, judged_export, capsys):
    from annotate.jobs import runner
    from annotate.jobs.records import create_job
    from annotate.models import Job, JobStatus

    # A folder export whose folder cannot be made: an internal error, not a refusal.
    record = judged_export(output="/dev/null/cannot-be-a-folder")
    job = create_job(session, "export", project_id=record.project_id, subject_id=record.id, max_attempts=1)
    session.commit()
    before = _value("annotate_job_failures_total", job="export")
    capsys.readouterr()
    runner.run(app, "export", job.id, None)
    assert _value("annotate_job_failures_total", job="export") - before == 1
    logged = capsys.readouterr().err
    assert f'"event":"job {job.id} (export), attempt 1, failed"' in logged
    assert '"level":"error"' in logged
    session.rollback()
    failed = session.get(Job, job.id)
    assert failed.status is JobStatus.FAILED
    assert "NotADirectoryError" in failed.error


@pytest.fixture
def judged_export(session, make_project):
    def make(output: str):
        from annotate.models import ExportRecord
        from annotate.models.export import ExportStatus

        project = make_project("failing")
        record = ExportRecord(
            project_id=project.id,
            format="raw",
            options={},
            channel="web",
            status=ExportStatus.RUNNING,
            output=output,
            tool_version="test",
        )
        session.add(record)
        session.commit()
        return record

    return make


def test_the_queue_depth_and_the_jobs_are_scraped(app, session, make_project, tmp_path):
    from annotate.jobs.queue import enqueue
    from annotate.jobs.records import create_job, fail

    app.config.update(QUEUE_IMMEDIATE=False, QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}", METRICS_TOKEN="t" * 20)
    project = make_project("scraped")
    waiting = create_job(session, "export", project_id=project.id, subject_id=1)
    gone = create_job(session, "webhook", project_id=project.id, subject_id=2)
    session.commit()
    with app.app_context():
        enqueue(waiting.id, "export")
    fail(session, gone.id, "the endpoint answered HTTP 500")
    text = app.test_client().get("/metrics", headers={"Authorization": "Bearer " + "t" * 20}).text
    assert 'annotate_queue_depth{state="waiting"} 1.0' in text
    assert 'annotate_jobs{kind="export",status="queued"} 1.0' in text
    assert 'annotate_jobs_failed_total{kind="webhook"} 1.0' in text
