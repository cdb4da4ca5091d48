from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkOrderKind(models.TextChoices):
    NEW = "new", _("New line")
    CHANGE = "change", _("Change")
    RELOCATE = "relocate", _("Relocation")
    UPGRADE = "upgrade", _("Upgrade")
    TERMINATE = "terminate", _("Termination")


# Kinds that carry a product, a bandwidth and a protection level on the requirement form.
KINDS_WITH_PRODUCT = frozenset({WorkOrderKind.NEW, WorkOrderKind.UPGRADE})


class WorkOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROGRESS = "in_progress", _("In progress")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (WorkOrderStatus.DRAFT, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.PAUSED)
RUNNING_STATUSES = (WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.PAUSED)


class Stage(models.TextChoices):
    INTAKE = "intake", _("Intake")
    SURVEY = "survey", _("Survey")
    RESOURCE_CHECK = "resource_check", _("Resource check")
    CONSTRUCTION = "construction", _("Construction")
    INSTALLATION = "installation", _("Installation")
    CONFIGURATION = "configuration", _("Configuration")
    TESTING = "testing", _("Testing")
    ACTIVATION = "activation", _("Activation")
    COMPLETION = "completion", _("Completion and acceptance")


STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)


class ResourceAvailability(models.TextChoices):
    AVAILABLE = "available", _("Resources available")
    NEEDS_CONSTRUCTION = "needs_construction", _("Needs construction")


class Jeopardy(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    LATE = "late", _("Late")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class EscalationRung(models.IntegerChoices):
    ASSIGNEE = 1, _("Assignee")
    TEAM_LEAD = 2, _("Team lead")
    ACCOUNT_MANAGER = 3, _("Account manager")
    DIRECTOR = 4, _("Director")
