"""Streaming reads for exports."""

from __future__ import annotations

from sqlalchemy import Select, select

from annotate.models import Assignment, Item, Judgment, Project, ProjectMember


def judgments_with_items(project: Project) -> Select:
    """Every judgment of the project with its item, assignment and the expert's pseudonym, by item."""
    return (
        select(Judgment, Item, Assignment.display_order, ProjectMember.pseudonym)
        .join(Item, Item.id == Judgment.item_id)
        .join(Assignment, Assignment.id == Judgment.assignment_id)
        .join(
            ProjectMember,
            (ProjectMember.project_id == Judgment.project_id) & (ProjectMember.user_id == Judgment.expert_id),
        )
        .where(Judgment.project_id == project.id)
        .order_by(Item.id, Judgment.id)
    )


def judgment_answers_by_item(project: Project) -> Select:
    """(item, answers) for every judgment of the project, grouped by item order."""
    return (
        select(Item, Judgment.answers)
        .join(Judgment, Judgment.item_id == Item.id)
        .where(Item.project_id == project.id)
        .order_by(Item.id, Judgment.id)
    )
