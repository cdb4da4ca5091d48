"""Demo contacts: about ten per customer in a realistic decision tree, with attitude histories.

总经理 → 副总经理 / 分管信息化副总 (CIO) → 信息中心主任 → 网络科科长 → 工程师, plus 采购部 and 财务部 under a
deputy, an office head next to the general manager. Every contact and assessment is written with
``bulk_create`` in batches, level by level so that managers have their keys before their reports.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from kam.core import demo
from kam.customers.contacts.choices import ATTITUDE_VALUES, AttitudeSource, BuyingRole
from kam.customers.contacts.searchtext import build_search_text, pinyin_forms

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文辉玉兰海燕红梅晓东宏伟丽娟永刚春梅"
    "建华志明凤英金凤德胜立新国庆卫东海涛晓明振华建军秀珍子涵浩然欣怡梓轩思远雨桐宇航佳怡俊杰晨阳嘉怡"
)

_AREA_CODES = {"4401": "020", "4403": "0755", "4404": "0756", "4406": "0757", "4419": "0769", "4420": "0760",
               "4413": "0752", "4407": "0750", "4408": "0759", "4301": "0731", "1100": "010", "3100": "021"}
_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                    "155", "156", "157", "158", "159", "166", "177", "180", "181", "185", "186", "187", "188", "189",
                    "191", "199")


@dataclass(frozen=True)
class Post:
    key: str
    title: str
    department: str
    role: str
    manager: str | None
    key_person: bool = False
    mood: float = 0.0  # the mean of the first assessment on the scale index (0 = -10 … 9 = +5)


# The org template, most senior first; a customer gets a prefix of POSTS[:n] plus some engineers.
POSTS: tuple[Post, ...] = (
    Post("gm", "总经理", "总经理办公室", BuyingRole.DECISION_MAKER, None, True, 5.5),
    Post("cio", "分管信息化副总经理", "公司领导", BuyingRole.DECISION_MAKER, "gm", True, 6.0),
    Post("it_head", "信息中心主任", "信息中心", BuyingRole.TECHNICAL_EVALUATOR, "cio", True, 6.5),
    Post("net_chief", "网络科科长", "信息中心", BuyingRole.TECHNICAL_EVALUATOR, "it_head", False, 6.5),
    Post("deputy", "副总经理", "公司领导", BuyingRole.APPROVER, "gm", False, 5.0),
    Post("buy_head", "采购部经理", "采购部", BuyingRole.PROCUREMENT, "deputy", False, 5.0),
    Post("fin_head", "财务部经理", "财务部", BuyingRole.APPROVER, "deputy", False, 4.5),
    Post("engineer", "网络工程师", "信息中心", BuyingRole.USER, "net_chief", False, 7.0),
    Post("office", "办公室主任", "总经理办公室", BuyingRole.INFLUENCER, "gm", False, 6.0),
    Post("buyer", "采购专员", "采购部", BuyingRole.PROCUREMENT, "buy_head", False, 5.5),
    Post("engineer2", "系统工程师", "信息中心", BuyingRole.COACH, "net_chief", False, 8.0),
    Post("sec_engineer", "安全工程师", "信息中心", BuyingRole.USER, "it_head", False, 6.5),
)
_LEVEL: dict[str, int] = {}
for _post in POSTS:
    _LEVEL[_post.key] = 0 if _post.manager is None else _LEVEL[_post.manager] + 1
MAX_LEVEL = max(_LEVEL.values())
SCALE = sorted(ATTITUDE_VALUES)  # -10 … 5
BATCH_CUSTOMERS = 1000


def person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.55:
        return surname + rng.choice(GIVEN) + rng.choice(GIVEN)
    return surname + rng.choice(GIVEN)


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"


def office_phone(rng: random.Random, region_id: str) -> str:
    area = _AREA_CODES.get((region_id or "")[:4], "0" + str(rng.randint(200, 999)))
    return f"{area}-{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}"


def _history(
    rng: random.Random, post: Post, turns_hostile: bool, count: int, now: Any, left_at: Any
) -> list[tuple[Any, int, str, str]]:
    """``count`` assessments over the past year (oldest first): (when, score, source, evidence)."""
    index = max(0, min(len(SCALE) - 1, round(rng.gauss(post.mood, 1.3))))
    end = now if left_at is None else min(now, left_at)
    span = max(1, int((end - (now - timedelta(days=365))).total_seconds()))
    offsets = sorted(rng.randrange(span) for _ in range(count))
    result = []
    for i, offset in enumerate(offsets):
        if i:
            step = rng.choice((-1, 0, 0, 1))
            if turns_hostile:
                step = rng.choice((-3, -2, -2, -1))
            index = max(0, min(len(SCALE) - 1, index + step))
        score = SCALE[index]
        when = now - timedelta(days=365) + timedelta(seconds=offset)
        source = rng.choice((AttitudeSource.VISIT, AttitudeSource.VISIT, AttitudeSource.CALL, AttitudeSource.OTHER))
        result.append((when, score, str(source), _evidence(rng, score)))
    return result


_EVIDENCE_GOOD = ("主动约我们交流新项目", "在内部会议上支持我方方案", "同意安排技术交流", "对上次故障处理很满意",
                  "推荐我们参加招标", "愿意做试点")
_EVIDENCE_NEUTRAL = ("态度一般，等待预算", "表示需要比较几家", "会议上未表态", "要求补充资料")
_EVIDENCE_BAD = ("多次提到竞争对手报价更低", "对开通延误很不满", "拒绝见面", "在评标中倾向对手方案",
                 "投诉故障响应慢", "与竞争对手高层关系密切")


def _evidence(rng: random.Random, score: int) -> str:
    if score >= 2:
        return rng.choice(_EVIDENCE_GOOD)
    if score >= -2:
        return rng.choice(_EVIDENCE_NEUTRAL)
    return rng.choice(_EVIDENCE_BAD)


def _customers() -> list[tuple[int, str, str]]:
    from kam.customers.models import Customer

    return list(Customer.objects.order_by("pk").values_list("pk", "region_id", "path"))


def _owners() -> dict[int, list[int]]:
    """Customer id → its team's account managers (lead first): the relationship owners of its contacts."""
    from kam.customers.models import AccountTeamMember

    owners: dict[int, list[int]] = {}
    for customer_id, user_id in (
        AccountTeamMember.objects.filter(role__in=("lead_am", "local_am"))
        .order_by("customer_id", "role", "pk")
        .values_list("customer_id", "user_id")
    ):
        owners.setdefault(customer_id, []).append(user_id)
    return owners


