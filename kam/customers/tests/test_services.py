from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kam.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kam.core.models import AuditEntry, Industry, IndustryLine, Notification
from kam.customers import services
from kam.customers.models import AccountTeamMember, Customer, GradeChangeRequest, TierPolicy
from kam.customers.queries import group_tree, rollup_dict, rollups
from kam.customers.services import TeamMemberSpec

pytestmark = pytest.mark.django_db


def make(actor: Any, **data: Any) -> Customer:
    data.setdefault("region", "440100")
    return services.create_customer(actor=actor, data=data)


def test_tier_defaults_loaded() -> None:
    rows = list(TierPolicy.objects.values_list("grade", "visit_cadence_days", "default_service_level"))
    assert rows == [
        ("A1", 30, "gold"),
        ("A2", 30, "gold"),
        ("B1", 90, "silver"),
        ("B2", 90, "silver"),
        ("C", 180, "bronze"),
        ("D", 365, "standard"),
    ]
    assert services.grades() == ["A1", "A2", "B1", "B2", "C", "D"]


def test_create_fills_defaults_and_makes_am_lead(users: dict[str, Any]) -> None:
    c = make(
        users["am"], name="广州新客户科技有限公司", short_name="新客户", value_grade="B1", uscc=" 91350100-M000100Y43 "
    )
    assert (c.uscc, c.service_level, c.org_unit_id, c.depth, c.path) == (
        "91350100M000100Y43",
        "silver",
        users["am"].org_unit_id,
        0,
        f"/{c.pk}/",
    )
    assert c.name_key == "广州新客户科技"
    assert "gzxkhkjyxgs" in c.search_text
    lead = AccountTeamMember.objects.get(customer=c)
    assert (lead.user, lead.role, lead.credit_share) == (users["am"], "lead_am", Decimal("100.00"))


def test_uscc_check_digit_needs_override_and_audit_keeps_it(users: dict[str, Any]) -> None:
    with translation.override("en"), pytest.raises(ValidationFailed) as err:
        make(users["am"], name="福建试点公司", uscc="91350100M0001TGQXM")
    assert err.value.code == "uscc_check_digit"
    assert "should be" in err.value.fields["uscc"][0]
    assert not Customer.objects.filter(name="福建试点公司").exists()
    c = make(users["am"], name="福建试点公司", uscc="91350100M0001TGQXM", uscc_override="营业执照原件核对")
    assert (c.uscc, c.uscc_override) == ("91350100M0001TGQXM", "营业执照原件核对")
    entry = AuditEntry.objects.for_object(c).filter(action="create").first()
    assert entry is not None
    assert "营业执照原件核对" in str(entry.changes)


