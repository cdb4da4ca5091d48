from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitChannel(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("E-mail / letter")
    EXHIBITION = "exhibition", _("Exhibition")
    EVENT = "event", _("Event")
    WEB = "web", _("Web meeting")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlanStage(models.TextChoices):
    START = "start", _("Start (起步)")
    DEEPEN = "deepen", _("Deepen (深化)")
    INTEGRATE = "integrate", _("Integrate (集成)")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


# A plan's content may change only in these states.
EDITABLE_PLAN_STATUSES = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})


class SwotKind(models.TextChoices):
    STRENGTH = "S", _("Strength")
    WEAKNESS = "W", _("Weakness")
    OPPORTUNITY = "O", _("Opportunity")
    THREAT = "T", _("Threat")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class FeedbackKind(models.TextChoices):
    REQUIREMENT = "requirement", _("Requirement")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class FeedbackStatus(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    ROUTED = "routed", _("Routed")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")


# status → the statuses it may move to
FEEDBACK_TRANSITIONS: dict[str, frozenset[str]] = {
    FeedbackStatus.COLLECTED: frozenset({FeedbackStatus.ROUTED}),
    FeedbackStatus.ROUTED: frozenset({FeedbackStatus.ROUTED, FeedbackStatus.DECIDED}),
    FeedbackStatus.DECIDED: frozenset({FeedbackStatus.CLOSED}),
    FeedbackStatus.CLOSED: frozenset(),
}


class PresenceSource(models.TextChoices):
    VISIT = "visit", _("Visit")
    CUSTOMER = "customer", _("Customer said so")
    TENDER = "tender", _("Tender announcement")
    MARKET = "market", _("Market intelligence")
    OTHER = "other", _("Other")


# Visit cadence in days per value grade when TierPolicy has no row for the grade (DOMAIN.md defaults).
DEFAULT_VISIT_CADENCE_DAYS: dict[str, int] = {"A1": 30, "A2": 30, "B1": 90, "B2": 90, "C": 180, "D": 365}
