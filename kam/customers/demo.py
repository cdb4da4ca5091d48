"""Demo key accounts in Guangdong: groups with branches across the cities, every grade, type and industry
line, valid 统一社会信用代码, account teams, sites, grade change requests and portal users.

``small`` ≈ 300 customers, ``medium`` ≈ 5,000, ``large`` 100,000. Everything is written with
``bulk_create`` in batches; ids, ``path``, ``depth``, ``name_key`` and ``search_text`` are computed in
Python. Deterministic for a seed (``ctx.sub_rng("customers")``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Max

from kam.core import demo
from kam.core.models import Industry, IndustryLine, Region
from kam.customers import uscc as uscc_mod
from kam.customers.search import join_search_text, name_key, phone_forms, pinyin_of

BATCH = 2000

# city short name, prefecture code, telephone area code
CITIES: tuple[tuple[str, str, str], ...] = (
    ("广州", "440100", "020"),
    ("深圳", "440300", "0755"),
    ("佛山", "440600", "0757"),
    ("东莞", "441900", "0769"),
    ("珠海", "440400", "0756"),
    ("汕头", "440500", "0754"),
    ("湛江", "440800", "0759"),
    ("惠州", "441300", "0752"),
    ("中山", "442000", "0760"),
    ("江门", "440700", "0750"),
    ("肇庆", "441200", "0758"),
    ("茂名", "440900", "0668"),
    ("梅州", "441400", "0753"),
    ("韶关", "440200", "0751"),
    ("清远", "441800", "0763"),
    ("阳江", "441700", "0662"),
    ("河源", "441600", "0762"),
    ("潮州", "445100", "0768"),
    ("揭阳", "445200", "0663"),
    ("云浮", "445300", "0766"),
    ("汕尾", "441500", "0660"),
)
CITY_WEIGHTS = (20, 20, 9, 9, 5, 4, 3, 4, 4, 3, 2, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1)

BRAND_A = "华金信达恒泰宏盛鸿兴嘉丰瑞安永利新创联合鼎隆富源博康天佳中粤南方珠江岭南越秀海"
BRAND_B = "发通诚裕昌明辉顺德润远航腾威峰域林邦华星科力源達宇晟锦鑫"

# industry word, GB/T 4754 division, customer type, legal suffixes
ENTERPRISE: tuple[tuple[str, str, str], ...] = (
    ("科技", "65", "economic"),
    ("信息技术", "65", "economic"),
    ("软件", "65", "economic"),
    ("网络科技", "64", "economic"),
    ("电子", "39", "economic"),
    ("通信设备", "39", "economic"),
    ("汽车", "36", "economic"),
    ("家电", "38", "economic"),
    ("电器", "38", "economic"),
    ("物流", "58", "economic"),
    ("供应链", "58", "economic"),
    ("港务", "55", "economic"),
    ("航空", "56", "economic"),
    ("建设工程", "48", "economic"),
    ("建筑", "47", "economic"),
    ("置业", "70", "economic"),
    ("房地产开发", "70", "economic"),
    ("商贸", "51", "economic"),
    ("百货", "52", "economic"),
    ("酒店", "61", "economic"),
    ("餐饮", "62", "economic"),
    ("文化传媒", "86", "important"),
    ("电力", "44", "economic"),
    ("燃气", "45", "economic"),
    ("水务", "46", "economic"),
    ("制药", "27", "economic"),
    ("食品", "14", "economic"),
    ("纺织", "17", "economic"),
    ("石化", "25", "economic"),
    ("农业发展", "01", "economic"),
    ("矿业", "09", "economic"),
    ("旅游", "72", "economic"),
    ("租赁", "71", "economic"),
    ("检测技术", "74", "economic"),
    ("环保", "77", "economic"),
)
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")
FINANCE: tuple[tuple[str, str, str], ...] = (
    ("银行股份有限公司", "66", "银行"),
    ("证券有限公司", "67", "证券"),
    ("保险股份有限公司", "68", "保险"),
    ("农村商业银行股份有限公司", "66", "农商行"),
    ("金融控股有限公司", "69", "金控"),
)
GOV_DEPTS = (
    "公安局",
    "教育局",
    "卫生健康委员会",
    "交通运输局",
    "财政局",
    "人力资源和社会保障局",
    "政务服务数据管理局",
    "中级人民法院",
    "人民检察院",
    "应急管理局",
    "生态环境局",
    "市场监督管理局",
    "住房和城乡建设局",
    "自然资源局",
)
SCHOOLS = ("职业技术学院", "理工学院", "师范学院", "中学", "实验学校", "外国语学校")
HOSPITALS = ("人民医院", "中医院", "妇幼保健院", "第一人民医院", "第二人民医院", "中心医院")
DISTRICTS = ("东区", "西区", "南区", "北区", "城区", "新区", "开发区", "高新区")

GRADES = ("A1", "A2", "B1", "B2", "C", "D")
GRADE_WEIGHTS = (3, 7, 15, 20, 30, 25)
SERVICE_BY_GRADE = {"A1": "gold", "A2": "gold", "B1": "silver", "B2": "silver", "C": "bronze", "D": "standard"}
LIFECYCLES = (("active", 82), ("prospect", 8), ("at_risk", 7), ("churned", 3))
CREDIT = (("normal", 94), ("watch", 4), ("blacklisted", 2))
SITE_WORDS = ("总部", "办公楼", "数据中心", "生产基地", "营业部", "研发中心", "仓储中心")
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@lru_cache(maxsize=4096)
def _py(part: str) -> tuple[str, str]:
    return pinyin_of(part)


def _search_text(name_parts: list[str], short_parts: list[str], code: str, phones: Any = ()) -> str:
    name, short = "".join(name_parts), "".join(short_parts)
    parts = [name, short]
    for text_parts in (name_parts, short_parts) if short and short != name else (name_parts,):
        parts.append("".join(_py(p)[0] for p in text_parts))
        parts.append("".join(_py(p)[1] for p in text_parts))
    parts.append(code)
    parts.extend(phone_forms(phones))
    return join_search_text(parts)


@dataclass
class Spec:
    """A customer to be written, with the pieces its name is made of (for pinyin)."""

    name_parts: list[str]
    short_parts: list[str]
    city: int
    division: str
    customer_type: str
    registrant: str  # first two USCC characters: 91 company, 11 agency, 12 public institution
    parent: Spec | None = None
    children: list[Spec] = field(default_factory=list)
    pk: int = 0
    path: str = ""
    depth: int = 0
    grade: str = "C"


class _Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.keys: set[str] = set()
        self.codes: set[str] = set()

    def brand(self) -> str:
        return self.rng.choice(BRAND_A) + self.rng.choice(BRAND_B)

    def city(self) -> int:
        return self.rng.choices(range(len(CITIES)), weights=CITY_WEIGHTS)[0]

    def unique(self, make: Any) -> Any:
        for _ in range(50):
            spec = make()
            key = name_key("".join(spec.name_parts))
            if key not in self.keys:
                self.keys.add(key)
                return spec
        spec = make()
        spec.name_parts.append(f"（{len(self.keys)}）")
        self.keys.add(name_key("".join(spec.name_parts)))
        return spec

    def root(self) -> Spec:
        r = self.rng.random()
        city = self.city()
        cname = CITIES[city][0]
        if r < 0.08:
            dept = self.rng.choice(GOV_DEPTS)
            district = self.rng.choice(("", "", *DISTRICTS))
            return Spec([cname, "市", district, dept], [cname, district, dept[:2]], city, "92", "important", "11")
        if r < 0.14:
            brand = self.brand()
            kind = self.rng.choice(SCHOOLS)
            return Spec([cname, brand, kind], [brand, kind[-2:]], city, "83", "important", "12")
        if r < 0.20:
            brand = self.rng.choice(("", "", self.brand()))
            kind = self.rng.choice(HOSPITALS)
            return Spec([cname, "市", brand, kind], [cname, brand, kind[-3:]], city, "84", "important", "12")
        if r < 0.28:
            brand = self.brand()
            word, division, short = self.rng.choice(FINANCE)
            return Spec([cname, brand, word], [brand, short], city, division, "economic", "91")
        brand = self.brand()
        word, division, ctype = self.rng.choice(ENTERPRISE)
        suffix = self.rng.choice(SUFFIXES)
        return Spec([cname, brand, word, suffix], [brand, word[:2]], city, division, ctype, "91")

    def branch(self, parent: Spec, city: int, level: int) -> Spec:
        cname = CITIES[city][0]
        if parent.division == "66":
            word = "分行" if level == 1 else self.rng.choice(DISTRICTS) + "支行"
        elif parent.registrant == "11":
            word = self.rng.choice(DISTRICTS) + "分局"
        else:
            word = "分公司" if level == 1 else self.rng.choice(DISTRICTS) + "营业部"
        if level == 1:
            parts, short = [*parent.name_parts, cname, word], [*parent.short_parts, cname, word]
        else:
            parts, short = [*parent.name_parts, word], [*parent.short_parts, word]
        return Spec(parts, short, city, parent.division, parent.customer_type, parent.registrant, parent=parent)

    def code(self, spec: Spec) -> str:
        region = CITIES[spec.city][1]
        while True:
            body = "".join(self.rng.choice(ORG_ALPHABET[:10] if i < 2 else ORG_ALPHABET) for i in range(8))
            try:
                org = body + uscc_mod.org_code_check(body)
            except ValueError:
                continue
            code = uscc_mod.make(spec.registrant + region + org)
            if code not in self.codes:
                self.codes.add(code)
                return code


def _tree(gen: _Generator, total: int) -> list[Spec]:
    """Roots and branches (depth ≤ 2), about ``total`` in all, in breadth-first order per group."""
    rng = gen.rng
    specs: list[Spec] = []
    while len(specs) < total:
        root = gen.unique(gen.root)
        specs.append(root)
        if root.registrant == "91" and rng.random() < 0.25 and len(specs) < total - 2:
            cities = rng.sample(range(len(CITIES)), k=rng.randint(1, 6))
            for city in cities:
                if len(specs) >= total:
                    break
                branch = gen.unique(lambda root=root, city=city: gen.branch(root, city, 1))
                root.children.append(branch)
                specs.append(branch)
                if rng.random() < 0.3:
                    for _ in range(rng.randint(1, 3)):
                        if len(specs) >= total:
                            break
                        sub = gen.unique(lambda branch=branch, city=city: gen.branch(branch, city, 2))
                        branch.children.append(sub)
                        specs.append(sub)
    return specs


def _industries(divisions: set[str]) -> tuple[dict[str, Industry], dict[str, str | None]]:
    from kam.core.reference.industry import industry_line_for, section_of

    found = Industry.objects.in_bulk(list(divisions) + [section_of(d) for d in divisions])
    lines = set(IndustryLine.objects.values_list("code", flat=True))
    line_of = {}
    for d in divisions:
        try:
            code = industry_line_for(d)
        except ValueError:
            code = None
        line_of[d] = code if code in lines else None
    return found, line_of


@demo.register("customers", order=20)
def build(ctx: demo.DemoContext) -> None:
    from django.contrib.auth.hashers import make_password

    from kam.core.audit import record_bulk
    from kam.customers.models import AccountTeamMember, Customer, GradeChangeRequest, Site
    from kam.identity.models import User

    rng = ctx.sub_rng("customers")
    total = ctx.pick(300, 5000, 100_000)
    gen = _Generator(rng)
    specs = _tree(gen, total)

    regions = Region.objects.in_bulk([c[1] for c in CITIES])
    missing = [c[1] for c in CITIES if c[1] not in regions]
    if missing:
        raise RuntimeError(f"Region rows missing ({', '.join(missing)}); run `kam migrate` first.")
    units = ctx.data.get("org_units") or {}
    unit_by_region = {u.region_id: u for u in units.values() if u.level <= 2}
    province_unit = units.get("gd")
    industries, line_of = _industries({s.division for s in specs})
    from kam.core.reference.industry import section_of

    start = (Customer.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    for i, spec in enumerate(specs):
        spec.pk = start + i
    objs = []
    now = ctx.now
    for spec in specs:
        spec.path = f"{spec.parent.path if spec.parent else '/'}{spec.pk}/"
        spec.depth = spec.path.count("/") - 2
        if spec.parent is None:
            spec.grade = rng.choices(GRADES, weights=GRADE_WEIGHTS)[0]
            ctype = spec.customer_type
            if ctype == "economic" and spec.grade == "A1":
                ctype = "strategic"
            elif spec.children and ctype == "economic":
                ctype = "group"
            spec.customer_type = ctype
        else:
            spec.grade = spec.parent.grade if rng.random() < 0.6 else rng.choice(GRADES[1:])
        name = "".join(spec.name_parts)
        short = "".join(spec.short_parts)
        code = gen.code(spec)
        city_name, city_code, _area = CITIES[spec.city]
        division = industries.get(spec.division)
        section = industries.get(section_of(spec.division))
        objs.append(
            Customer(
                id=spec.pk,
                name=name,
                short_name=short,
                uscc=code,
                customer_type=spec.customer_type,
                value_grade=spec.grade,
                service_level=SERVICE_BY_GRADE[spec.grade],
                industry=division,
                industry_section=section,
                industry_line_id=line_of.get(spec.division),
                region=regions[city_code],
                address=f"{city_name}市{rng.choice(DISTRICTS)}{rng.choice(BRAND_A)}{rng.choice(('路', '大道', '街'))}"
                f"{rng.randint(1, 999)}号",
                lifecycle=rng.choices([x for x, _ in LIFECYCLES], weights=[w for _, w in LIFECYCLES])[0],
                credit_status=rng.choices([x for x, _ in CREDIT], weights=[w for _, w in CREDIT])[0],
                payment_terms="monthly",
                parent_id=spec.parent.pk if spec.parent else None,
                path=spec.path,
                depth=spec.depth,
                org_unit=unit_by_region.get(city_code, province_unit),
                name_key=name_key(name),
                created_at=now,
                updated_at=now,
            )
        )
    for obj in objs:
        if obj.credit_status == "blacklisted":
            obj.payment_terms = rng.choice(("prepaid", "cash_on_order"))
        elif obj.credit_status == "watch":
            obj.payment_terms = "quarterly"
    # sites
    sites: list[Site] = []
    per_customer = ctx.pick(3, 2, 1)
    for spec, obj in zip(specs, objs, strict=True):
        _city, city_code, area = CITIES[spec.city]
        words = rng.sample(SITE_WORDS, k=rng.randint(1, per_customer))
        for word in words:
            sites.append(
                Site(
                    customer_id=obj.pk,
                    name=word,
                    kind="data_centre" if word == "数据中心" else ("branch_office" if spec.parent else "premises"),
                    address=obj.address if word == "总部" else f"{obj.address[:-4]}{rng.randint(1, 999)}号",
                    region_id=city_code,
                    phone=f"{area}-{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}",
                    latitude=Decimal(f"{21.5 + rng.random() * 3:.6f}"),
                    longitude=Decimal(f"{110.5 + rng.random() * 6:.6f}"),
                    created_at=now,
                    updated_at=now,
                )
            )

    phones: dict[int, list[str]] = {}
    for site in sites:
        phones.setdefault(site.customer_id, []).append(site.phone)
    for spec, obj in zip(specs, objs, strict=True):
        obj.search_text = _search_text(spec.name_parts, spec.short_parts, obj.uscc, phones.get(obj.pk, ()))
    for batch_start in range(0, len(objs), BATCH):
        Customer.objects.bulk_create(objs[batch_start : batch_start + BATCH])
    _reset_sequence(Customer)
    Site.objects.bulk_create(sites, batch_size=BATCH)
    if ctx.scale != "large":
        record_bulk(list[Any](objs), note="demo")

    # account teams: a lead AM from the serving branch on every group HQ and standalone customer; local AMs
    # of the branches' cities form the virtual team of a group; A-grade accounts get a solution engineer
    by_role = ctx.data.get("users_by_role") or {}
    ams_by_unit: dict[str, list[Any]] = ctx.data.get("account_managers_by_unit") or {}
    all_ams = list(by_role.get("account_manager", []))
    engineers = list(by_role.get("engineer", []))
    team: list[AccountTeamMember] = []
    if all_ams:
        for spec, obj in zip(specs, objs, strict=True):
            if spec.parent is not None:
                continue
            unit = obj.org_unit
            pool = ams_by_unit.get(unit.code, []) if unit is not None else []
            lead = rng.choice(pool or all_ams)
            branch_cities = sorted({c.city for c in spec.children if c.city != spec.city})
            locals_: list[tuple[Any, str]] = []
            for city in branch_cities[:3]:
                city_unit = unit_by_region.get(CITIES[city][1])
                pool = ams_by_unit.get(city_unit.code, []) if city_unit else []
                candidates = [a for a in pool if a.pk != lead.pk]
                if candidates:
                    locals_.append((rng.choice(candidates), CITIES[city][1]))
            locals_ = list({a.pk: (a, r) for a, r in locals_}.values())
            local_share = Decimal("10") if locals_ else Decimal("0")
            lead_share = Decimal("100") - local_share * len(locals_)
            team.append(
                AccountTeamMember(
                    customer_id=obj.pk,
                    user=lead,
                    role="lead_am",
                    region_id=obj.region_id,
                    credit_share=lead_share,
                    created_at=now,
                    updated_at=now,
                )
            )
            for am, region_code in locals_:
                team.append(
                    AccountTeamMember(
                        customer_id=obj.pk,
                        user=am,
                        role="local_am",
                        region_id=region_code,
                        credit_share=local_share,
                        created_at=now,
                        updated_at=now,
                    )
                )
            if engineers and obj.value_grade in ("A1", "A2"):
                team.append(
                    AccountTeamMember(
                        customer_id=obj.pk,
                        user=rng.choice(engineers),
                        role="solution_engineer",
                        region_id=obj.region_id,
                        credit_share=Decimal("0"),
                        created_at=now,
                        updated_at=now,
                    )
                )
        AccountTeamMember.objects.bulk_create(team, batch_size=BATCH)

    # grade change history and a few pending requests
    requests: list[GradeChangeRequest] = []
    directors = list(by_role.get("director", []))
    if all_ams and directors:
        lead_of = {m.customer_id: m.user for m in team if m.role == "lead_am"}
        roots = [o for s, o in zip(specs, objs, strict=True) if s.parent is None and o.pk in lead_of]
        chosen = rng.sample(roots, k=min(len(roots), ctx.pick(12, 40, 200)))
        for i, obj in enumerate(chosen):
            grades = [g for g in GRADES if g != obj.value_grade]
            to_grade = rng.choice(grades)
            status = "pending" if i % 3 == 0 else ("approved" if i % 3 == 1 else "rejected")
            when = now - timedelta(days=rng.randint(1, 200))
            director = next(
                (d for d in directors if d.org_unit and obj.region_id.startswith(d.org_unit.region_id[:4])),
                directors[0],
            )
            requests.append(
                GradeChangeRequest(
                    customer_id=obj.pk,
                    from_grade=to_grade if status == "approved" else obj.value_grade,
                    to_grade=obj.value_grade if status == "approved" else to_grade,
                    reason=rng.choice(
                        (
                            "年度收入增长明显",
                            "收入连续下滑",
                            "新增数据专线业务",
                            "集团整合，业务迁出",
                            "战略合作协议签署",
                        )
                    ),
                    requested_by=lead_of[obj.pk],
                    status=status,
                    decided_by=None if status == "pending" else director,
                    decided_at=None if status == "pending" else when + timedelta(days=2),
                    decision_note="" if status == "pending" else rng.choice(("同意", "材料不足", "按年度评估执行")),
                    created_at=when,
                    updated_at=when,
                )
            )
        GradeChangeRequest.objects.bulk_create(requests, batch_size=BATCH)

    # portal users for the top group customers
    portal: list[User] = []
    try:
        from kam.identity.demo import DEMO_PASSWORD
    except ImportError:  # pragma: no cover - the identity demo always exists
        DEMO_PASSWORD = "Demo-2026-kam"
    tops = [o for s, o in zip(specs, objs, strict=True) if s.parent is None and o.value_grade == "A1"]
    tops = tops[: ctx.pick(6, 20, 50)]
    if tops:
        password = make_password(DEMO_PASSWORD)
        taken = set(User.objects.filter(username__startswith="cust.").values_list("username", flat=True))
        for i, obj in enumerate(tops):
            initials = _py(obj.short_name or obj.name)[1][:8] or "c"
            username = f"cust.{initials}"
            if username in taken:
                username = f"{username}{i + 1}"
            taken.add(username)
            portal.append(
                User(
                    username=username,
                    display_name=f"{obj.short_name}客户",
                    role="customer",
                    customer=obj,
                    password=password,
                    is_active=True,
                    email=f"{username}@example.cn",
                )
            )
        User.objects.bulk_create(portal, batch_size=BATCH)
        ctx.credentials.append((portal[0].username, DEMO_PASSWORD, "customer"))

    ctx.data["customer_ids"] = (start, start + len(objs) - 1)
    root_count = sum(1 for s in specs if s.parent is None)
    ctx.log(
        f"demo: customers: {len(objs)} customers ({root_count} groups/standalone, "
        f"{len(objs) - root_count} branches), "
        f"{len(team)} team members, {len(sites)} sites, {len(requests)} grade change requests, "
        f"{len(portal)} portal users"
    )


def _reset_sequence(model: Any) -> None:
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


__all__ = ["build"]
