"""WSGI entry point: ``gunicorn wsgi:app``."""

from annotate import create_app

app = create_app()
