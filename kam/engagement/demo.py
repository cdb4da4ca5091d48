"""Demo engagement data: a year of visits following each grade's cadence (some customers left overdue),
this year's account plans in every state, competitors at customers, and feedback in every state with
realistic turnaround times. Deterministic for a seed (``ctx.sub_rng("engagement")``); rows are written with
``bulk_create`` in batches.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from kam.core import demo

COMPETITORS = (
    ("中国移动", "移动专线、5G专网、移动云；价格进攻性强。"),
    ("中国联通", "北方网络覆盖好，联通云、SD-WAN。"),
    ("中国广电", "广电5G与有线网络，政企业务起步。"),
    ("华为云", "政务云、行业云；常与集成商联合投标。"),
    ("阿里云", "公有云与政务云，互联网客户基础好。"),
    ("腾讯云", "音视频、游戏与政务微信生态。"),
    ("本地ISP", "小型宽带与IDC服务商，价格低。"),
)
PRODUCTS = ("互联网专线", "数据专线", "5G专网", "SD-WAN", "公有云", "政务云", "IDC托管", "语音专线", "视频会议")
CHANNELS = (("face_to_face", 55), ("phone", 20), ("web", 10), ("letter", 5), ("event", 6), ("exhibition", 4))
PURPOSES = (
    "季度业务回顾",
    "专线扩容需求沟通",
    "新业务方案介绍",
    "续约洽谈",
    "故障复盘与服务改进",
    "高层拜访",
    "技术交流会",
    "节日问候",
    "招标前沟通",
    "满意度回访",
    "云网融合方案演示",
    "账单与资费说明",
)
SUMMARIES = (
    "客户对现网质量总体满意，提出带宽升级意向。",
    "客户关注价格，要求提供对比方案。",
    "信息中心计划明年建设灾备中心，需要数据专线。",
    "客户反映上月中断影响业务，希望加强保障。",
    "高层认可合作成果，同意推进战略合作协议。",
    "客户正在评估友商报价，需尽快响应。",
)
OUTCOMES = ("确认需求清单", "约定下次技术交流", "客户同意试用", "需内部评审后答复", "")
NEXT_STEPS = ("提交扩容方案", "安排技术交流", "发送报价单", "组织高层互访", "跟进合同续签", "提交故障分析报告")
SWOT = {
    "S": ("本地网络覆盖完善", "装维响应快", "与信息中心关系良好", "专线质量稳定"),
    "W": ("云产品线较弱", "价格审批流程长", "高层关系薄弱"),
    "O": ("数字政府建设提速", "客户计划建设灾备中心", "5G专网试点", "合同明年到期可扩容"),
    "T": ("友商低价竞争", "客户预算收紧", "集成商绑定云厂商"),
}
ACTIONS = (
    "组织高层拜访",
    "提交年度服务报告",
    "推动灾备专线立项",
    "完成云网融合方案演示",
    "续签框架协议",
    "开展满意度调研",
    "建立双周例会机制",
)
REVIEWS = (
    ("招标失利", "价格高出中标方8%", "提前介入需求编制，准备价格预案"),
    ("重大故障", "光缆被挖断中断4小时", "关键站点增加异路由保护"),
    ("签约成功", "三年框架协议落地", "高层互访与技术交流并行有效"),
)
FEEDBACK = {
    "requirement": ("需要IPv6地址段", "希望提供月度流量报告", "申请临时带宽提升", "需要专属客服热线"),
    "complaint": ("专线晚高峰时延高", "故障处理不及时", "账单金额与合同不符", "装机延期"),
    "suggestion": ("建议增加自助服务门户", "建议故障短信通知", "建议季度例会"),
    "praise": ("表扬装维人员服务", "感谢重保期间保障", "表扬客户经理响应及时"),
}
# median hours from collected to decided, and decided to closed, per kind (log-normal around them)
TURNAROUND = {"requirement": (96, 48), "complaint": (20, 12), "suggestion": (150, 72), "praise": (8, 4)}
KIND_WEIGHTS = (("requirement", 35), ("complaint", 30), ("suggestion", 20), ("praise", 15))
DEFAULT_CADENCE = 180


def _choice(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _w in weighted], weights=[w for _k, w in weighted])[0]


def _lognormal_hours(rng: random.Random, median: float) -> timedelta:
    return timedelta(hours=max(0.25, median * rng.lognormvariate(0, 0.8)))


def _bulk(model: Any, rows: list[Any], audit: bool) -> list[Any]:
    from kam.core.audit import record_bulk

    made = model.objects.bulk_create(rows, batch_size=1000)
    if audit:
        record_bulk(made, note="demo")
    return made


def build(ctx: demo.DemoContext) -> None:
    from kam.customers.models import AccountTeamMember, Contact, Customer
    from kam.engagement.models import (
        AccountPlan,
        Competitor,
        CompetitorPresence,
        CompetitorSighting,
        Feedback,
        PlanAction,
        PlanReview,
        SwotItem,
        Visit,
    )
    from kam.engagement.queries import cadence_by_grade
    from kam.identity.models import User

    rng = ctx.sub_rng("engagement")
    now = ctx.now
    history_days = ctx.pick(365, 180, 90)
    audit = ctx.scale == "small"

    competitors = []
    for name, notes in COMPETITORS:
        competitor, _created = Competitor.objects.get_or_create(name=name, defaults={"notes": notes})
        competitors.append(competitor)

    customers = list(Customer.objects.exclude(lifecycle="churned").order_by("pk").only("pk", "value_grade", "path"))
    if not customers:
        ctx.log("demo: engagement: no customers, nothing to do")
        return
    leads: dict[int, int] = dict(AccountTeamMember.objects.filter(role="lead_am").values_list("customer_id", "user_id"))
    engineers: dict[int, list[int]] = defaultdict(list)
    for customer_id, user_id in AccountTeamMember.objects.filter(role="solution_engineer").values_list(
        "customer_id", "user_id"
    ):
        engineers[customer_id].append(user_id)
    contacts: dict[int, list[int]] = defaultdict(list)
    for customer_id, contact_id in (
        Contact.objects.filter(left_company=False).order_by("pk").values_list("customer_id", "pk")
    ):
        contacts[customer_id].append(contact_id)
    directors = list(User.objects.filter(role="director", is_active=True).order_by("pk").values_list("pk", flat=True))
    back_office = list(
        User.objects.filter(role__in=("engineer", "noc"), is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    cadence = cadence_by_grade()

    def lead_of(customer: Any) -> int | None:
        for pk in reversed([int(p) for p in customer.path.strip("/").split("/") if p.isdigit()] or [customer.pk]):
            if pk in leads:
                return leads[pk]
        return None

    # --- visits ---
    visits: list[Visit] = []
    visit_people: list[tuple[int, list[int], list[int]]] = []  # (index, users, contacts)
    sightings: list[tuple[int, int, str]] = []  # (visit index, competitor index, note)
    presence_seen: dict[tuple[int, int], datetime] = {}
    for customer in customers:
        lead = lead_of(customer)
        days = cadence.get(customer.value_grade, DEFAULT_CADENCE)
        neglected = rng.random() < 0.15  # some customers fall behind their cadence
        stop = now - timedelta(days=days * rng.uniform(1.15, 2.0)) if neglected else now
        moment = now - timedelta(days=history_days) + timedelta(days=rng.uniform(0, days * 0.8))
        team = [u for u in [lead, *engineers.get(customer.pk, [])[:1]] if u]
        people = contacts.get(customer.pk, [])
        while moment < stop:
            at = moment.replace(hour=rng.choice((9, 10, 14, 15, 16)), minute=rng.choice((0, 30)))
            if at >= now:
                break
            visit = Visit(
                customer_id=customer.pk,
                channel=_choice(rng, CHANNELS),
                status="done",
                planned_at=at - timedelta(days=rng.randint(2, 10)),
                occurred_at=at,
                purpose=rng.choice(PURPOSES),
                summary=rng.choice(SUMMARIES),
                outcomes=rng.choice(OUTCOMES),
                created_by_id=lead,
            )
            if rng.random() < 0.5:
                visit.next_step = rng.choice(NEXT_STEPS)
                visit.next_step_due = (at + timedelta(days=rng.randint(5, 20))).date()
                visit.next_step_owner_id = lead
                visit.next_step_done = visit.next_step_due < (now - timedelta(days=7)).date() or rng.random() < 0.3
            visits.append(visit)
            visit_people.append(
                (
                    len(visits) - 1,
                    team[: rng.randint(1, max(1, len(team)))],
                    rng.sample(people, min(len(people), rng.randint(1, 2))),
                )
            )
            if rng.random() < 0.12:
                comp = rng.randrange(len(competitors))
                sightings.append((len(visits) - 1, comp, rng.choice(("在做方案", "报价更低", "已试点", ""))))
                key = (customer.pk, comp)
                presence_seen[key] = max(presence_seen.get(key, at), at)
            moment += timedelta(days=days * rng.uniform(0.5, 0.95))
        if not neglected and rng.random() < 0.3:
            visits.append(
                Visit(
                    customer_id=customer.pk,
                    channel=_choice(rng, CHANNELS),
                    status="planned" if rng.random() < 0.9 else "cancelled",
                    planned_at=(now + timedelta(days=rng.randint(1, 30))).replace(hour=10, minute=0),
                    purpose=rng.choice(PURPOSES),
                    created_by_id=lead,
                )
            )
            visit_people.append((len(visits) - 1, team[:1], []))
    made = _bulk(Visit, visits, audit)
    Through = Visit.our_participants.through
    ContactThrough = Visit.their_participants.through
    Through.objects.bulk_create(
        [Through(visit_id=made[i].pk, user_id=u) for i, users, _c in visit_people for u in set(users)], batch_size=2000
    )
    ContactThrough.objects.bulk_create(
        [ContactThrough(visit_id=made[i].pk, contact_id=c) for i, _u, cs in visit_people for c in set(cs)],
        batch_size=2000,
    )
    CompetitorSighting.objects.bulk_create(
        [
            CompetitorSighting(visit_id=made[i].pk, competitor_id=competitors[c].pk, note=note)
            for i, c, note in {(i, c): (i, c, n) for i, c, n in sightings}.values()
        ],
        batch_size=2000,
    )

    # --- competitor presences ---
    presences = []
    for customer in customers:
        picked = {c for (cust, c) in presence_seen if cust == customer.pk}
        if rng.random() < 0.35:
            picked.add(rng.randrange(len(competitors)))
        for comp in sorted(picked):
            seen = presence_seen.get((customer.pk, comp))
            presences.append(
                CompetitorPresence(
                    customer_id=customer.pk,
                    competitor_id=competitors[comp].pk,
                    products="、".join(rng.sample(PRODUCTS, rng.randint(1, 3))),
                    estimated_annual_spend=Decimal(rng.randrange(5, 400) * 10000),
                    contract_end=(now + timedelta(days=rng.randint(-60, 900))).date(),
                    strength=rng.randint(1, 5),
                    last_seen=seen.date() if seen else (now - timedelta(days=rng.randint(10, 400))).date(),
                    source="visit" if seen else rng.choice(("customer", "tender", "market")),
                )
            )
    _bulk(CompetitorPresence, presences, audit)

    # --- account plans for the current year ---
    year = now.year
    plans: list[AccountPlan] = []
    plan_users: list[int | None] = []
    for customer in customers:
        lead = lead_of(customer)
        if lead is None or rng.random() > 0.6:
            continue
        status = rng.choices(("draft", "submitted", "approved", "returned"), weights=(30, 25, 35, 10))[0]
        submitted = now - timedelta(days=rng.randint(5, 200)) if status != "draft" else None
        decided = (
            submitted + timedelta(days=rng.randint(1, 10)) if submitted and status in ("approved", "returned") else None
        )
        plans.append(
            AccountPlan(
                customer_id=customer.pk,
                year=year,
                stage=rng.choices(("start", "deepen", "integrate"), weights=(30, 50, 20))[0],
                revenue_goal=Decimal(rng.randrange(20, 3000) * 10000),
                share_of_wallet_goal=Decimal(rng.randrange(20, 90)),
                strategy="以专线为基础，拓展云网融合与安全服务，提升钱包份额。",
                status=status,
                submitted_at=submitted,
                submitted_by_id=lead if submitted else None,
                decided_at=decided,
                decided_by_id=rng.choice(directors) if decided and directors else None,
                return_note="请补充竞争对手分析和份额测算。" if status == "returned" else "",
            )
        )
        plan_users.append(lead)
    plans = _bulk(AccountPlan, plans, audit)
    swot, actions, reviews = [], [], []
    for plan, lead in zip(plans, plan_users, strict=True):
        for kind, texts in SWOT.items():
            for position, text in enumerate(rng.sample(texts, rng.randint(1, 2))):
                swot.append(SwotItem(plan_id=plan.pk, kind=kind, text=text, position=position))
        for text in rng.sample(ACTIONS, rng.randint(2, 4)):
            due = (now + timedelta(days=rng.randint(-150, 60))).date()
            status = "open"
            if plan.status == "approved" and due < now.date():
                status = rng.choices(("done", "dropped", "open"), weights=(70, 10, 20))[0]
            actions.append(PlanAction(plan_id=plan.pk, text=text, owner_id=lead, due_date=due, status=status))
        if plan.status == "approved" and rng.random() < 0.5:
            event, happened, lessons = rng.choice(REVIEWS)
            reviews.append(
                PlanReview(
                    plan_id=plan.pk,
                    date=(now - timedelta(days=rng.randint(5, 120))).date(),
                    event=event,
                    what_happened=happened,
                    lessons=lessons,
                )
            )
    _bulk(SwotItem, swot, audit)
    _bulk(PlanAction, actions, audit)
    _bulk(PlanReview, reviews, audit)

    # --- feedback ---
    feedback = []
    for customer in customers:
        lead = lead_of(customer)
        for _n in range(rng.choices((0, 1, 2, 3), weights=(35, 35, 20, 10))[0]):
            kind = _choice(rng, KIND_WEIGHTS)
            collected = now - timedelta(days=rng.uniform(0, history_days), hours=rng.uniform(0, 8))
            decide_h, close_h = TURNAROUND[kind]
            routed = collected + timedelta(hours=rng.uniform(0.5, 12))
            decided = collected + _lognormal_hours(rng, decide_h)
            decided = max(decided, routed + timedelta(minutes=30))
            if rng.random() < 0.08:  # some items wait long for a decision
                decided += timedelta(days=rng.uniform(20, 200))
            closed = decided + _lognormal_hours(rng, close_h)
            people = contacts.get(customer.pk, [])
            row = Feedback(
                customer_id=customer.pk,
                kind=kind,
                title=rng.choice(FEEDBACK[kind]),
                description="客户在走访中提出，需跟进。",
                contact_id=rng.choice(people) if people and rng.random() < 0.7 else None,
                collected_at=collected,
                collected_by_id=lead,
                status="collected",
            )
            waiting = collected > now - timedelta(days=10) and rng.random() < 0.5  # not routed yet
            if routed < now and back_office and not waiting:
                row.status, row.routed_at, row.responsible_id = "routed", routed, rng.choice(back_office)
                if decided < now:
                    row.status, row.decided_at, row.decision = "decided", decided, "已安排处理并答复客户。"
                    if closed < now:
                        row.status, row.closed_at = "closed", closed
            feedback.append(row)
    _bulk(Feedback, feedback, audit)
    ctx.data["engagement"] = {
        "visits": len(made),
        "plans": len(plans),
        "presences": len(presences),
        "feedback": len(feedback),
    }
    ctx.log(
        f"demo: engagement: {len(made)} visits, {len(plans)} plans, {len(presences)} competitor presences, "
        f"{len(feedback)} feedback"
    )


def register_steps() -> None:
    demo.register("engagement", order=40)(build)
