"""Test data for contacts, shared by the contact test modules (and by later apps' tests)."""

from __future__ import annotations

from typing import Any

from kam.core.audit import audit_context
from kam.customers.contacts.choices import BuyingRole
from kam.customers.models import Contact


def make_contacts(customers: dict[str, Any]) -> dict[str, Contact]:
    """A small decision tree at the HQ, a branch head reporting into it, and one contact elsewhere.

    gm (decision maker, key person) ← cio (decision maker) ← it_head (technical evaluator) ← engineer;
    buyer (procurement) ← gm; branch_head (at the Shenzhen branch) ← gm; other_gm at the Changsha customer.
    """
    hq, branch, other = customers["hq"], customers["branch"], customers["other"]
    with audit_context(note="test"):
        gm = Contact.objects.create(
            customer=hq,
            name="张伟",
            title="总经理",
            buying_role=BuyingRole.DECISION_MAKER,
            key_person=True,
            mobile="13800138000",
            private_notes="喜欢喝茶",
        )
        cio = Contact.objects.create(
            customer=hq,
            name="李娜",
            title="分管信息化副总",
            buying_role=BuyingRole.DECISION_MAKER,
            reports_to=gm,
            mobile="13900139000",
        )
        it_head = Contact.objects.create(
            customer=hq,
            name="王强",
            title="信息中心主任",
            buying_role=BuyingRole.TECHNICAL_EVALUATOR,
            reports_to=cio,
            key_person=True,
            phone="020-87654321",
        )
        engineer = Contact.objects.create(
            customer=hq, name="刘洋", title="网络工程师", buying_role=BuyingRole.USER, reports_to=it_head
        )
        buyer = Contact.objects.create(
            customer=hq, name="陈静", title="采购部经理", buying_role=BuyingRole.PROCUREMENT, reports_to=gm
        )
        branch_head = Contact.objects.create(
            customer=branch, name="赵磊", title="深圳分公司总经理", buying_role=BuyingRole.APPROVER, reports_to=gm
        )
        other_gm = Contact.objects.create(
            customer=other,
            name="周杰",
            title="总经理",
            buying_role=BuyingRole.DECISION_MAKER,
            key_person=True,
            private_notes="secret",
        )
    return {
        "gm": gm,
        "cio": cio,
        "it_head": it_head,
        "engineer": engineer,
        "buyer": buyer,
        "branch_head": branch_head,
        "other_gm": other_gm,
    }
