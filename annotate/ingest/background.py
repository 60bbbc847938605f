"""Running a web import outside the request: a thread with its own app context and session.

Fine for one machine (SQLite, or one gunicorn host): the batch row is the source of
truth for the progress page, so any worker can serve the polling, and a worker that
dies mid-import leaves a batch that ``reap_interrupted`` marks as interrupted.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask

from annotate import db
from annotate.ingest.errors import ImportFailed
from annotate.ingest.services import ImportOptions, import_sources
from annotate.ingest.uploads import Upload, discard
from annotate.models import Batch, Project
from annotate.ops import metrics

log = logging.getLogger(__name__)


def start_import_thread(
    app: Flask, batch_id: int, project_id: int, upload: Upload, options: ImportOptions
) -> threading.Thread:
    """Start importing ``upload`` into the already-created batch; return the thread."""

    def work() -> None:
        with app.app_context():
            session = db.session()
            try:
                # Loaded inside the try: a project deleted since the request is an internal failure, counted.
                batch = session.get_one(Batch, batch_id)
                project = session.get_one(Project, project_id)
                import_sources(
                    session,
                    project,
                    list(upload.files),
                    options,
                    batch=batch,
                    display_name=batch.source,
                    media_store=Path(app.instance_path) / "media",
                )
            except ImportFailed:
                pass  # recorded on the batch, shown on its page
            except Exception:
                log.exception("import of batch %s failed", batch_id)
                metrics.JOB_FAILURES.labels("import").inc()
            finally:
                discard(upload)

    thread = threading.Thread(target=work, name=f"annotate-import-{batch_id}", daemon=True)
    thread.start()
    return thread
