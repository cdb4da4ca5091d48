"""Shipped time limits (working hours on the ``cn-office`` calendar, 7.5 working hours a day).

Published examples give 3-9 working days from intake to completion depending on the product, the protection
level and whether construction is needed; these rows are the *default* and admins edit them.
"""

from __future__ import annotations

from decimal import Decimal

# 3 working days (22.5 h) when the resources are there: no construction stage.
AVAILABLE_HOURS: dict[str, Decimal] = {
    "intake": Decimal("2"),
    "survey": Decimal("3"),
    "resource_check": Decimal("2"),
    "construction": Decimal("0"),
    "installation": Decimal("4"),
    "configuration": Decimal("2"),
    "testing": Decimal("2"),
    "activation": Decimal("0.5"),
    "completion": Decimal("7"),
}
# 9 working days (67.5 h) when construction is needed.
CONSTRUCTION_HOURS: dict[str, Decimal] = {
    "intake": Decimal("2"),
    "survey": Decimal("4"),
    "resource_check": Decimal("4"),
    "construction": Decimal("30"),
    "installation": Decimal("7.5"),
    "configuration": Decimal("3"),
    "testing": Decimal("3"),
    "activation": Decimal("1"),
    "completion": Decimal("13"),
}
# 5 working days (37.5 h) for AAA/AA-protected lines with resources available (two diverse paths to test).
PROTECTED_AVAILABLE_HOURS: dict[str, Decimal] = {
    "intake": Decimal("2"),
    "survey": Decimal("4"),
    "resource_check": Decimal("4"),
    "construction": Decimal("0"),
    "installation": Decimal("7.5"),
    "configuration": Decimal("4"),
    "testing": Decimal("7.5"),
    "activation": Decimal("1"),
    "completion": Decimal("7.5"),
}

DEFAULT_AT_RISK_RATIO = Decimal("0.75")
DEFAULT_ESCALATION_STEP_HOURS = Decimal("4")

# (name, product, protection level, resource availability, stage hours)
SHIPPED_POLICIES: tuple[tuple[str, str, str, str, dict[str, Decimal]], ...] = (
    ("Default, resources available (3 working days)", "", "", "available", AVAILABLE_HOURS),
    ("Default, construction needed (9 working days)", "", "", "needs_construction", CONSTRUCTION_HOURS),
    ("AAA protection, resources available (5 working days)", "", "aaa", "available", PROTECTED_AVAILABLE_HOURS),
    ("AA protection, resources available (5 working days)", "", "aa", "available", PROTECTED_AVAILABLE_HOURS),
)


def total_hours(stage_hours: dict[str, Decimal], skip_construction: bool) -> Decimal:
    return sum(
        (Decimal(str(h)) for s, h in stage_hours.items() if not (skip_construction and s == "construction")),
        Decimal("0"),
    )
