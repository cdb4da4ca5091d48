from kam.core.models.audit import AuditEntry
from kam.core.models.base import AuditedModel, KamModel, ScopedQuerySet
from kam.core.models.calendars import CalendarDay, WorkingCalendar, WorkingInterval
from kam.core.models.notifications import Notification, NotificationPreference
from kam.core.models.reference import Industry, IndustryLine, Region

__all__ = [
    "AuditEntry",
    "AuditedModel",
    "CalendarDay",
    "Industry",
    "IndustryLine",
    "KamModel",
    "Notification",
    "NotificationPreference",
    "Region",
    "ScopedQuerySet",
    "WorkingCalendar",
    "WorkingInterval",
]
