"""Read-side helpers: the org chart of a customer, hostile decision makers, attitude series."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.encoding import force_str

from kam.core.permissions import CHANGE, can
from kam.customers.contacts.choices import LEFT_COLOUR, Attitude, BuyingRole, attitude_colour
from kam.customers.contacts.schemas import sees_attitudes
from kam.customers.models import AttitudeAssessment, Contact, Customer


def legend() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {"score": int(value), "label": force_str(label), "colour": attitude_colour(int(value))}
        for value, label in Attitude.choices
    ]
    from django.utils.translation import gettext

    items.append({"score": None, "label": gettext("Not assessed"), "colour": attitude_colour(None)})
    return items


def org_chart(customer: Customer, user: Any, include_left: bool = True) -> dict[str, Any]:
    """The decision tree of one customer as nested nodes (roots first, children by name).

    A contact whose manager works elsewhere in the group is a root here. Customer users get no attitudes.
    """
    show_attitude = sees_attitudes(user)
    qs: QuerySet[Contact] = Contact.objects.visible_to(user).filter(customer=customer)
    if not include_left:
        qs = qs.filter(left_company=False)
    rows = list(
        qs.order_by("name", "pk").values(
            "id",
            "name",
            "title",
            "department",
            "customer_id",
            "buying_role",
            "key_person",
            "left_company",
            "current_attitude",
            "reports_to_id",
        )
    )
    roles = dict(BuyingRole.choices)
    attitudes = dict(Attitude.choices)
    nodes: dict[int, dict[str, Any]] = {}
    for values in rows:
        row: dict[str, Any] = dict(values)
        score = row.pop("current_attitude")
        if not show_attitude:
            score = None
        colour = LEFT_COLOUR if row["left_company"] else attitude_colour(score)
        nodes[row["id"]] = {
            **row,
            "buying_role_label": force_str(roles.get(row["buying_role"], row["buying_role"])),
            "attitude": score,
            "attitude_label": force_str(attitudes.get(score, "")) if score is not None else "",
            "colour": colour,
            "url": reverse("contacts:detail", kwargs={"pk": row["id"]}),
            "children": [],
        }
    roots = []
    for node in nodes.values():
        parent = nodes.get(node["reports_to_id"]) if node["reports_to_id"] else None
        if parent is not None:
            parent["children"].append(node)
        else:
            roots.append(node)
    # A cycle cannot be stored through the services, but a tree must never lose nodes: any node not
    # reachable from a root becomes a root.
    reached: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        reached.add(node["id"])
        stack.extend(node["children"])
    for node_id, node in nodes.items():
        if node_id not in reached:
            parent = nodes.get(node["reports_to_id"])
            if parent is not None:
                parent["children"] = [c for c in parent["children"] if c["id"] != node_id]
            roots.append(node)
            stack = [node]
            while stack:
                current = stack.pop()
                reached.add(current["id"])
                stack.extend(c for c in current["children"] if c["id"] not in reached)
    return {
        "customer_id": customer.pk,
        "customer_name": customer.name,
        "editable": can(user, CHANGE, customer),
        "count": len(nodes),
        "legend": legend() if show_attitude else [],
        "buying_roles": [{"value": v, "label": force_str(label)} for v, label in BuyingRole.choices],
        "roots": roots,
    }


def hostile_decision_makers(user: Any) -> QuerySet[Contact]:
    """Decision makers still in post whose latest attitude is -3 or below, among contacts the user sees."""
    if not sees_attitudes(user):
        return Contact.objects.none()
    return (
        Contact.objects.visible_to(user)
        .hostile_decision_makers()
        .select_related("customer", "relationship_owner")
        .order_by("current_attitude", "-current_attitude_at", "pk")
    )


def attitude_series(contact: Contact, user: Any) -> list[dict[str, Any]]:
    """Assessments oldest first, for the attitude history chart."""
    qs = AttitudeAssessment.objects.visible_to(user).filter(contact=contact).select_related("assessed_by")
    return [
        {
            "at": a.assessed_at.isoformat(),
            "score": a.score,
            "label": force_str(a.get_score_display()),
            "by": str(a.assessed_by) if a.assessed_by_id else "",
        }
        for a in qs.order_by("assessed_at", "pk")
    ]
