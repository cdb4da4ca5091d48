"""REST routes: ``/customers``, ``/sites``, ``/tier-policies``, ``/grade-change-requests``."""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import File, Router, Status, UploadedFile
from ninja.pagination import paginate

from kam.core.api import Page, fetch, responses
from kam.core.errors import NotFound, ValidationFailed
from kam.core.models import Region
from kam.core.models.reference import region_prefix
from kam.core.permissions import APPROVE, CHANGE, DELETE, VIEW
from kam.customers import services
from kam.customers.models import AccountTeamMember, Customer, GradeChangeRequest, Site, TierPolicy
from kam.customers.permissions import region_q
from kam.customers.queries import customer_rollups, group_tree, tree_dict
from kam.customers.schemas import (
    CustomerCreate,
    CustomerOut,
    CustomerUpdate,
    DecisionIn,
    GradeChangeIn,
    GradeChangeOut,
    ImportResult,
    MoveIn,
    RollupOut,
    SiteCreate,
    SiteOut,
    SiteUpdate,
    TeamIn,
    TeamMemberOut,
    TierPolicyIn,
    TierPolicyOut,
    TierPolicyUpdate,
    TreeNodeOut,
)
from kam.customers.search import search_filter

router = Router(tags=["customers"])
sites_router = Router(tags=["sites"])
tiers_router = Router(tags=["tier policies"])
grades_router = Router(tags=["grade change requests"])

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "value_grade": ("value_grade", "name", "id"),
    "-value_grade": ("-value_grade", "name", "id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "region": ("region_id", "name", "id"),
    "-region": ("-region_id", "name", "id"),
}
SortKey = Literal["name", "-name", "value_grade", "-value_grade", "created_at", "-created_at", "region", "-region"]


def filter_customers(
    qs: Any,
    *,
    q: str | None = None,
    value_grade: str | None = None,
    service_level: str | None = None,
    customer_type: str | None = None,
    industry_line: str | None = None,
    region: str | None = None,
    lifecycle: str | None = None,
    parent_id: int | None = None,
    root_only: bool = False,
) -> Any:
    if q and q.strip():
        qs = qs.filter(search_filter(q.strip()))
    for field, value in (
        ("value_grade", value_grade),
        ("service_level", service_level),
        ("customer_type", customer_type),
        ("industry_line_id", industry_line),
        ("lifecycle", lifecycle),
        ("parent_id", parent_id),
    ):
        if value not in (None, ""):
            qs = qs.filter(**{field: value})
    if region:
        qs = qs.filter(region_q(region_prefix(region) if len(region) == 6 else region))
    if root_only:
        qs = qs.filter(parent__isnull=True)
    return qs


@router.get("", response=responses(200, list[CustomerOut]))
@paginate(Page)
def list_customers(
    request: HttpRequest,
    q: str | None = None,
    value_grade: str | None = None,
    service_level: str | None = None,
    customer_type: str | None = None,
    industry_line: str | None = None,
    region: str | None = None,
    lifecycle: str | None = None,
    parent_id: int | None = None,
    root_only: bool = False,
    sort: SortKey = "name",
) -> Any:
    """Customers the caller may see; ``region`` is a GB/T 2260 code or prefix (``44`` = Guangdong)."""
    if getattr(request.user, "role", None) == "customer":  # portal users never learn internal grades
        value_grade, lifecycle = None, None
        sort = "name" if sort.lstrip("-") == "value_grade" else sort
    qs = filter_customers(
        Customer.objects.visible_to(request.user),
        q=q,
        value_grade=value_grade,
        service_level=service_level,
        customer_type=customer_type,
        industry_line=industry_line,
        region=region,
        lifecycle=lifecycle,
        parent_id=parent_id,
        root_only=root_only,
    )
    return qs.order_by(*SORTS[sort])


@router.post("", response=responses(201, CustomerOut))
def create_customer(request: HttpRequest, payload: CustomerCreate) -> Any:
    data = payload.dict()
    allow = data.pop("allow_duplicate_name")
    if data.get("service_level") is None:
        data.pop("service_level")
    customer = services.create_customer(actor=request.user, data=data, allow_duplicate_name=allow)
    return Status(201, customer)


@router.post("/import", response=responses(200, ImportResult))
def import_customers(request: HttpRequest, file: UploadedFile = File(...), kind: str = "customers") -> Any:  # noqa: B008
    """Import a CSV or XLSX file (``kind`` = ``customers`` or ``sites``); all-or-nothing with row errors."""
    from kam.customers.exchange import import_file

    rows = import_file(kind=kind, data=file.read(), filename=file.name or "", actor=request.user)
    return {"kind": kind, "rows": rows}


@router.get("/{customer_id}", response=responses(200, CustomerOut))
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    return fetch(request, Customer.objects.all(), pk=customer_id)


