from __future__ import annotations

from typing import Any

import pytest

from kam.core.permissions import CHANGE
from kam.customers.models import Customer


def names(qs: Any) -> set[str]:
    return set(qs.values_list("short_name", flat=True))


@pytest.mark.django_db
def test_customer_visibility_by_role(users: dict[str, Any], customers: dict[str, Any]) -> None:
    visible = {role: names(Customer.objects.visible_to(user)) for role, user in users.items()}
    assert visible["admin"] == {"示例集团", "示例深圳", "其他"}
    assert visible["am"] == {"示例集团", "示例深圳"}  # the HQ's team sees its branches
    assert visible["am_other"] == {"其他"}
    assert visible["engineer"] == {"示例集团", "示例深圳"}
    assert visible["director"] == {"示例集团", "示例深圳"}  # region 44
    assert visible["director_hn"] == {"其他"}
    assert visible["noc"] == {"示例集团", "示例深圳"}
    assert visible["finance"] == {"示例集团", "示例深圳"}
    assert visible["customer"] == {"示例集团", "示例深圳"}
    assert visible["customer_other"] == {"其他"}


@pytest.mark.django_db
def test_customer_change_rights(users: dict[str, Any], customers: dict[str, Any]) -> None:
    changeable = {role: names(Customer.objects.restrict(user, CHANGE)) for role, user in users.items()}
    assert changeable["am"] == {"示例集团", "示例深圳"}
    assert changeable["engineer"] == set()
    assert changeable["noc"] == set()
    assert changeable["customer"] == set()
    assert changeable["director"] == {"示例集团", "示例深圳"}


@pytest.mark.django_db
def test_inactive_and_anonymous_see_nothing(users: dict[str, Any], customers: dict[str, Any]) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Customer.objects.visible_to(AnonymousUser()).exists()
    users["am"].is_active = False
    assert not Customer.objects.visible_to(users["am"]).exists()


@pytest.mark.django_db
def test_customer_path_follows_parent(customers: dict[str, Any]) -> None:
    hq, branch = customers["hq"], customers["branch"]
    branch.refresh_from_db()
    assert branch.path == f"/{hq.pk}/{branch.pk}/"
    assert branch.depth == 1