def build(ctx: demo.DemoContext) -> None:
    from kam.core.audit import record_bulk
    from kam.customers.models import AttitudeAssessment, Contact

    rng = ctx.sub_rng("contacts")
    customers = _customers()
    owners = _owners()
    large = ctx.scale == "large"
    audit = not large
    now = ctx.now
    total_contacts = 0
    total_assessments = 0
    for start in range(0, len(customers), BATCH_CUSTOMERS):
        batch = customers[start : start + BATCH_CUSTOMERS]
        levels: list[list[Contact]] = [[] for _ in range(MAX_LEVEL + 1)]
        plans: list[tuple[Contact, list[tuple[Any, int, str, str]]]] = []
        for customer_id, region_id, _path in batch:
            count = rng.randint(8, 12)
            posts = list(POSTS[:count])
            by_key: dict[str, Contact] = {}
            team = owners.get(customer_id, [])
            for post in posts:
                name = person_name(rng)
                left = rng.random() < (0.08 if post.key_person else 0.03)
                left_at = (now - timedelta(days=rng.randint(5, 330))).date() if left else None
                manager_post = post.manager
                while manager_post is not None and manager_post not in by_key:
                    manager_post = next(p.manager for p in POSTS if p.key == manager_post)
                _full, initials = pinyin_forms(name)
                contact = Contact(
                    customer_id=customer_id,
                    name=name,
                    title=post.title,
                    department=post.department,
                    phone=office_phone(rng, region_id),
                    mobile=mobile(rng),
                    email=f"{initials}{rng.randint(1, 999)}@example.cn",
                    buying_role=post.role,
                    key_person=post.key_person,
                    left_company=left,
                    left_at=left_at,
                    relationship_owner_id=(team[0] if post.key_person or len(team) == 1 else rng.choice(team))
                    if team
                    else None,
                    private_notes=rng.choice(("", "", "爱好羽毛球", "孩子明年高考", "老家湖南，喜欢喝茶", "与前任客户经理关系好")),
                    reports_to=by_key.get(manager_post) if manager_post else None,
                )
                contact.search_text = build_search_text(contact.name, contact.mobile, contact.phone, email=contact.email)
                hostile = rng.random() < (0.25 if post.role == BuyingRole.DECISION_MAKER else 0.1)
                count = rng.randint(0, 2) if large else rng.randint(1, 6)
                left_dt = datetime.combine(left_at, time(9), tzinfo=now.tzinfo) if left_at else None
                history = _history(rng, post, hostile, count, now, left_dt) if count else []
                if history:
                    contact.current_attitude = history[-1][1]
                    contact.current_attitude_at = history[-1][0]
                by_key[post.key] = contact
                levels[_LEVEL[post.key]].append(contact)
                plans.append((contact, history))
        for level in levels:
            for contact in level:
                if contact.reports_to is not None:
                    contact.reports_to_id = contact.reports_to.pk
            Contact.objects.bulk_create(level, batch_size=2000)
        assessments = [
            AttitudeAssessment(
                contact_id=contact.pk,
                score=score,
                assessed_by_id=contact.relationship_owner_id,
                assessed_at=when,
                evidence=evidence,
                source=source,
            )
            for contact, history in plans
            for when, score, source, evidence in history
        ]
        AttitudeAssessment.objects.bulk_create(assessments, batch_size=2000)
        if audit:
            record_bulk([c for level in levels for c in level], note="demo")
        total_contacts += sum(len(level) for level in levels)
        total_assessments += len(assessments)
        if large:
            ctx.log(f"demo: contacts: {total_contacts} contacts so far")
    ctx.data["contacts_count"] = total_contacts
    ctx.log(f"demo: contacts: {total_contacts} contacts, {total_assessments} attitude assessments")


def register_steps() -> None:
    demo.register("contacts", order=30)(build)
