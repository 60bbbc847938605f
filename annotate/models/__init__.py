"""Typed SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from annotate.models.draft import Draft
from annotate.models.export import ExportRecord
from annotate.models.item import Batch, BatchStatus, Item
from annotate.models.job import Job, JobStatus
from annotate.models.people import Invitation, MembershipInvitation, TermsAcceptance, TermsVersion
from annotate.models.progress import ProjectCounter
from annotate.models.project import InstructionsVersion, Project, ProjectMember, ProjectRole
from annotate.models.quality import PositionCheck, Qualification, QualificationStatus, QualitySnapshot
from annotate.models.template import TaskTemplate
from annotate.models.timekeeping import (
    Activity,
    ActivityClock,
    ActivityInterval,
    RateChange,
    TimesheetAdjustment,
    TimesheetLine,
    TimesheetLock,
)
from annotate.models.user import ApiToken, Role, User
from annotate.models.webhook import DeliveryStatus, Webhook, WebhookDelivery
from annotate.models.work import (
    Adjudication,
    AdjudicationStatus,
    Assignment,
    AssignmentPurpose,
    AssignmentStatus,
    Judgment,
    JudgmentRevision,
    Review,
    ReviewState,
    ReviewVerdict,
)

__all__ = [
    "Activity",
    "ActivityClock",
    "ActivityInterval",
    "Adjudication",
    "AdjudicationStatus",
    "ApiToken",
    "Assignment",
    "AssignmentPurpose",
    "AssignmentStatus",
    "Batch",
    "BatchStatus",
    "DeliveryStatus",
    "Draft",
    "ExportRecord",
    "InstructionsVersion",
    "Invitation",
    "Item",
    "Job",
    "JobStatus",
    "Judgment",
    "JudgmentRevision",
    "MembershipInvitation",
    "PositionCheck",
    "Project",
    "ProjectCounter",
    "ProjectMember",
    "ProjectRole",
    "Qualification",
    "QualificationStatus",
    "QualitySnapshot",
    "RateChange",
    "Review",
    "ReviewState",
    "ReviewVerdict",
    "Role",
    "TaskTemplate",
    "TermsAcceptance",
    "TermsVersion",
    "TimesheetAdjustment",
    "TimesheetLine",
    "TimesheetLock",
    "User",
    "Webhook",
    "WebhookDelivery",
]