@router.patch("/{customer_id}", response=responses(200, CustomerOut))
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerUpdate) -> Any:
    customer = fetch(request, Customer.objects.all(), CHANGE, pk=customer_id)
    data = payload.dict(exclude_unset=True)
    allow = bool(data.pop("allow_duplicate_name", False))
    for key in ("name", "region_id", "customer_type", "service_level", "lifecycle", "credit_status", "payment_terms"):
        if key in data and data[key] is None:
            raise ValidationFailed(_required(), fields={key: [_required()]})
    return services.update_customer(customer=customer, actor=request.user, data=data, allow_duplicate_name=allow)


def _required() -> str:
    from django.utils.translation import gettext

    return gettext("This field is required.")


@router.post("/{customer_id}/move", response=responses(200, CustomerOut))
def move_customer(request: HttpRequest, customer_id: int, payload: MoveIn) -> Any:
    customer = fetch(request, Customer.objects.all(), CHANGE, pk=customer_id)
    parent = None
    if payload.parent_id is not None:
        parent = Customer.objects.visible_to(request.user).filter(pk=payload.parent_id).first()
        if parent is None:
            raise ValidationFailed(_unknown_parent(), fields={"parent_id": [_unknown_parent()]})
    return services.move_customer(customer=customer, new_parent=parent, actor=request.user)


def _unknown_parent() -> str:
    from django.utils.translation import gettext

    return gettext("Unknown parent customer.")


@router.get("/{customer_id}/tree", response=responses(200, TreeNodeOut))
def customer_tree(request: HttpRequest, customer_id: int) -> Any:
    """The group the customer belongs to, from the highest ancestor the caller may see, with roll-ups."""
    customer = fetch(request, Customer.objects.all(), pk=customer_id)
    data = tree_dict(group_tree(customer, request.user))
    if getattr(request.user, "role", None) == "customer":
        _strip_grades(data)
    return data


def _strip_grades(node: dict[str, Any]) -> None:
    node["value_grade"] = None
    for child in node["children"]:
        _strip_grades(child)


@router.get("/{customer_id}/rollups", response=responses(200, RollupOut))
def customer_rollup(request: HttpRequest, customer_id: int) -> Any:
    customer = fetch(request, Customer.objects.all(), pk=customer_id)
    pairs = customer_rollups(customer)
    return {
        "customer_id": customer.pk,
        "values": {r.key: v for r, v in pairs},
        "labels": {r.key: str(r.label) for r, _v in pairs},
    }


@router.get("/{customer_id}/team", response=responses(200, list[TeamMemberOut]))
def get_team(request: HttpRequest, customer_id: int) -> Any:
    customer = fetch(request, Customer.objects.all(), pk=customer_id)
    return list(customer.team_members.select_related("user").order_by("role", "user__username"))


@router.put("/{customer_id}/team", response=responses(200, list[TeamMemberOut]))
def put_team(request: HttpRequest, customer_id: int, payload: TeamIn) -> Any:
    """Replace the account team: exactly one lead AM; shares, when given, add up to 100."""
    from kam.identity.models import User

    customer = fetch(request, Customer.objects.all(), CHANGE, pk=customer_id)
    users = {u.pk: u for u in User.objects.filter(pk__in=[m.user_id for m in payload.members])}
    regions = {r.pk: r for r in Region.objects.filter(pk__in=[m.region_id for m in payload.members if m.region_id])}
    errors: dict[str, list[str]] = {}
    specs = []
    for i, m in enumerate(payload.members):
        user = users.get(m.user_id)
        if user is None:
            errors.setdefault(f"members.{i}.user_id", []).append(_unknown("user", m.user_id))
            continue
        region = regions.get(m.region_id) if m.region_id else None
        if m.region_id and region is None:
            errors.setdefault(f"members.{i}.region_id", []).append(_unknown("region", m.region_id))
        specs.append(services.TeamMemberSpec(user=user, role=m.role, region=region, credit_share=m.credit_share))
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    services.set_team(customer=customer, members=specs, actor=request.user)
    return list(customer.team_members.select_related("user").order_by("role", "user__username"))


def _unknown(what: str, value: Any) -> str:
    from django.utils.translation import gettext

    return gettext("Unknown %(what)s %(value)s.") % {"what": what, "value": value}


@router.get("/{customer_id}/sites", response=responses(200, list[SiteOut]))
@paginate(Page)
def customer_sites(request: HttpRequest, customer_id: int) -> Any:
    customer = fetch(request, Customer.objects.all(), pk=customer_id)
    return Site.objects.visible_to(request.user).filter(customer=customer).order_by("name", "id")


# --- sites ---------------------------------------------------------------------------------------------


@sites_router.get("", response=responses(200, list[SiteOut]))
@paginate(Page)
def list_sites(
    request: HttpRequest, q: str | None = None, customer_id: int | None = None, region: str | None = None
) -> Any:
    qs = Site.objects.visible_to(request.user)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if region:
        qs = qs.filter(region_q(region_prefix(region) if len(region) == 6 else region))
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(Q(name__contains=term) | Q(address__contains=term) | Q(phone__contains=term))
    return qs.order_by("customer_id", "name", "id")


