"""Demo data: the Guangdong province branch with its city and county branches, and a login per role.

Every login has the password :data:`DEMO_PASSWORD`. Fixed logins (``admin``, ``director``, ``am.zhang``,
``engineer``, ``noc``, ``finance``) exist at every scale; the number of account managers, engineers and NOC
engineers grows with the scale. Later steps find what this one made in ``ctx.data``:

* ``org_units``: code → :class:`OrgUnit` (``gd``, ``gd-gz``, ``gd-gz-th`` …),
* ``users_by_role``: role → list of :class:`User`,
* ``account_managers_by_unit``: org unit code → the account managers working there.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from pypinyin import lazy_pinyin

from kam.core import demo
from kam.core.audit import record_bulk
from kam.core.models import Region
from kam.identity.choices import OrgUnitLevel, Role
from kam.identity.models import OrgUnit, User

DEMO_PASSWORD = "Demo-2026-kam"
EMAIL_DOMAIN = "gd.kam-demo.cn"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    region: str
    parent: str | None
    weight: int  # share of the account managers


UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("gd", "广东分公司", "440000", None, 0),
    UnitSpec("gd-gz", "广州分公司", "440100", "gd", 18),
    UnitSpec("gd-gz-th", "广州天河分公司", "440106", "gd-gz", 8),
    UnitSpec("gd-sz", "深圳分公司", "440300", "gd", 18),
    UnitSpec("gd-sz-ns", "深圳南山分公司", "440305", "gd-sz", 8),
    UnitSpec("gd-fs", "佛山分公司", "440600", "gd", 8),
    UnitSpec("gd-fs-sd", "佛山顺德分公司", "440606", "gd-fs", 4),
    UnitSpec("gd-dg", "东莞分公司", "441900", "gd", 12),
    UnitSpec("gd-zh", "珠海分公司", "440400", "gd", 8),
    UnitSpec("gd-st", "汕头分公司", "440500", "gd", 8),
    UnitSpec("gd-zj", "湛江分公司", "440800", "gd", 8),
)

# Common surnames, weighted towards those frequent in Guangdong, with their pinyin as a surname.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("陈", "chen"), ("李", "li"), ("黄", "huang"), ("张", "zhang"), ("梁", "liang"), ("林", "lin"),
    ("刘", "liu"), ("吴", "wu"), ("罗", "luo"), ("杨", "yang"), ("王", "wang"), ("郑", "zheng"),
    ("何", "he"), ("谢", "xie"), ("周", "zhou"), ("许", "xu"), ("邓", "deng"), ("冯", "feng"),
    ("曾", "zeng"), ("蔡", "cai"), ("叶", "ye"), ("朱", "zhu"), ("彭", "peng"), ("钟", "zhong"),
    ("卢", "lu"), ("苏", "su"), ("潘", "pan"), ("赖", "lai"), ("郭", "guo"), ("方", "fang"),
    ("温", "wen"), ("余", "yu"), ("赵", "zhao"), ("孙", "sun"), ("马", "ma"), ("胡", "hu"),
    ("高", "gao"), ("邱", "qiu"), ("谭", "tan"), ("江", "jiang"), ("徐", "xu"), ("严", "yan"),
)
GIVEN_CHARS = (
    "伟芳敏静丽强磊军洋勇艳杰娟涛明超霞平刚建国志海晓燕文华俊嘉怡子轩雅婷思颖浩宇航欣悦家豪梓涵佳琪"
    "振东永红君晨阳凯瑞鹏飞慧玲婉清锦荣立新卫兵春梅秋德胜树宏亮倩雪冰诗蕾彬斌健坤铭蓉晖炜"
)

# Logins that exist at every scale: username, display name, role, org unit code.
FIXED: tuple[tuple[str, str, str, str | None], ...] = (
    ("admin", "林志强", Role.ADMIN, None),
    ("director", "陈国华", Role.DIRECTOR, "gd"),
    ("am.zhang", "张伟", Role.ACCOUNT_MANAGER, "gd-gz"),
    ("engineer", "黄俊杰", Role.ENGINEER, "gd-gz"),
    ("noc", "梁海涛", Role.NOC, "gd"),
    ("finance", "吴丽娟", Role.FINANCE, "gd"),
)


class _Names:
    """Distinct Chinese names and ASCII usernames drawn from one generator."""

    def __init__(self, rng: random.Random, taken: set[str]) -> None:
        self.rng = rng
        self.taken = taken
        self.used_names: set[str] = set()

    def person(self) -> tuple[str, str]:
        while True:
            surname, pinyin = self.rng.choice(SURNAMES)
            given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(1 if self.rng.random() < 0.3 else 2))
            if given[0] != given[-1] and surname + given not in self.used_names:
                self.used_names.add(surname + given)
                return surname + given, pinyin

    def username(self, prefix: str, surname_pinyin: str, given: str) -> str:
        initials = "".join(p[0] for p in lazy_pinyin(given))
        for candidate in (f"{prefix}.{surname_pinyin}", f"{prefix}.{surname_pinyin}{initials}"):
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        n = 2
        while f"{prefix}.{surname_pinyin}{initials}{n}" in self.taken:
            n += 1
        self.taken.add(f"{prefix}.{surname_pinyin}{initials}{n}")
        return f"{prefix}.{surname_pinyin}{initials}{n}"


def _org_units() -> dict[str, OrgUnit]:
    codes = {u.region for u in UNITS}
    regions = Region.objects.in_bulk(list(codes))
    missing = sorted(codes - set(regions))
    if missing:
        raise RuntimeError(f"Region rows missing ({', '.join(missing)}); run `kam migrate` first.")
    units: dict[str, OrgUnit] = {}
    for spec in UNITS:
        parent = units[spec.parent] if spec.parent else None
        level = OrgUnitLevel.PROVINCE if parent is None else (
            OrgUnitLevel.CITY if parent.parent_id is None else OrgUnitLevel.COUNTY
        )
        unit = OrgUnit(code=spec.code, name=spec.name, level=level, parent=parent, region=regions[spec.region])
        unit.save()
        units[spec.code] = unit
    return units


def _allocate(rng: random.Random, count: int) -> list[str]:
    """Org unit codes for ``count`` account managers: one per city branch first, the rest by weight."""
    cities = [u.code for u in UNITS if u.parent == "gd"]
    staffed = [u for u in UNITS if u.weight]
    codes = cities[:count]
    codes += rng.choices([u.code for u in staffed], weights=[u.weight for u in staffed], k=max(0, count - len(codes)))
    return codes


@demo.register("identity", order=10)
def build(ctx: demo.DemoContext) -> None:
    rng = ctx.sub_rng("identity")
    units = _org_units()
    password = make_password(DEMO_PASSWORD)  # hashed once: the demo has hundreds of logins
    names = _Names(rng, taken={username for username, *_ in FIXED})
    names.used_names.update(display for _, display, *_ in FIXED)

    plan: list[tuple[str, str, str, str | None]] = list(FIXED)

    def add(prefix: str, role: str, unit_code: str) -> None:
        display, pinyin = names.person()
        plan.append((names.username(prefix, pinyin, display[1:]), display, role, unit_code))

    for spec in UNITS:
        if spec.parent == "gd":
            add("director", Role.DIRECTOR, spec.code)
    city_codes = [u.code for u in UNITS if u.parent == "gd"]
    for code in _allocate(rng, ctx.pick(12, 40, 200) - 1):  # am.zhang is one of them
        add("am", Role.ACCOUNT_MANAGER, code)
    for i in range(ctx.pick(4, 10, 40) - 1):
        add("eng", Role.ENGINEER, city_codes[i % len(city_codes)])
    for _ in range(ctx.pick(2, 4, 12) - 1):
        add("noc", Role.NOC, "gd")
    for _ in range(ctx.pick(1, 2, 4) - 1):
        add("fin", Role.FINANCE, "gd")

    users = [
        User(
            username=username,
            display_name=display,
            first_name=display[1:],
            last_name=display[0],
            email=f"{username}@{EMAIL_DOMAIN}",
            phone=f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
            role=role,
            org_unit=units[unit] if unit else None,
            password=password,
            is_active=True,
        )
        for username, display, role, unit in plan
    ]
    User.objects.bulk_create(users, batch_size=500)
    record_bulk(list(users), note="demo")

    by_role: dict[str, list[User]] = defaultdict(list)
    by_unit: dict[str, list[User]] = defaultdict(list)
    for user in users:
        by_role[user.role].append(user)
        if user.role == Role.ACCOUNT_MANAGER and user.org_unit is not None:
            by_unit[user.org_unit.code].append(user)
    ctx.data["org_units"] = units
    ctx.data["users_by_role"] = dict(by_role)
    ctx.data["account_managers_by_unit"] = dict(by_unit)

    shown = {username for username, *_ in FIXED}
    for user in users:
        if user.username in shown:
            ctx.credentials.append((user.username, DEMO_PASSWORD, str(user.role)))
    others = len(users) - len(shown)
    ctx.log(
        f"demo: identity: {len(units)} org units, {len(users)} users "
        f"({len(by_role[Role.ACCOUNT_MANAGER])} account managers); the other {others} logins "
        f"(director.*, am.*, eng.*, noc.*, fin.*) share the password {DEMO_PASSWORD}"
    )


def summary(ctx: demo.DemoContext) -> dict[str, Any]:
    """Usernames and org units made, for checks and benchmarks."""
    return {
        "org_units": sorted(ctx.data["org_units"]),
        "users": sorted(u.username for us in ctx.data["users_by_role"].values() for u in us),
    }
