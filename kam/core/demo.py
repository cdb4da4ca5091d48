"""The demo-data generator: an ordered registry of steps that apps extend.

``kam demo --scale small --seed 7`` runs every registered step in order with one :class:`DemoContext`; the
same generator feeds the benchmarks. Output is deterministic for a seed: steps draw only from ``ctx.rng``
(or generators seeded from it) and never from the clock; times are derived from ``ctx.now``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

SCALES = ("small", "medium", "large")


@dataclass
class DemoContext:
    scale: str = "small"
    seed: int = 1
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    log: Callable[[str], None] = print
    data: dict[str, Any] = field(default_factory=dict)  # what earlier steps made, for later steps
    credentials: list[tuple[str, str, str]] = field(default_factory=list)  # (username, password, role)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def pick(self, small: int, medium: int, large: int) -> int:
        return {"small": small, "medium": medium, "large": large}[self.scale]

    def sub_rng(self, name: str) -> random.Random:
        """A generator of its own for one step, so that adding a step never changes another's output."""
        return random.Random(f"{self.seed}:{name}")


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[DemoContext], None]
    order: int


steps: dict[str, DemoStep] = {}


def register(name: str, order: int) -> Callable[[Callable[[DemoContext], None]], Callable[[DemoContext], None]]:
    def decorator(func: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
        steps[name] = DemoStep(name=name, run=func, order=order)
        return func

    return decorator


def run_all(ctx: DemoContext, only: set[str] | None = None) -> DemoContext:
    from django.db import transaction

    from kam.core.audit import audit_context
    from kam.core.models.audit import AuditSource

    with audit_context(source=AuditSource.COMMAND, note="demo"):
        for step in sorted(steps.values(), key=lambda s: s.order):
            if only and step.name not in only:
                continue
            ctx.log(f"demo: {step.name} …")
            with transaction.atomic():
                step.run(ctx)
    return ctx
