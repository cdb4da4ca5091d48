"""Read-side helpers: the group tree and roll-ups at every level of it.

Roll-ups are a registry so that apps above customers add their own lines (lines, tickets, revenue)::

    from kam.customers.queries import rollups
    rollups.register("lines", _("Lines"), lambda ids: dict(Line.objects.filter(customer_id__in=ids)
                                                          .values_list("customer_id").annotate(Count("id"))))

A function receives a queryset (or list) of customer ids and returns ``{customer_id: value}`` for the
customers' *own* rows; the registry sums them over every subtree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from kam.customers.models import Customer
from kam.customers.permissions import subtree_q

RollupFunc = Callable[[Any], dict[int, int]]


@dataclass(frozen=True)
class Rollup:
    key: str
    label: Any
    func: RollupFunc
    order: int = 100


@dataclass
class RollupRegistry:
    items: dict[str, Rollup] = field(default_factory=dict)

    def register(self, key: str, label: Any, func: RollupFunc, order: int = 100) -> None:
        self.items[key] = Rollup(key, label, func, order)

    def all(self) -> list[Rollup]:
        return sorted(self.items.values(), key=lambda r: (r.order, r.key))

    def for_tree(self, nodes: Iterable[Customer]) -> dict[int, dict[str, int]]:
        """``{customer_id: {key: subtree total}}`` for every node given (a whole subtree or more)."""
        nodes = list(nodes)
        ids = [n.pk for n in nodes]
        totals: dict[int, dict[str, int]] = {n.pk: defaultdict(int) for n in nodes}
        for rollup in self.all():
            own = rollup.func(ids) if ids else {}
            for node in nodes:
                value = own.get(node.pk, 0)
                if not value:
                    continue
                # add the node's own value to itself and every ancestor present
                for part in node.path.strip("/").split("/"):
                    pk = int(part)
                    if pk in totals:
                        totals[pk][rollup.key] += value
        return {pk: {r.key: values.get(r.key, 0) for r in self.all()} for pk, values in totals.items()}

    def for_customer(self, customer: Customer) -> dict[str, int]:
        nodes = Customer.objects.filter(subtree_q(customer.path)).only("id", "path")
        return self.for_tree(nodes).get(customer.pk, {r.key: 0 for r in self.all()})


rollups = RollupRegistry()


def _branches(ids: Any) -> dict[int, int]:
    # every node counts itself as one; the subtree sum minus one is the number of branches
    return {pk: 1 for pk in ids}


def _contacts(ids: Any) -> dict[int, int]:
    try:
        contact = apps.get_model("customers", "Contact")
    except LookupError:
        return {}
    qs = contact.objects.filter(customer_id__in=list(ids))
    if any(f.name == "left_company" for f in contact._meta.get_fields()):
        qs = qs.filter(left_company=False)
    return dict(qs.values_list("customer_id").annotate(n=Count("id")).values_list("customer_id", "n"))


def _sites(ids: Any) -> dict[int, int]:
    from kam.customers.models import Site

    return dict(
        Site.objects.filter(customer_id__in=list(ids))
        .values_list("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )


rollups.register("members", _("Group members"), _branches, order=10)
rollups.register("contacts", _("Contacts"), _contacts, order=20)
rollups.register("sites", _("Sites"), _sites, order=30)


def customer_rollups(customer: Customer) -> list[tuple[Rollup, int]]:
    """Roll-ups of a customer's subtree with labels; ``branches`` is the number of descendants."""
    values = rollups.for_customer(customer)
    out = []
    for rollup in rollups.all():
        value = values.get(rollup.key, 0)
        if rollup.key == "members":
            rollup = Rollup("branches", _("Branches"), rollup.func, rollup.order)
            value = max(value - 1, 0)
        out.append((rollup, value))
    return out


def rollup_dict(customer: Customer) -> dict[str, int]:
    return {r.key: v for r, v in customer_rollups(customer)}


@dataclass
class TreeNode:
    customer: Customer
    children: list[TreeNode] = field(default_factory=list)
    rollup: dict[str, int] = field(default_factory=dict)
    visible: bool = True


def group_tree(customer: Customer, user: Any, max_nodes: int = 2000) -> TreeNode:
    """The tree of the group ``customer`` belongs to, from the highest ancestor the user may see."""
    ids = [int(p) for p in customer.path.strip("/").split("/")]
    visible = Customer.objects.visible_to(user)
    root = visible.filter(pk__in=ids).order_by("depth").first() or customer
    nodes = list(
        visible.filter(subtree_q(root.path))
        .select_related("region")
        .only(
            "id",
            "name",
            "short_name",
            "path",
            "depth",
            "parent_id",
            "value_grade",
            "region__name",
            "region__code",
            "lifecycle",
            "customer_type",
            "service_level",
        )
        .order_by("depth", "name")[:max_nodes]
    )
    totals = rollups.for_tree(nodes)
    by_id = {n.pk: TreeNode(n, rollup=totals.get(n.pk, {})) for n in nodes}
    for node in by_id.values():
        node.rollup = dict(node.rollup)
        if "members" in node.rollup:
            node.rollup["branches"] = max(node.rollup.pop("members") - 1, 0)
        parent = by_id.get(node.customer.parent_id) if node.customer.pk != root.pk else None
        if parent is not None:
            parent.children.append(node)
    return by_id.get(root.pk) or TreeNode(root)


def tree_dict(node: TreeNode) -> dict[str, Any]:
    c = node.customer
    return {
        "id": c.pk,
        "name": c.name,
        "short_name": c.short_name,
        "value_grade": c.value_grade,
        "region_id": c.region_id,
        "depth": c.depth,
        "rollup": node.rollup,
        "children": [tree_dict(child) for child in node.children],
    }
