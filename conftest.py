"""Fixtures shared by every app's tests: an org tree, a user per role, a small customer group."""

from __future__ import annotations

from typing import Any

import pytest

from kam.core.models import Region


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """PBKDF2 at production strength costs ~0.3 s a user; tests hash with MD5 (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_token_cache() -> None:
    from kam.identity import auth

    auth._cache.clear()


def _region(code: str, name: str, level: int, parent: str | None = None) -> Region:
    region, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent_id": parent})
    return region


@pytest.fixture
def regions(db: Any) -> dict[str, Region]:
    return {
        "gd": _region("440000", "广东省", 1),
        "gz": _region("440100", "广州市", 2, "440000"),
        "sz": _region("440300", "深圳市", 2, "440000"),
        "tianhe": _region("440106", "天河区", 3, "440100"),
        "hn": _region("430000", "湖南省", 1),
        "cs": _region("430100", "长沙市", 2, "430000"),
    }


@pytest.fixture
def org(regions: dict[str, Region]) -> dict[str, Any]:
    from kam.identity.models import OrgUnit

    gd = OrgUnit.objects.create(code="gd", name="广东分公司", level=1, region=regions["gd"])
    gz = OrgUnit.objects.create(code="gd-gz", name="广州分公司", level=2, parent=gd, region=regions["gz"])
    sz = OrgUnit.objects.create(code="gd-sz", name="深圳分公司", level=2, parent=gd, region=regions["sz"])
    hn = OrgUnit.objects.create(code="hn", name="湖南分公司", level=1, region=regions["hn"])
    return {"gd": gd, "gz": gz, "sz": sz, "hn": hn}


@pytest.fixture
def customers(org: dict[str, Any], regions: dict[str, Region]) -> dict[str, Any]:
    """A group HQ in Guangzhou with a Shenzhen branch, and an unrelated customer in Changsha."""
    from kam.customers.models import Customer

    hq = Customer.objects.create(
        name="广州示例集团有限公司", short_name="示例集团", uscc="91110000710925462X", value_grade="A1",
        region=regions["gz"], org_unit=org["gz"], customer_type="group", service_level="gold",
    )
    branch = Customer.objects.create(
        name="广州示例集团有限公司深圳分公司", short_name="示例深圳", value_grade="A2", region=regions["sz"],
        org_unit=org["sz"], parent=hq,
    )
    other = Customer.objects.create(
        name="长沙其他有限公司", short_name="其他", value_grade="B1", region=regions["cs"], org_unit=org["hn"],
    )
    return {"hq": hq, "branch": branch, "other": other}


@pytest.fixture
def users(org: dict[str, Any], customers: dict[str, Any]) -> dict[str, Any]:
    """One user per role; ``am`` is the lead AM of the HQ, ``am_other`` of the Changsha customer."""
    from kam.customers.models import AccountTeamMember
    from kam.identity.models import User

    def make(username: str, role: str, unit: Any = None, customer: Any = None) -> User:
        user = User(username=username, role=role, org_unit=unit, customer=customer, display_name=username)
        user.set_password("Secret-pass-123")
        user.save()
        return user

    made = {
        "admin": make("admin", "admin"),
        "director": make("director", "director", org["gd"]),
        "director_hn": make("director_hn", "director", org["hn"]),
        "am": make("am", "account_manager", org["gz"]),
        "am_other": make("am_other", "account_manager", org["hn"]),
        "engineer": make("engineer", "engineer", org["gz"]),
        "noc": make("noc", "noc", org["gd"]),
        "finance": make("finance", "finance", org["gd"]),
        "customer": make("customer", "customer", customer=customers["hq"]),
        "customer_other": make("customer_other", "customer", customer=customers["other"]),
    }
    AccountTeamMember.objects.create(customer=customers["hq"], user=made["am"], role="lead_am", credit_share=100)
    AccountTeamMember.objects.create(
        customer=customers["other"], user=made["am_other"], role="lead_am", credit_share=100
    )
    AccountTeamMember.objects.create(
        customer=customers["hq"], user=made["engineer"], role="solution_engineer", credit_share=0
    )
    return made
