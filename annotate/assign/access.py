"""Whose assignment is it: the opening every page and API call on one assignment shares."""

from __future__ import annotations

from annotate import db
from annotate.assign.services import AssignmentError
from annotate.models import Assignment, Project, User
from annotate.projects.access import WORK, project_by_id_for


class NoSuchAssignment(AssignmentError):
    """Not an assignment of this user (or none at all): both are a 404, so ids reveal nothing."""

    status = 404


def own_assignment(user: User, assignment_id: int) -> tuple[Assignment, Project]:
    """The user's own assignment, in a project they still work on; ``NoSuchAssignment`` otherwise
    (and a 404 from ``project_by_id_for`` when they no longer work on its project)."""
    assignment = db.session().get(Assignment, assignment_id)
    if assignment is None or assignment.expert_id != user.id:
        raise NoSuchAssignment("no such assignment for this token's user")
    project, _member = project_by_id_for(user, assignment.project_id, WORK)
    return assignment, project