@sites_router.post("", response=responses(201, SiteOut))
def create_site(request: HttpRequest, payload: SiteCreate) -> Any:
    data = payload.dict()
    customer = Customer.objects.visible_to(request.user).filter(pk=data.pop("customer_id")).first()
    if customer is None:
        raise NotFound(_unknown("customer", payload.customer_id))
    return Status(201, services.save_site(site=None, customer=customer, actor=request.user, data=data))


@sites_router.get("/{site_id}", response=responses(200, SiteOut))
def get_site(request: HttpRequest, site_id: int) -> Any:
    return fetch(request, Site.objects.all(), pk=site_id)


@sites_router.patch("/{site_id}", response=responses(200, SiteOut))
def update_site(request: HttpRequest, site_id: int, payload: SiteUpdate) -> Any:
    site = fetch(request, Site.objects.select_related("customer"), CHANGE, pk=site_id)
    data = payload.dict(exclude_unset=True)
    for key in ("name", "kind", "address", "region_id"):
        if key in data and data[key] is None:
            raise ValidationFailed(_required(), fields={key: [_required()]})
    return services.save_site(site=site, actor=request.user, data=data)


@sites_router.delete("/{site_id}", response=responses(204, None))
def delete_site(request: HttpRequest, site_id: int) -> Any:
    site = fetch(request, Site.objects.select_related("customer"), DELETE, pk=site_id)
    services.delete_site(site=site, actor=request.user)
    return Status(204, None)


# --- tier policies -------------------------------------------------------------------------------------


@tiers_router.get("", response=responses(200, list[TierPolicyOut]))
def list_tier_policies(request: HttpRequest) -> Any:
    return list(TierPolicy.objects.visible_to(request.user))


@tiers_router.post("", response=responses(201, TierPolicyOut))
def create_tier_policy(request: HttpRequest, payload: TierPolicyIn) -> Any:
    from kam.core.errors import Conflict

    if TierPolicy.objects.filter(grade=payload.grade).exists():
        raise Conflict(_unknown("grade", payload.grade), code="duplicate_grade", fields={"grade": ["exists"]})
    return Status(201, services.save_tier_policy(policy=None, data=payload.dict(), actor=request.user))


@tiers_router.get("/{policy_id}", response=responses(200, TierPolicyOut))
def get_tier_policy(request: HttpRequest, policy_id: int) -> Any:
    return fetch(request, TierPolicy.objects.all(), pk=policy_id)


@tiers_router.patch("/{policy_id}", response=responses(200, TierPolicyOut))
def update_tier_policy(request: HttpRequest, policy_id: int, payload: TierPolicyUpdate) -> Any:
    policy = fetch(request, TierPolicy.objects.all(), CHANGE, pk=policy_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.save_tier_policy(policy=policy, data=data, actor=request.user)


# --- grade change requests -----------------------------------------------------------------------------


@grades_router.get("", response=responses(200, list[GradeChangeOut]))
@paginate(Page)
def list_grade_changes(
    request: HttpRequest,
    status: Literal["pending", "approved", "rejected"] | None = None,
    customer_id: int | None = None,
) -> Any:
    qs = GradeChangeRequest.objects.visible_to(request.user).select_related("customer")
    if status:
        qs = qs.filter(status=status)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-created_at", "-id")


@grades_router.post("", response=responses(201, GradeChangeOut))
def request_grade_change(request: HttpRequest, payload: GradeChangeIn) -> Any:
    customer = fetch(request, Customer.objects.all(), CHANGE, pk=payload.customer_id)
    result = services.request_grade_change(
        customer=customer, to_grade=payload.to_grade, reason=payload.reason, actor=request.user
    )
    return Status(201, result)


@grades_router.get("/{request_id}", response=responses(200, GradeChangeOut))
def get_grade_change(request: HttpRequest, request_id: int) -> Any:
    return fetch(request, GradeChangeRequest.objects.select_related("customer"), VIEW, pk=request_id)


def _decide(request: HttpRequest, request_id: int, payload: DecisionIn, approve: bool) -> Any:
    obj = fetch(request, GradeChangeRequest.objects.select_related("customer"), APPROVE, pk=request_id)
    return services.decide_grade_change(request=obj, approve=approve, actor=request.user, note=payload.note)


@grades_router.post("/{request_id}/approve", response=responses(200, GradeChangeOut))
def approve_grade_change(request: HttpRequest, request_id: int, payload: DecisionIn) -> Any:
    return _decide(request, request_id, payload, True)


@grades_router.post("/{request_id}/reject", response=responses(200, GradeChangeOut))
def reject_grade_change(request: HttpRequest, request_id: int, payload: DecisionIn) -> Any:
    return _decide(request, request_id, payload, False)


__all__ = ["AccountTeamMember", "grades_router", "router", "sites_router", "tiers_router"]
