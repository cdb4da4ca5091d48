"""Demo work orders: orders in every stage, some paused by the customer, some with approved or too-late
extension requests, some late and escalated, chain customers' orders split into regional child orders,
and a few months of completed orders for the timeliness report. Deterministic for a seed
(``ctx.sub_rng("orders")``; times derived from ``ctx.now``); built through the services, so the clocks are
the real ones."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from kam.core import demo
from kam.core.calendars import add_working_time
from kam.core.errors import DomainError

STREETS = ("人民路", "建设路", "中山路", "科技园")
TEAMS = ("装维一班", "装维二班", "传输班", "数据班", "客响中心")
KINDS = (("new", 70), ("upgrade", 15), ("change", 5), ("relocate", 4), ("terminate", 6))
PAUSE_REASONS = ("客户机房未就绪", "客户要求延后施工", "等待客户提供进场许可", "客户侧设备未到货")
EXTENSION_REASONS = ("管线需要市政审批", "光缆路由需要调整", "等待设备到货", "客户变更安装地址")
TEMPLATES = (
    ("互联网专线 100M 标准开通", "dia", 100_000, "normal"),
    ("互联网专线 1G 双路由", "dia", 1_000_000, "aa"),
    ("MPLS VPN 分支 20M", "mpls_vpn", 20_000, "normal"),
    ("OTN 10G 波长", "otn", 10_000_000, "aaa"),
)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _w in pairs], weights=[w for _p, w in pairs])[0]


def build(ctx: demo.DemoContext) -> None:
    from kam.customers.models import Contact, Customer
    from kam.identity.models import User
    from kam.lines.models import ActivationTest, Line
    from kam.orders import services
    from kam.orders.choices import Stage
    from kam.orders.models import WorkOrder, WorkOrderTemplate

    rng = ctx.sub_rng("orders")
    now: datetime = ctx.now
    engineers = list(User.objects.filter(role="engineer", is_active=True).select_related("org_unit").order_by("pk"))
    customers = list(
        Customer.objects.filter(lifecycle__in=["active", "at_risk"]).select_related("region").order_by("pk")[:2000]
    )
    if not customers:
        ctx.log("demo: orders: no customers, skipped")
        return
    contacts: dict[str, list[int]] = {}
    for cid, path in Contact.objects.filter(left_company=False).values_list("pk", "customer__path").order_by("pk"):
        root = path.split("/")[1] if path else ""
        contacts.setdefault(root, []).append(cid)
    lines_by_customer: dict[int, list[int]] = {}
    for lid, cust in Line.objects.filter(status="active").values_list("pk", "customer_id").order_by("pk"):
        lines_by_customer.setdefault(cust, []).append(lid)

    for name, product, bandwidth, protection in TEMPLATES:
        WorkOrderTemplate.objects.get_or_create(
            name=name,
            defaults={
                "kind": "new",
                "product": product,
                "bandwidth_kbps": bandwidth,
                "protection_level": protection,
                "default_assignments": [
                    {"stage": "survey", "team_name": "勘察组"},
                    {"stage": "testing", "team_name": "数据班"},
                ],
            },
        )

    def engineers_for(region_code: str) -> list[Any]:
        local = [e for e in engineers if e.org_unit and region_code.startswith(e.org_unit.region_id[:4])]
        return local or engineers

    def assignments(region_code: str) -> list[services.AssignmentSpec]:
        pool = engineers_for(region_code)
        specs = []
        for stage in Stage.values:
            user = rng.choice(pool) if pool else None
            lead = rng.choice(pool) if pool and rng.random() < 0.8 else None
            specs.append(services.AssignmentSpec(stage=stage, team_name=rng.choice(TEAMS), user=user, lead=lead))
        return specs

    def contact_for(customer: Any) -> Any:
        root = customer.path.split("/")[1] if customer.path else ""
        ids = contacts.get(root) or []
        return Contact.objects.get(pk=rng.choice(ids)) if ids else None

    def requirement(customer: Any) -> dict[str, Any] | None:
        kind = _weighted(rng, KINDS)
        lines = lines_by_customer.get(customer.pk) or []
        data: dict[str, Any] = {
            "customer": customer,
            "kind": kind,
            "a_address": f"{customer.region.name}{rng.choice(STREETS)}{rng.randint(1, 300)}号",
            "resource_availability": "available" if rng.random() < 0.7 else "needs_construction",
            "contact": contact_for(customer),
            "desired_date": (now + timedelta(days=rng.randint(3, 30))).date(),
            "requirement": "客户申请开通专线，详见需求单。",
        }
        if kind == "new":
            _name, product, bandwidth, protection = rng.choice(TEMPLATES)
            data.update(product=product, bandwidth_kbps=bandwidth, protection_level=protection)
            return data
        if not lines:
            return None
        line = Line.objects.get(pk=lines.pop(rng.randrange(len(lines))))
        data["line"] = line
        if kind == "upgrade":
            data.update(product=line.product, bandwidth_kbps=line.bandwidth_kbps * rng.choice((2, 5, 10)))
        return data

    made = {"orders": 0, "completed": 0, "paused": 0, "extensions": 0, "late_extensions": 0, "children": 0}

    def stage_moment(order: Any, t: datetime, factor: float) -> datetime:
        row = order.stages.get(stage=order.stage)
        return add_working_time(t, max(60, int(row.budget_seconds * factor)), services.order_spec(order))

    def run(customer: Any, start: datetime, target: int, *, slow: bool = False) -> Any:
        data = requirement(customer)
        if data is None:
            return None
        order = services.create_work_order(actor=None, data=data, now=start)
        made["orders"] += 1
        if target < 0:
            return order  # a draft
        order = services.dispatch_work_order(
            order=order, assignments=assignments(order.region_id), actor=None, now=start
        )
        t = start
        sequence = order.stage_sequence()
        for _step in range(min(target, len(sequence) - 1)):
            t_next = stage_moment(order, t, rng.uniform(0.5, 1.4 if slow else 0.95))
            if t_next >= now:
                break
            t = t_next
            order = services.advance_stage(order=order, actor=None, note="", now=t)
        return order, t

    n = ctx.pick(90, 300, 1200)
    running = 0
    for _i in range(n):
        customer = customers[rng.randrange(len(customers))]
        roll = rng.random()
        if roll < 0.05:
            run(customer, now - timedelta(days=rng.uniform(0, 3)), -1)
            continue
        if roll < 0.55:  # completed in the last months
            start = now - timedelta(days=rng.uniform(12, 120))
            result = run(customer, start, 99, slow=rng.random() < 0.25)
            if not result:
                continue
            order, t = result
            if order.stage != Stage.COMPLETION:
                continue
            done = stage_moment(order, t, rng.uniform(0.3, 1.3))
            if done >= now:
                continue
            if rng.random() < 0.15:  # an extension asked for too late: the order counts as late
                deadline = order.stages.get(stage=order.stage).deadline
                asked = min(done, deadline + timedelta(minutes=10)) if deadline else done
                try:
                    services.request_extension(
                        order=order,
                        reason=rng.choice(EXTENSION_REASONS),
                        extra_hours=4,
                        actor=None,
                        now=max(asked, deadline) if deadline else asked,
                    )
                except DomainError as exc:
                    made["late_extensions"] += exc.code == "extension_too_late"
                order.refresh_from_db()
            tests = []
            if order.kind != "terminate":
                line = services.ensure_line(order)
                test = ActivationTest.objects.create(
                    line=line,
                    started_at=t,
                    finished_at=t + timedelta(seconds=8),
                    passed=True,
                    results={
                        "reachability": {"passed": True, "detail": "icmp", "value": "icmp"},
                        "rtt": {"passed": True, "detail": "", "value": round(rng.uniform(1, 30), 3)},
                    },
                )
                tests = [test.pk]
            contact = order.contact or contact_for(order.customer)
            if contact is None:
                continue
            try:
                services.complete_work_order(
                    order=order,
                    acceptance_contact=contact,
                    accepted_at=done,
                    test_ids=tests,
                    actor=None,
                    now=done,
                )
                made["completed"] += 1
            except DomainError:
                continue
            continue
        # running orders: spread over the stages
        start = now - timedelta(days=rng.uniform(0.2, 12))
        result = run(customer, start, rng.randint(0, 8), slow=rng.random() < 0.35)
        if not result:
            continue
        order, t = result
        running += 1
        slot = running % 10
        try:
            if slot in (1, 6):
                services.pause_work_order(
                    order=order,
                    reason=rng.choice(PAUSE_REASONS),
                    customer_caused=True,
                    actor=None,
                    now=min(now, t + timedelta(hours=rng.uniform(1, 30))),
                )
                made["paused"] += 1
            elif slot in (2, 5, 8):
                ext = services.request_extension(
                    order=order,
                    reason=rng.choice(EXTENSION_REASONS),
                    extra_hours=rng.choice((4, 8, 16)),
                    actor=None,
                    now=t + timedelta(minutes=30),
                )
                made["extensions"] += 1
                if made["extensions"] > 1:  # the first stays pending for a director to decide
                    services.decide_extension(
                        request=ext, approve=rng.random() < 0.75, actor=None, now=t + timedelta(hours=2)
                    )
            elif slot in (3, 9):
                row = order.stages.get(stage=order.stage)
                if row.deadline and row.deadline + timedelta(minutes=30) < now:  # asked for after the deadline
                    services.request_extension(
                        order=order,
                        reason=rng.choice(EXTENSION_REASONS),
                        extra_hours=8,
                        actor=None,
                        now=row.deadline + timedelta(minutes=30),
                    )
        except DomainError as exc:
            if getattr(exc, "code", "") == "extension_too_late":
                made["late_extensions"] += 1

    # chain customers: one-point intake, children per region
    chains = [
        c
        for c in customers
        if c.parent_id is None and Customer.objects.filter(parent=c).exclude(region=c.region).exists()
    ]
    for customer in chains[: ctx.pick(4, 10, 30)]:
        branches = list(
            Customer.objects.filter(parent=customer).exclude(region=customer.region).select_related("region")[:3]
        )
        start = now - timedelta(days=rng.uniform(1, 8))
        data = {
            "customer": customer,
            "kind": "new",
            "product": "mpls_vpn",
            "bandwidth_kbps": 50_000,
            "protection_level": "a",
            "resource_availability": "available",
            "contact": contact_for(customer),
            "requirement": "集团统一受理，各地分公司分别实施。",
        }
        order = services.create_work_order(actor=None, data=data, now=start)
        made["orders"] += 1
        specs = [
            services.ChildSpec(
                region=customer.region,
                team_name="本地装维",
                user=rng.choice(engineers_for(customer.region_id)) if engineers else None,
            )
        ]
        specs += [
            services.ChildSpec(
                region=b.region,
                customer=b,
                team_name="本地装维",
                user=rng.choice(engineers_for(b.region_id)) if engineers else None,
            )
            for b in branches
            if b.region_id != customer.region_id
        ]
        seen: set[str] = set()
        specs = [s for s in specs if not (s.region.code in seen or seen.add(s.region.code))]  # type: ignore[func-returns-value]
        children = services.split_into_children(order=order, regions_with_teams=specs, actor=None, now=start)
        made["children"] += len(children)
        for child in children:
            t = start
            for _step in range(rng.randint(0, 5)):
                t_next = stage_moment(child, t, rng.uniform(0.4, 1.2))
                if t_next >= now:
                    break
                t = t_next
                child = services.advance_stage(order=child, actor=None, now=t)

    run_result = services.evaluate_jeopardy(now=now)
    late = WorkOrder.objects.running().filter(jeopardy="late").count()
    ctx.data["orders"] = {**made, "late": late, "escalations": run_result.escalations}
    ctx.log(
        f"demo: orders: {made['orders']} orders ({made['completed']} completed, {made['paused']} paused, "
        f"{made['children']} child orders), {made['extensions']} extensions, {late} running late, "
        f"{run_result.escalations} escalations"
    )


def register_steps() -> None:
    demo.register("orders", order=60)(build)
