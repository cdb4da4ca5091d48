from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerType(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    IMPORTANT = "important", _("Important (government, public security, education, health, media)")
    GROUP = "group", _("Group")
    STRATEGIC = "strategic", _("Strategic")


class ServiceLevel(models.TextChoices):
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    BRONZE = "bronze", _("Bronze")
    STANDARD = "standard", _("Standard")


class Lifecycle(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    CHURNED = "churned", _("Churned")


class CreditStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    WATCH = "watch", _("Watch")
    BLACKLISTED = "blacklisted", _("Blacklisted")


class PaymentTerms(models.TextChoices):
    MONTHLY = "monthly", _("Monthly in arrears")
    QUARTERLY = "quarterly", _("Quarterly")
    PREPAID = "prepaid", _("Prepaid")
    CASH_ON_ORDER = "cash_on_order", _("Payment before work starts")


class TeamRole(models.TextChoices):
    LEAD_AM = "lead_am", _("Lead account manager")
    LOCAL_AM = "local_am", _("Local account manager")
    SOLUTION_ENGINEER = "solution_engineer", _("Solution engineer")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")


# Team roles that may change the customer's commercial record.
EDITING_TEAM_ROLES = frozenset({TeamRole.LEAD_AM, TeamRole.LOCAL_AM})

# Default value grades (configurable through TierPolicy rows).
DEFAULT_GRADES = ("A1", "A2", "B1", "B2", "C", "D")


class ReportGranularity(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class GradeChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SiteKind(models.TextChoices):
    PREMISES = "premises", _("Customer premises")
    BRANCH_OFFICE = "branch_office", _("Branch office")
    DATA_CENTRE = "data_centre", _("Data centre")