def test_malformed_uscc_rejected(users: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as err:
        make(users["am"], name="坏代码公司", uscc="12345")
    assert err.value.code == "uscc_invalid"


def test_valid_code_clears_override(users: dict[str, Any]) -> None:
    c = make(users["am"], name="好代码公司", uscc="91110000600037341L", uscc_override="不需要")
    assert c.uscc_override == ""


def test_duplicates(users: dict[str, Any], customers: dict[str, Any]) -> None:
    with pytest.raises(Conflict) as err:
        make(users["admin"], name="另一个名字", uscc="91110000710925462X")
    assert err.value.code == "duplicate_customer"
    assert "广州示例集团有限公司" in err.value.message
    with pytest.raises(Conflict) as err:
        make(users["admin"], name="广州示例集团（集团）股份有限公司")
    assert err.value.code == "duplicate_customer"
    assert err.value.fields == {"name": [err.value.message]}
    c = services.create_customer(
        actor=users["admin"], data={"name": "广州 示例集团 公司", "region": "440100"}, allow_duplicate_name=True
    )
    assert c.name_key == customers["hq"].name_key == "广州示例集团"
    with pytest.raises(Conflict):  # same code is never allowed
        services.create_customer(
            actor=users["admin"],
            data={"name": "X", "uscc": "91110000710925462X", "region": "440100"},
            allow_duplicate_name=True,
        )


def test_unknown_references_give_field_errors(users: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as err:
        make(users["admin"], name="X公司", value_grade="Z9", region="999999", parent_id=424242)
    assert set(err.value.fields) == {"value_grade", "region", "parent"}


def test_industry_fills_section_and_line(users: dict[str, Any]) -> None:
    _line, _ = IndustryLine.objects.get_or_create(code="finance", defaults={"name_zh": "金融"})
    section, _ = Industry.objects.get_or_create(code="J", defaults={"name_zh": "金融业", "level": "section"})
    Industry.objects.get_or_create(
        code="66", defaults={"name_zh": "货币金融服务", "level": "division", "section": section}
    )
    c = make(users["admin"], name="某银行", industry_id="66")
    assert (c.industry_id, c.industry_section_id, c.industry_line_id) == ("66", "J", "finance")


def test_permissions_on_create_and_update(users: dict[str, Any], customers: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        make(users["noc"], name="NOC公司")
    with pytest.raises(Forbidden):
        make(users["director_hn"], name="湖南主任建广州", region="440100")
    with pytest.raises(NotFound):
        services.update_customer(customer=customers["hq"], actor=users["am_other"], data={"address": "x"})
    with pytest.raises(Forbidden):
        services.update_customer(customer=customers["hq"], actor=users["engineer"], data={"address": "x"})
    c = services.update_customer(customer=customers["hq"], actor=users["am"], data={"address": "天河路1号"})
    assert c.address == "天河路1号"
    with pytest.raises(ValidationFailed) as err:
        services.update_customer(customer=customers["hq"], actor=users["am"], data={"value_grade": "B1"})
    assert err.value.code == "grade_needs_approval"


def _chain(admin: Any) -> tuple[Customer, Customer, Customer, Customer]:
    a = make(admin, name="集团A")
    b = make(admin, name="A的分公司B", parent_id=a.pk)
    c = make(admin, name="B的分公司C", parent_id=b.pk)
    d = make(admin, name="集团D")
    return a, b, c, d


def test_move_updates_subtree_and_rejects_cycles(users: dict[str, Any]) -> None:
    a, b, c, d = _chain(users["admin"])
    assert (c.path, c.depth) == (f"/{a.pk}/{b.pk}/{c.pk}/", 2)
    services.move_customer(customer=b, new_parent=d, actor=users["admin"])
    b.refresh_from_db()
    c.refresh_from_db()
    assert (b.parent_id, b.path, b.depth) == (d.pk, f"/{d.pk}/{b.pk}/", 1)
    assert (c.path, c.depth) == (f"/{d.pk}/{b.pk}/{c.pk}/", 2)
    with pytest.raises(ValidationFailed) as err:
        services.move_customer(customer=d, new_parent=c, actor=users["admin"])
    assert err.value.code == "hierarchy_cycle"
    with pytest.raises(ValidationFailed):
        services.move_customer(customer=d, new_parent=d, actor=users["admin"])
    services.move_customer(customer=b, new_parent=None, actor=users["admin"])
    c.refresh_from_db()
    assert (c.path, c.depth) == (f"/{b.pk}/{c.pk}/", 1)
    # moving through update works the same way
    services.update_customer(customer=b, actor=users["admin"], data={"parent_id": a.pk})
    c.refresh_from_db()
    assert c.path == f"/{a.pk}/{b.pk}/{c.pk}/"


def test_rollups_at_every_level(users: dict[str, Any]) -> None:
    a, b, c, _d = _chain(users["admin"])
    make(users["admin"], name="A的分公司E", parent_id=a.pk)
    services.save_site(
        site=None, customer=c, actor=users["admin"], data={"name": "C机房", "address": "x", "region_id": "440100"}
    )
    services.save_site(
        site=None, customer=a, actor=users["admin"], data={"name": "A总部", "address": "y", "region_id": "440100"}
    )
    assert rollup_dict(a)["branches"] == 3
    assert rollup_dict(b)["branches"] == 1
    assert rollup_dict(c)["branches"] == 0
    assert (rollup_dict(a)["sites"], rollup_dict(b)["sites"], rollup_dict(c)["sites"]) == (2, 1, 1)
    rollups.register("test_lines", "Lines", lambda ids: {c.pk: 5, b.pk: 2})
    try:
        tree = group_tree(c, users["admin"])
        assert tree.customer == a
        assert tree.rollup["test_lines"] == 7
        assert tree.rollup["branches"] == 3
        b_node = next(n for n in tree.children if n.customer == b)
        assert b_node.rollup["test_lines"] == 7
        assert b_node.children[0].rollup["test_lines"] == 5
    finally:
        rollups.items.pop("test_lines")


def test_team_rules(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq, am, eng, other = customers["hq"], users["am"], users["engineer"], users["am_other"]
    with pytest.raises(ValidationFailed) as err:
        services.set_team(customer=hq, actor=am, members=[TeamMemberSpec(eng, "solution_engineer")])
    assert err.value.code == "invalid_team"
    with pytest.raises(ValidationFailed) as err:
        services.set_team(
            customer=hq,
            actor=am,
            members=[
                TeamMemberSpec(am, "lead_am", credit_share=Decimal("60")),
                TeamMemberSpec(other, "local_am", credit_share=Decimal("30")),
            ],
        )
    assert "90" in err.value.message  # the shares add up to 90%
    rows = services.set_team(
        customer=hq,
        actor=am,
        members=[
            TeamMemberSpec(am, "lead_am", credit_share=Decimal("60")),
            TeamMemberSpec(other, "local_am", region=None, credit_share=Decimal("40")),
        ],
    )
    assert sorted((r.user.username, r.role, r.credit_share) for r in rows) == [
        ("am", "lead_am", Decimal("60")),
        ("am_other", "local_am", Decimal("40")),
    ]
    # the virtual team member now sees the group
    assert Customer.objects.visible_to(other).filter(pk=hq.pk).exists()
    assert not Customer.objects.visible_to(eng).filter(pk=hq.pk).exists()
    with pytest.raises(NotFound):  # no longer on the team
        services.set_team(customer=hq, actor=users["engineer"], members=[TeamMemberSpec(am, "lead_am")])
    lead = AccountTeamMember.objects.get(customer=hq, role="lead_am")
    with pytest.raises(ValidationFailed):
        services.remove_team_member(member=lead, actor=am)
    member = AccountTeamMember.objects.get(customer=hq, user=other)
    services.update_team_member(member=member, actor=am, credit_share="40")
    with pytest.raises(ValidationFailed):
        services.update_team_member(member=member, actor=am, credit_share="50")
    services.set_team(
        customer=hq,
        actor=am,
        members=[
            TeamMemberSpec(am, "lead_am", credit_share=Decimal("100")),
            TeamMemberSpec(other, "local_am", credit_share=Decimal("0")),
        ],
    )
    services.remove_team_member(member=AccountTeamMember.objects.get(customer=hq, user=other), actor=am)
    assert list(hq.team_members.values_list("user__username", flat=True)) == ["am"]


def test_grade_change_flow(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    with pytest.raises(Forbidden):
        services.request_grade_change(customer=hq, to_grade="B1", reason="x", actor=users["engineer"])
    with pytest.raises(ValidationFailed) as err:
        services.request_grade_change(customer=hq, to_grade="A1", reason="", actor=users["am"])
    assert set(err.value.fields) == {"to_grade", "reason"}
    req = services.request_grade_change(customer=hq, to_grade="A2", reason="收入下滑", actor=users["am"])
    assert (req.from_grade, req.to_grade, req.status, req.requested_by) == ("A1", "A2", "pending", users["am"])
    assert Notification.objects.filter(recipient=users["director"], kind=services.GRADE_REQUESTED_KIND).count() == 1
    with pytest.raises(Conflict) as err:
        services.request_grade_change(customer=hq, to_grade="B1", reason="again", actor=users["am"])
    assert err.value.code == "grade_change_pending"
    for denied in ("am", "engineer", "noc"):
        with pytest.raises(Forbidden):
            services.decide_grade_change(request=req, approve=True, actor=users[denied])
    with pytest.raises(NotFound):
        services.decide_grade_change(request=req, approve=True, actor=users["director_hn"])
    hq.refresh_from_db()
    assert hq.value_grade == "A1"
    services.decide_grade_change(request=req, approve=True, actor=users["director"], note="同意")
    req.refresh_from_db()
    hq.refresh_from_db()
    assert (req.status, req.decided_by, req.decision_note, hq.value_grade) == (
        "approved",
        users["director"],
        "同意",
        "A2",
    )
    assert Notification.objects.filter(recipient=users["am"], kind=services.GRADE_DECIDED_KIND).count() == 1
    with pytest.raises(Conflict):
        services.decide_grade_change(request=req, approve=False, actor=users["director"])
    req2 = services.request_grade_change(customer=hq, to_grade="B1", reason="再降", actor=users["am"])
    services.decide_grade_change(request=req2, approve=False, actor=users["admin"], note="不同意")
    hq.refresh_from_db()
    assert hq.value_grade == "A2"
    assert list(GradeChangeRequest.objects.filter(customer=hq).values_list("status", flat=True)) == [
        "rejected",
        "approved",
    ]


def test_credit_warning(customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    assert services.credit_warning(hq) is None
    hq.credit_status, hq.payment_terms = "blacklisted", "prepaid"
    with translation.override("en"):
        warning = services.credit_warning(hq)
    assert warning == (
        "广州示例集团有限公司 is blacklisted: payment terms Prepaid; no work starts before payment is confirmed."
    )


def test_site_validation(users: dict[str, Any], customers: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.save_site(
            site=None,
            customer=customers["hq"],
            actor=users["am"],
            data={"name": "", "address": "a", "region_id": "000000", "kind": "castle"},
        )
    assert set(err.value.fields) >= {"region_id", "kind"}
    with pytest.raises(NotFound):
        services.save_site(
            site=None,
            customer=customers["hq"],
            actor=users["am_other"],
            data={"name": "s", "address": "a", "region_id": "440100"},
        )
