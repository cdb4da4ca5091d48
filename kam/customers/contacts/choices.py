"""Choices of contacts and attitude assessments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    APPROVER = "approver", _("Approver")
    TECHNICAL_EVALUATOR = "technical_evaluator", _("Technical evaluator")
    PROCUREMENT = "procurement", _("Procurement")
    USER = "user", _("User")
    INFLUENCER = "influencer", _("Influencer")
    COACH = "coach", _("Coach")


class Attitude(models.IntegerChoices):
    """The attitude scale of a contact towards us (DESIGN.md "Domain model")."""

    FULL_SUPPORT = 5, _("Full support")
    ENTHUSIASTIC = 4, _("Enthusiastic advocate")
    SUPPORTIVE = 3, _("Supportive")
    INTERESTED = 2, _("Interested")
    OPEN = 1, _("Open to continue")
    NOT_OPPOSED = -1, _("Not opposed")
    NOT_INTERESTED = -2, _("Not interested")
    OPPOSED = -3, _("Opposed")
    STRONGLY_OPPOSED = -5, _("Strongly opposed")
    FAVOURS_COMPETITOR = -10, _("Favours a competitor")


class AttitudeSource(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Call")
    OTHER = "other", _("Other")


ATTITUDE_VALUES = tuple(int(v) for v in Attitude.values)
# At or below this score a contact counts as hostile.
HOSTILE_AT = -3
# Contacts who left are drawn in this pale grey.
LEFT_COLOUR = "#eeeeee"


def attitude_colour(score: int | None) -> str:
    """Green for support, grey for neutral, red for hostility (the org chart and lists use the same)."""
    if score is None:
        return "#bfbfbf"
    return {
        5: "#1a7f37",
        4: "#2da44e",
        3: "#4ac26b",
        2: "#8fd19e",
        1: "#c6e9cf",
        -1: "#d9d9d9",
        -2: "#f4b6b0",
        -3: "#e5534b",
        -5: "#c93c37",
        -10: "#8e1519",
    }.get(int(score), "#bfbfbf")
