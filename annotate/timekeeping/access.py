"""May this person count time on what a heartbeat names? The same checks as the pages
themselves: their own lease (task, adjudication), a judgment they may review, a project
they work on (its instructions). Anything else is a 404, so ids reveal nothing."""

from __future__ import annotations

from flask import abort

from annotate import db
from annotate.assign.access import own_assignment
from annotate.assign.routing import can_adjudicate, can_review
from annotate.assign.services import AssignmentError
from annotate.models import Activity, AssignmentPurpose, AssignmentStatus, Judgment, User
from annotate.projects.access import WORK, project_by_id_for
from annotate.timekeeping.heartbeats import Beat, Target


class NotCounted(AssignmentError):
    """The thing exists and is the person's, but time on it no longer counts (a skipped task)."""

    status = 409


def resolve(user: User, beat: Beat) -> Target:
    """The checked ``Target`` of ``beat`` for ``user``; a 404 (or ``NotCounted``) otherwise."""
    if beat.activity in (Activity.TASK, Activity.ADJUDICATION):
        assignment, project = own_assignment(user, beat.target)
        wanted = AssignmentPurpose.JUDGE if beat.activity is Activity.TASK else AssignmentPurpose.ADJUDICATE
        if assignment.purpose is not wanted:
            abort(404)
        if assignment.status is AssignmentStatus.SKIPPED:
            raise NotCounted("You skipped this task: time on it is no longer counted.")
        return Target(beat.activity, project.id, assignment_id=assignment.id)
    if beat.activity is Activity.REVIEW:
        judgment = db.session().get(Judgment, beat.target)
        if judgment is None:
            abort(404)
        project, member = project_by_id_for(user, judgment.project_id, WORK)
        if not (can_review(user, member) or can_adjudicate(user, member)):
            abort(404)
        return Target(Activity.REVIEW, project.id, judgment_id=judgment.id)
    project, _member = project_by_id_for(user, beat.target, WORK)
    return Target(Activity.INSTRUCTIONS, project.id)
