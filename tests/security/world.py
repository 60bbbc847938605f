"""What the adversarial suite shares (importable as ``security.world``): the victim's secret,
the seeding of every table, signing in, and a fingerprint of every table."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from helpers import Browserless
from sqlalchemy import Table, select

from annotate.db import Base, utcnow
from annotate.models import (
    Assignment,
    AssignmentStatus,
    Batch,
    Item,
    Judgment,
    JudgmentRevision,
    PositionCheck,
    Review,
    ReviewVerdict,
    Webhook,
    WebhookDelivery,
)
from annotate.models.draft import Draft

SECRET = "bravo-secret-7f3a"
# Argument names whose table is not simply the plural of the name.
ARG_TABLES = {
    "member_id": "project_members",
    "export_id": "exports",
    "user_id": "users",
    "batch_id": "batches",
    "token_id": "api_tokens",
    "offer_id": "membership_invitations",
    "delivery_id": "webhook_deliveries",
    "check_id": "position_checks",
}
# String arguments that are not object references, with a harmless value to send.
BENIGN_STRINGS = {"response_id": "r1", "name": "README.md", "format": "raw", "fmt": "raw", "token": "no-such-upload"}


def table_for(arg: str) -> Table:
    """The table a route's id argument names (``assignment_id`` -> ``assignments``)."""
    name = ARG_TABLES.get(arg) or arg.removesuffix("_id") + "s"
    table = Base.metadata.tables.get(name)
    assert table is not None, f"route argument {arg!r}: add its table to ARG_TABLES in {__file__}"
    return table


def seed_work(session, project, expert) -> None:
    batch = Batch(project_id=project.id, source=f"{SECRET}.jsonl", format="jsonl")
    session.add(batch)
    session.flush()
    now = utcnow()
    for n, status in enumerate((AssignmentStatus.SUBMITTED, AssignmentStatus.LEASED, AssignmentStatus.SKIPPED)):
        key = f"{project.slug}-{SECRET}-{n}"
        item = Item(
            project_id=project.id,
            batch_id=batch.id,
            external_id=key,
            content_hash=hashlib.sha256(key.encode()).hexdigest(),
            prompt=[{"role": "user", "content": f"Prompt {SECRET}"}],
            responses=[{"id": "r1", "content": f"One {SECRET}"}, {"id": "r2", "content": f"Two {SECRET}"}],
            assigned_count=1 if status is not AssignmentStatus.SKIPPED else 0,
        )
        session.add(item)
        session.flush()
        assignment = Assignment(
            project_id=project.id,
            item_id=item.id,
            expert_id=expert.id,
            status=status,
            leased_at=now,
            expires_at=now + timedelta(hours=1),
            display_order=["r1", "r2"],
            skip_reason=SECRET if n == 2 else None,
        )
        session.add(assignment)
        session.flush()
        if status is AssignmentStatus.SUBMITTED:
            judgment = Judgment(
                assignment_id=assignment.id,
                project_id=project.id,
                item_id=item.id,
                expert_id=expert.id,
                answers={"preferred": "r1", "rationale": SECRET},
                template_name=project.template_name,
                template_version=project.template_version,
                instructions_version=1,
            )
            session.add(judgment)
            session.flush()
            session.add(JudgmentRevision(judgment_id=judgment.id, answers={"preferred": "r2"}, edited_by_id=expert.id))
            session.add(Review(judgment_id=judgment.id, reviewer_id=None, verdict=ReviewVerdict.ACCEPT, comment=SECRET))
            # The item shown to the expert again, order swapped (annotate.quality.rechecks).
            session.add(
                PositionCheck(
                    project_id=project.id,
                    expert_id=expert.id,
                    item_id=item.id,
                    judgment_id=judgment.id,
                    display_order=["r2", "r1"],
                )
            )
        if status is AssignmentStatus.LEASED:
            session.add(Draft(assignment_id=assignment.id, fields={"rationale": [SECRET]}))
    hook = Webhook(
        project_id=project.id, url=f"https://{SECRET}.example.org/hook", events=["batch.imported"], secret=SECRET
    )
    session.add(hook)
    session.flush()
    session.add(WebhookDelivery(webhook_id=hook.id, event="batch.imported", payload={"secret": SECRET}))
    session.flush()


def signed_in(app, user) -> Browserless:
    """A fresh client signed in as ``user`` (its CSRF token in ``.token``)."""
    web = Browserless(app.test_client())
    web.login(user.email)
    return web


def fingerprint(session) -> dict[str, tuple[int, str]]:
    """(row count, sha256 of every row in primary-key order) for every table."""
    session.commit()  # a fresh snapshot
    prints = {}
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        digest = hashlib.sha256()
        count = 0
        for row in session.execute(select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
            count += 1
        prints[table.name] = (count, digest.hexdigest())
    session.commit()
    return prints
