"""What the feature packages' CLI commands share: lookups that fail with a clear message,
and the writing unit of work."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotate import db
from annotate.models import Project, User


def templates_dir() -> Path:
    return Path(current_app.config["TEMPLATES_DIR"])


def user_by_email(email: str) -> User:
    user = db.session().scalar(User.by_email(email))
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    return user


def project_by_slug(slug: str) -> Project:
    project = db.session().scalar(select(Project).where(Project.slug == slug))
    if project is None:
        raise click.ClickException(f"no project with slug {slug!r}")
    return project


def writing() -> Session:
    """Begin a writing unit of work on the app-context session (SQLite: BEGIN IMMEDIATE)."""
    session = db.session()
    db.begin_write(session)
    return session
