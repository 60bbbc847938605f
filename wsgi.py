"""WSGI entry point: ``gunicorn wsgi:app``."""

from annotate.serve import worker_app

app = worker_app()
