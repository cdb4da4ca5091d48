from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DIRECTOR = "director", _("Director")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    ENGINEER = "engineer", _("Solution / service engineer")
    NOC = "noc", _("NOC engineer")
    FINANCE = "finance", _("Finance")
    CUSTOMER = "customer", _("Customer user")


class OrgUnitLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province branch")
    CITY = 2, _("City branch")
    COUNTY = 3, _("County branch")


# Roles that see prices, revenue and contacts' private notes.
COMMERCIAL_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR, Role.ACCOUNT_MANAGER, Role.FINANCE})
# Roles that work on the service side (lines, alarms, tickets) of every customer in their region.
SERVICE_ROLES = frozenset({Role.NOC, Role.ENGINEER})
