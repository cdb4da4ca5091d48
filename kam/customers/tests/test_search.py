from __future__ import annotations

from typing import Any

import pytest

from kam.core.registry import registry
from kam.customers import services
from kam.customers.models import Customer
from kam.customers.search import customer_search_text, name_key, search_customers

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies(users: dict[str, Any]) -> dict[str, Customer]:
    admin = users["admin"]
    made = {}
    for key, name, short in (
        ("hw", "华为技术有限公司", "华为"),
        ("zx", "中兴通讯股份有限公司", "中兴"),
        ("gzyh", "广州银行股份有限公司", "广州银行"),
    ):
        made[key] = services.create_customer(actor=admin, data={"name": name, "short_name": short, "region": "440300"})
    services.save_site(
        site=None,
        customer=made["zx"],
        actor=admin,
        data={"name": "总部", "address": "高新南路", "region_id": "440300", "phone": "0755-26770000"},
    )
    return made


def names(user: Any, q: str) -> list[str]:
    return [c.name for c in search_customers(user, q)]


def test_search_text_and_name_key() -> None:
    assert customer_search_text("华为技术有限公司", "华为") == (
        "华为技术有限公司 华为 huaweijishuyouxiangongsi hwjsyxgs huawei hw"
    )
    assert name_key("ＡＢＣ 科技（集团）有限公司") == "abc科技"


def test_pinyin_initials_full_pinyin_and_substrings(users: dict[str, Any], companies: dict[str, Customer]) -> None:
    admin = users["admin"]
    assert names(admin, "hwjs") == ["华为技术有限公司"]
    assert names(admin, "HWJS") == ["华为技术有限公司"]
    assert names(admin, "zhongxing") == ["中兴通讯股份有限公司"]
    assert names(admin, "通讯股份") == ["中兴通讯股份有限公司"]
    assert names(admin, "gzyh") == ["广州银行股份有限公司"]
    assert names(admin, "26770000") == ["中兴通讯股份有限公司"]  # a site's phone
    assert names(admin, "0755-2677") == ["中兴通讯股份有限公司"]
    assert names(admin, "不存在的公司") == []


def test_short_queries_use_prefix(users: dict[str, Any], companies: dict[str, Customer]) -> None:
    admin = users["admin"]
    assert names(admin, "华为") == ["华为技术有限公司"]
    assert names(admin, "中") == ["中兴通讯股份有限公司"]
    assert names(admin, "银行") == []  # not a prefix of any name


def test_search_is_scoped_and_follows_updates(
    users: dict[str, Any], customers: dict[str, Any], companies: dict[str, Customer]
) -> None:
    assert names(users["am"], "hwjs") == []
    assert names(users["am"], "gzsljt") == ["广州示例集团有限公司", "广州示例集团有限公司深圳分公司"]
    services.update_customer(customer=companies["hw"], actor=users["admin"], data={"name": "海思半导体有限公司"})
    assert names(users["admin"], "hwjs") == []
    assert names(users["admin"], "huawei") == ["海思半导体有限公司"]  # the short name 华为 still matches
    assert names(users["admin"], "hsbdt") == ["海思半导体有限公司"]
    Customer.objects.filter(pk=companies["hw"].pk).delete()
    assert names(users["admin"], "hsbdt") == []


def test_global_search_provider(users: dict[str, Any], companies: dict[str, Customer]) -> None:
    results = registry.run_search(users["admin"], "hwjs", 5)
    hits = dict((p.key, h) for p, h in results)["customers"]
    assert [(h.title, h.url) for h in hits] == [("华为技术有限公司", f"/customers/{companies['hw'].pk}/")]
