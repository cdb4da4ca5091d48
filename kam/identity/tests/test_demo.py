from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from kam.core.demo import DemoContext, run_all
from kam.core.models import Region
from kam.identity.choices import Role
from kam.identity.demo import DEMO_PASSWORD, UNITS, summary
from kam.identity.models import OrgUnit, User

pytestmark = pytest.mark.django_db

REGIONS = {
    "440000": ("广东省", 1, None),
    "440100": ("广州市", 2, "440000"),
    "440300": ("深圳市", 2, "440000"),
    "440600": ("佛山市", 2, "440000"),
    "441900": ("东莞市", 2, "440000"),
    "440400": ("珠海市", 2, "440000"),
    "440500": ("汕头市", 2, "440000"),
    "440800": ("湛江市", 2, "440000"),
    "440106": ("天河区", 3, "440100"),
    "440305": ("南山区", 3, "440300"),
    "440606": ("顺德区", 3, "440600"),
}


@pytest.fixture(autouse=True)
def gd_regions(db: Any) -> None:
    """The regions the step needs (the reference-data migration loads them; this keeps the test standalone)."""
    for code, (name, level, parent) in REGIONS.items():
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})


def _run(seed: int = 1, scale: str = "small") -> DemoContext:
    return run_all(DemoContext(scale=scale, seed=seed, log=lambda _msg: None), {"identity"})


def _snapshot() -> tuple[list[tuple[str, str, int, str, str]], list[tuple[str, str, str, str | None]]]:
    units = list(OrgUnit.objects.order_by("path").values_list("code", "name", "level", "path", "region_id"))
    users = list(
        User.objects.order_by("username").values_list("username", "display_name", "role", "org_unit__code")
    )
    return units, users


def _wipe() -> None:
    User.objects.all().delete()
    for unit in OrgUnit.objects.order_by("-level"):
        unit.delete()


def test_same_seed_gives_the_same_org_and_logins() -> None:
    ctx = _run(seed=7)
    first = _snapshot()
    assert summary(ctx) == {"org_units": sorted(u[0] for u in first[0]), "users": [u[0] for u in first[1]]}
    _wipe()
    _run(seed=7)
    assert _snapshot() == first
    _wipe()
    _run(seed=8)
    other = _snapshot()
    assert other[0] == first[0]  # the org chart is fixed
    assert other[1] != first[1]  # the people differ


def test_org_units_of_the_province() -> None:
    ctx = _run()
    units = {u.code: u for u in OrgUnit.objects.all()}
    assert set(ctx.data["org_units"]) == set(units) == {u.code for u in UNITS}
    assert [(u.code, u.name, u.level, u.region_id, u.path) for u in OrgUnit.objects.order_by("path")] == [
        ("gd", "广东分公司", 1, "440000", "/gd/"),
        ("gd-dg", "东莞分公司", 2, "441900", "/gd/gd-dg/"),
        ("gd-fs", "佛山分公司", 2, "440600", "/gd/gd-fs/"),
        ("gd-fs-sd", "佛山顺德分公司", 3, "440606", "/gd/gd-fs/gd-fs-sd/"),
        ("gd-gz", "广州分公司", 2, "440100", "/gd/gd-gz/"),
        ("gd-gz-th", "广州天河分公司", 3, "440106", "/gd/gd-gz/gd-gz-th/"),
        ("gd-st", "汕头分公司", 2, "440500", "/gd/gd-st/"),
        ("gd-sz", "深圳分公司", 2, "440300", "/gd/gd-sz/"),
        ("gd-sz-ns", "深圳南山分公司", 3, "440305", "/gd/gd-sz/gd-sz-ns/"),
        ("gd-zh", "珠海分公司", 2, "440400", "/gd/gd-zh/"),
        ("gd-zj", "湛江分公司", 2, "440800", "/gd/gd-zj/"),
    ]


@pytest.mark.parametrize(
    ("scale", "counts"),
    [
        ("small", {"admin": 1, "director": 8, "account_manager": 12, "engineer": 4, "noc": 2, "finance": 1}),
        ("medium", {"admin": 1, "director": 8, "account_manager": 40, "engineer": 10, "noc": 4, "finance": 2}),
        ("large", {"admin": 1, "director": 8, "account_manager": 200, "engineer": 40, "noc": 12, "finance": 4}),
    ],
)
def test_every_staff_role_has_users_scaled(scale: str, counts: dict[str, int]) -> None:
    ctx = _run(scale=scale)
    staff_roles = {r for r in Role.values if r != Role.CUSTOMER}
    assert {role: len(users) for role, users in ctx.data["users_by_role"].items()} == counts
    assert set(counts) == staff_roles
    assert User.objects.count() == sum(counts.values())
    # every city branch has an account manager; the lists in ctx.data match the database
    cities = {u.code for u in UNITS if u.parent == "gd"}
    assert cities <= set(ctx.data["account_managers_by_unit"])
    assert sum(len(v) for v in ctx.data["account_managers_by_unit"].values()) == counts["account_manager"]
    assert all(u.pk for users in ctx.data["users_by_role"].values() for u in users)
    # logins: plain ASCII usernames, Chinese display names, e-mail set, staff in an org unit
    for user in User.objects.select_related("org_unit"):
        assert user.username.isascii() and user.username == user.username.lower()
        assert not user.display_name.isascii() and 2 <= len(user.display_name) <= 3
        assert user.email == f"{user.username}@gd.kam-demo.cn"
        assert (user.org_unit is None) == (user.role == Role.ADMIN)
    assert len({u.display_name for u in User.objects.all()}) == User.objects.count()


def test_fixed_logins_and_password() -> None:
    ctx = _run()
    fixed = {"admin": "admin", "director": "director", "am.zhang": "account_manager", "engineer": "engineer",
             "noc": "noc", "finance": "finance"}
    assert {(u, p, r) for u, p, r in ctx.credentials} == {(u, DEMO_PASSWORD, r) for u, r in fixed.items()}
    for username, role in fixed.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="am.zhang").org_unit.code == "gd-gz"  # type: ignore[union-attr]
    assert User.objects.get(username="director").org_unit.code == "gd"  # type: ignore[union-attr]


def test_demo_command_prints_logins() -> None:
    out = StringIO()
    call_command("demo", "--only", "identity", stdout=out)
    assert "am.zhang" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


def test_demo_if_empty_does_nothing_on_a_non_empty_database(users: dict[str, Any]) -> None:
    before = (User.objects.count(), OrgUnit.objects.count())
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert (User.objects.count(), OrgUnit.objects.count()) == before
    assert not User.objects.filter(username="am.zhang").exists()
    assert out.getvalue().strip() != ""


def test_step_is_registered_by_the_app() -> None:
    from kam.core import demo

    assert demo.steps["identity"].order == 10
