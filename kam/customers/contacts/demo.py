"""Demo contacts: about ten per customer in a realistic decision tree, with attitude histories.

总经理 → 副总经理 / 分管信息化副总 (CIO) → 信息中心主任 → 网络科科长 → 工程师, plus 采购部 and 财务部 under a
deputy, an office head next to the general manager. Every contact and assessment is written with
multi-row inserts in batches, with ids assigned by the generator so that managers have their keys before their reports.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any

from kam.core import demo
from kam.customers.contacts.choices import ATTITUDE_VALUES, AttitudeSource, BuyingRole
from kam.customers.contacts.searchtext import pinyin_forms

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强文辉玉兰海燕红梅晓东宏伟丽娟永刚春梅"
    "建华志明凤英金凤德胜立新国庆卫东海涛晓明振华建军秀珍子涵浩然欣怡梓轩思远雨桐宇航佳怡俊杰晨阳嘉怡"
)

_AREA_CODES = {
    "4401": "020",
    "4403": "0755",
    "4404": "0756",
    "4406": "0757",
    "4419": "0769",
    "4420": "0760",
    "4413": "0752",
    "4407": "0750",
    "4408": "0759",
    "4301": "0731",
    "1100": "010",
    "3100": "021",
}
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "177",
    "180",
    "181",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
)


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


_EVIDENCE_GOOD = (
    "主动约我们交流新项目",
    "在内部会议上支持我方方案",
    "同意安排技术交流",
    "对上次故障处理很满意",
    "推荐我们参加招标",
    "愿意做试点",
)
_EVIDENCE_NEUTRAL = ("态度一般，等待预算", "表示需要比较几家", "会议上未表态", "要求补充资料")
_EVIDENCE_BAD = (
    "多次提到竞争对手报价更低",
    "对开通延误很不满",
    "拒绝见面",
    "在评标中倾向对手方案",
    "投诉故障响应慢",
    "与竞争对手高层关系密切",
)


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


CONTACT_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "customer_id",
    "name",
    "title",
    "department",
    "phone",
    "mobile",
    "email",
    "reports_to_id",
    "buying_role",
    "key_person",
    "left_company",
    "left_at",
    "relationship_owner_id",
    "private_notes",
    "current_attitude",
    "current_attitude_at",
    "search_text",
)
ASSESSMENT_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "contact_id",
    "score",
    "assessed_by_id",
    "assessed_at",
    "evidence",
    "source",
    "visit_id",
)
_NOTES = ("", "", "", "爱好羽毛球", "孩子明年高考", "老家湖南，喜欢喝茶", "与前任客户经理关系好", "曾在华为工作")


@lru_cache(maxsize=4096)
def _char_pinyin(char: str) -> tuple[str, str]:
    full, initials = pinyin_forms(char)
    return full, initials


def fast_search_text(name: str, mobile_no: str, phone: str, email: str) -> str:
    """``build_search_text`` with pinyin composed per character (cached), for millions of demo names."""
    parts = [_char_pinyin(c) for c in name]
    full = "".join(p[0] for p in parts)
    initials = "".join(p[1] for p in parts)
    digits = phone.replace("-", "")
    return " ".join(dict.fromkeys(x for x in (name, full, initials, mobile_no, digits, email.lower()) if x))[:500]


def _insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def build(ctx: demo.DemoContext) -> None:
    """Contacts and assessments for every customer; raw multi-row inserts with ids assigned here, so that
    managers are known before their reports (1M contacts at ``large`` without one ORM object per row)."""
    from django.core.management.color import no_style
    from django.db import connection

    from kam.core.audit import record_bulk
    from kam.customers.contacts.searchindex import bulk_load
    from kam.customers.models import AttitudeAssessment, Contact

    rng = ctx.sub_rng("contacts")
    ops = connection.ops
    customers = _customers()
    owners = _owners()
    large = ctx.scale == "large"
    audit = not large
    now = ctx.now
    stamp = ops.adapt_datetimefield_value(now)
    contact_id = _next_id(Contact)
    assessment_id = _next_id(AttitudeAssessment)
    total_contacts = 0
    total_assessments = 0
    with bulk_load():
        for start in range(0, len(customers), BATCH_CUSTOMERS):
            contact_rows: list[tuple[Any, ...]] = []
            assessment_rows: list[tuple[Any, ...]] = []
            for customer_id, region_id, _path in customers[start : start + BATCH_CUSTOMERS]:
                ids: dict[str, int] = {}
                team = owners.get(customer_id, [])
                for post in POSTS[: rng.randint(8, 12)]:
                    name = person_name(rng)
                    left = rng.random() < (0.08 if post.key_person else 0.03)
                    left_at = (now - timedelta(days=rng.randint(5, 330))).date() if left else None
                    manager_key = post.manager
                    while manager_key is not None and manager_key not in ids:
                        manager_key = next(p.manager for p in POSTS if p.key == manager_key)
                    phone = office_phone(rng, region_id)
                    mobile_no = mobile(rng)
                    email = f"{_char_pinyin(name[0])[0]}{rng.randint(1, 999)}@example.cn"
                    owner = (team[0] if post.key_person or len(team) == 1 else rng.choice(team)) if team else None
                    hostile = rng.random() < (0.25 if post.role == BuyingRole.DECISION_MAKER else 0.1)
                    count = rng.randint(0, 2) if large else rng.randint(1, 6)
                    left_dt = datetime.combine(left_at, time(9), tzinfo=now.tzinfo) if left_at else None
                    history = _history(rng, post, hostile, count, now, left_dt) if count else []
                    ids[post.key] = contact_id
                    contact_rows.append(
                        (
                            contact_id,
                            stamp,
                            stamp,
                            customer_id,
                            name,
                            post.title,
                            post.department,
                            phone,
                            mobile_no,
                            email,
                            ids[manager_key] if manager_key else None,
                            str(post.role),
                            post.key_person,
                            left,
                            ops.adapt_datefield_value(left_at),
                            owner,
                            rng.choice(_NOTES),
                            history[-1][1] if history else None,
                            ops.adapt_datetimefield_value(history[-1][0]) if history else None,
                            fast_search_text(name, mobile_no, phone, email),
                        )
                    )
                    for when, score, source, evidence in history:
                        assessment_rows.append(
                            (
                                assessment_id,
                                stamp,
                                stamp,
                                contact_id,
                                score,
                                owner,
                                ops.adapt_datetimefield_value(when),
                                evidence,
                                source,
                                None,
                            )
                        )
                        assessment_id += 1
                    contact_id += 1
            _insert(Contact._meta.db_table, CONTACT_COLUMNS, contact_rows)
            _insert(AttitudeAssessment._meta.db_table, ASSESSMENT_COLUMNS, assessment_rows)
            if audit:
                record_bulk(list(Contact.objects.filter(pk__in=[r[0] for r in contact_rows])), note="demo")
            total_contacts += len(contact_rows)
            total_assessments += len(assessment_rows)
            if large:
                ctx.log(f"demo: contacts: {total_contacts} contacts so far")
    with connection.cursor() as cursor:
        for sql in ops.sequence_reset_sql(no_style(), [Contact, AttitudeAssessment]):
            cursor.execute(sql)
    ctx.data["contacts_count"] = total_contacts
    ctx.log(f"demo: contacts: {total_contacts} contacts, {total_assessments} attitude assessments")


def register_steps() -> None:
    demo.register("contacts", order=30)(build)
