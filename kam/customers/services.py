"""Every change to customers, their hierarchy, teams, grades and sites (DESIGN.md "Where rules live").

Services are keyword-only, run in one transaction, check the actor's rights and raise domain errors with
stable codes; views, API routes and importers call them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from kam.core.models import Industry, IndustryLine, Region
from kam.core.permissions import APPROVE, CHANGE, is_admin_user
from kam.customers import uscc as uscc_mod
from kam.customers.choices import (
    CreditStatus,
    CustomerType,
    GradeChangeStatus,
    Lifecycle,
    PaymentTerms,
    ServiceLevel,
    SiteKind,
    TeamRole,
)
from kam.customers.models import AccountTeamMember, Customer, GradeChangeRequest, Site, TierPolicy
from kam.customers.permissions import subtree_q
from kam.customers.search import name_key

GRADE_DECIDED_KIND = "customers.grade_change_decided"
GRADE_REQUESTED_KIND = "customers.grade_change_requested"

# Fields a caller may set through create/update (the rest is derived or managed by other services).
CUSTOMER_FIELDS = (
    "name",
    "short_name",
    "uscc",
    "uscc_override",
    "customer_type",
    "value_grade",
    "service_level",
    "industry",
    "industry_line",
    "region",
    "address",
    "lifecycle",
    "credit_status",
    "payment_terms",
    "parent",
    "org_unit",
    "owner",
)
_CHOICES = {
    "customer_type": CustomerType,
    "service_level": ServiceLevel,
    "lifecycle": Lifecycle,
    "credit_status": CreditStatus,
    "payment_terms": PaymentTerms,
}


# --- checks shared by services, forms and importers -----------------------------------------------------


def grades() -> list[str]:
    return list(TierPolicy.objects.order_by("rank", "grade").values_list("grade", flat=True))


def check_uscc(raw: str, override: str = "") -> tuple[str, str]:
    """``(normalised code, override reason kept)``; raises ``ValidationFailed`` for a bad code.

    A code that fails only its check digit is accepted with a non-empty override reason (code
    ``uscc_check_digit`` otherwise); a malformed code is always rejected (``uscc_invalid``).
    """
    code = uscc_mod.normalise(raw)
    override = (override or "").strip()
    if not code:
        return "", ""
    result = uscc_mod.check(code)
    if not result.well_formed:
        msg = _("A unified social credit code has 18 characters from 0-9 and A-Y without I, O, S, V, Z.")
        raise ValidationFailed(msg, code="uscc_invalid", fields={"uscc": [msg]})
    if not result.check_digit_ok:
        if not override:
            msg = _(
                "The check character of %(code)s should be %(expected)s. If the code is real (some early pilot "
                "codes fail the check), give an override reason."
            ) % {"code": code, "expected": uscc_mod.check_char(code[:17])}
            raise ValidationFailed(msg, code="uscc_check_digit", fields={"uscc": [msg]})
        return code, override
    return code, ""


def credit_warning(customer: Customer) -> str | None:
    """The warning an order or quote page shows for a customer on the blacklist or on watch."""
    if customer.credit_status == CreditStatus.BLACKLISTED:
        return _("%(name)s is blacklisted: payment terms %(terms)s; no work starts before payment is confirmed.") % {
            "name": customer.name,
            "terms": customer.get_payment_terms_display(),
        }
    if customer.credit_status == CreditStatus.WATCH:
        return _("%(name)s is on credit watch: payment terms %(terms)s.") % {
            "name": customer.name,
            "terms": customer.get_payment_terms_display(),
        }
    return None


def find_duplicate(*, name: str, uscc: str, exclude_pk: int | None = None) -> tuple[str, Customer] | None:
    """``("uscc" | "name", existing)`` for a customer with the same code or normalised name."""
    qs = Customer.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if uscc:
        same = qs.filter(uscc=uscc).first()
        if same:
            return "uscc", same
    key = name_key(name)
    if key:
        same = qs.filter(name_key=key).first()
        if same:
            return "name", same
    return None


def _duplicate_error(kind: str, existing: Customer) -> Conflict:
    if kind == "uscc":
        msg = _("Customer %(name)s (#%(id)s) already has this unified social credit code.")
        field = "uscc"
    else:
        msg = _("Customer %(name)s (#%(id)s) has the same name. Set allow_duplicate_name if both are real.")
        field = "name"
    text = msg % {"name": existing.name, "id": existing.pk}
    return Conflict(text, code="duplicate_customer", fields={field: [text]})


def _resolve(data: Mapping[str, Any], actor: Any) -> dict[str, Any]:
    """Turn ids and codes into objects, validating every field; collects all field errors."""
    from kam.identity.models import OrgUnit, User

    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        field = key[:-3] if key.endswith("_id") and key[:-3] in CUSTOMER_FIELDS else key
        if field not in CUSTOMER_FIELDS:
            errors.setdefault(key, []).append(_("Unknown field."))
            continue
        out[field] = value
    for field in ("name", "short_name", "address", "uscc", "uscc_override"):
        if field in out:
            out[field] = ("" if out[field] is None else str(out[field])).strip()
    if "name" in out and not out["name"]:
        errors.setdefault("name", []).append(_("This field is required."))
    for field, choices in _CHOICES.items():
        if field in out and out[field] is not None and out[field] not in choices.values:
            errors.setdefault(field, []).append(
                _("Unknown value %(value)s; one of %(values)s.")
                % {"value": out[field], "values": ", ".join(choices.values)}
            )
    if "value_grade" in out:
        known = grades()
        if out["value_grade"] not in known:
            errors.setdefault("value_grade", []).append(
                _("Unknown value grade %(value)s; one of %(values)s.")
                % {"value": out["value_grade"], "values": ", ".join(known)}
            )

    def lookup(field: str, model: Any, qs: Any = None, label: str = "") -> None:
        if field not in out or out[field] is None or out[field] == "":
            if field in out:
                out[field] = None
            return
        value = out[field]
        if isinstance(value, model):
            return
        found = (
            (qs if qs is not None else model.objects.all()).filter(pk=value).first() if _pk_ok(model, value) else None
        )
        if found is None:
            errors.setdefault(field, []).append(_("Unknown %(what)s %(value)s.") % {"what": label, "value": value})
        out[field] = found

    lookup("region", Region, label=str(_("region")))
    lookup("industry", Industry, label=str(_("industry")))
    lookup("industry_line", IndustryLine, label=str(_("industry line")))
    lookup("org_unit", OrgUnit, label=str(_("org unit")))
    lookup("owner", User, User.objects.exclude(role="customer"), label=str(_("user")))
    lookup("parent", Customer, Customer.objects.visible_to(actor), label=str(_("customer")))
    if "region" in out and out["region"] is None and "region" not in errors:
        errors.setdefault("region", []).append(_("This field is required."))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, fields=errors)
    return out


def _pk_ok(model: Any, value: Any) -> bool:
    pk = model._meta.pk
    if pk.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField", "ForeignKey"):
        try:
            int(value)
        except (TypeError, ValueError):
            return False
    return True


def _fill_industry(customer: Customer, explicit_line: bool) -> None:
    industry = customer.industry
    if industry is None:
        customer.industry_section = None
        return
    customer.industry_section = industry if industry.level == "section" else industry.section
    if explicit_line and customer.industry_line_id:
        return
    line_code = industry.line_id or (customer.industry_section.line_id if customer.industry_section else None)
    if not line_code:
        try:
            from kam.core.reference.industry import industry_line_for

            line_code = industry_line_for(industry.code)
        except (ImportError, ValueError):
            line_code = None
    customer.industry_line = IndustryLine.objects.filter(pk=line_code).first() if line_code else None


def _check_dupes(customer: Customer, allow_duplicate_name: bool) -> None:
    dupe = find_duplicate(name=customer.name, uscc=customer.uscc, exclude_pk=customer.pk)
    if dupe and not (dupe[0] == "name" and allow_duplicate_name):
        raise _duplicate_error(*dupe)


def _region_allowed(actor: Any, region: Region) -> bool:
    if is_admin_user(actor):
        return True
    role = getattr(actor, "role", None)
    if role == "account_manager":
        return True  # the creating AM becomes the lead; directors of the region see it
    if role == "director" and actor.org_unit:
        from kam.core.models.reference import region_prefix

        return region.code.startswith(region_prefix(actor.org_unit.region_id))
    return False


# --- customers -----------------------------------------------------------------------------------------


@transaction.atomic
def create_customer(*, actor: Any, data: Mapping[str, Any], allow_duplicate_name: bool = False) -> Customer:
    """Create a key account. An account manager who creates one becomes its lead AM."""
    fields = _resolve(data, actor)
    if "region" not in fields:
        raise ValidationFailed(_("This field is required."), fields={"region": [_("This field is required.")]})
    if not fields.get("name"):
        raise ValidationFailed(_("This field is required."), fields={"name": [_("This field is required.")]})
    if not _region_allowed(actor, fields["region"]):
        raise Forbidden(_("You may not create customers in %(region)s.") % {"region": fields["region"].name})
    parent = fields.get("parent")
    if parent is not None and not Customer.objects.restrict(actor, CHANGE).filter(pk=parent.pk).exists():
        raise Forbidden(_("You may not add branches to %(name)s.") % {"name": parent.name})
    code, override = check_uscc(fields.get("uscc", ""), fields.get("uscc_override", ""))
    fields["uscc"], fields["uscc_override"] = code, override
    if "value_grade" in fields and "service_level" not in fields:
        policy = TierPolicy.objects.filter(grade=fields["value_grade"]).first()
        if policy:
            fields["service_level"] = policy.default_service_level
    customer = Customer(**{k: v for k, v in fields.items() if k != "parent"})
    customer.parent = parent
    if customer.org_unit is None and getattr(actor, "org_unit", None) is not None and actor.role != "customer":
        customer.org_unit = actor.org_unit
    _fill_industry(customer, explicit_line="industry_line" in fields)
    _check_dupes(customer, allow_duplicate_name)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:  # a concurrent duplicate
        raise Conflict(_("The customer could not be saved: %(error)s") % {"error": exc}) from exc
    if getattr(actor, "role", None) == "account_manager" and not _inherits_team(customer, actor):
        AccountTeamMember.objects.create(
            customer=customer, user=actor, role=TeamRole.LEAD_AM, region=customer.region, credit_share=Decimal("100")
        )
    return customer


def _inherits_team(customer: Customer, actor: Any) -> bool:
    return Customer.objects.visible_to(actor).filter(pk=customer.pk).exists()


@transaction.atomic
def update_customer(
    *, customer: Customer, actor: Any, data: Mapping[str, Any], allow_duplicate_name: bool = False
) -> Customer:
    customer = _for_change(customer, actor)
    fields = _resolve(data, actor)
    new_parent = fields.pop("parent", customer.parent) if "parent" in fields else customer.parent
    if "value_grade" in fields and fields["value_grade"] != customer.value_grade and not is_admin_user(actor):
        msg = _("A grade is changed by a grade change request that a director approves.")
        raise ValidationFailed(msg, code="grade_needs_approval", fields={"value_grade": [msg]})
    if "uscc" in fields or "uscc_override" in fields:
        code, override = check_uscc(
            fields.get("uscc", customer.uscc), fields.get("uscc_override", customer.uscc_override)
        )
        fields["uscc"], fields["uscc_override"] = code, override
    for key, value in fields.items():
        setattr(customer, key, value)
    if "industry" in fields or "industry_line" in fields:
        _fill_industry(customer, explicit_line="industry_line" in fields)
    if "name" in fields or "uscc" in fields:
        _check_dupes(customer, allow_duplicate_name)
    customer.save()
    if (new_parent.pk if new_parent else None) != customer.parent_id:
        customer = move_customer(customer=customer, new_parent=new_parent, actor=actor)
    return customer


def _for_change(customer: Customer, actor: Any) -> Customer:
    qs = Customer.objects.select_for_update() if transaction.get_connection().in_atomic_block else Customer.objects
    fresh = qs.visible_to(actor).filter(pk=customer.pk).first()
    if fresh is None:
        raise NotFound(_("%(name)s not found.") % {"name": Customer._meta.verbose_name})
    if not Customer.objects.restrict(actor, CHANGE).filter(pk=customer.pk).exists():
        raise Forbidden(_("You are not allowed to do this."))
    return fresh


@transaction.atomic
def move_customer(*, customer: Customer, new_parent: Customer | None, actor: Any) -> Customer:
    """Put ``customer`` (with its whole subtree) under ``new_parent`` (``None``: make it a group HQ)."""
    customer = _for_change(customer, actor)
    if new_parent is not None:
        new_parent = Customer.objects.visible_to(actor).filter(pk=new_parent.pk).first()
        if new_parent is None:
            raise NotFound(_("%(name)s not found.") % {"name": Customer._meta.verbose_name})
        if not Customer.objects.restrict(actor, CHANGE).filter(pk=new_parent.pk).exists():
            raise Forbidden(_("You may not add branches to %(name)s.") % {"name": new_parent.name})
        if new_parent.path.startswith(customer.path):
            msg = _("%(parent)s is %(name)s itself or one of its branches; a group cannot contain itself.") % {
                "parent": new_parent.name,
                "name": customer.name,
            }
            raise ValidationFailed(msg, code="hierarchy_cycle", fields={"parent_id": [msg]})
    if (new_parent.pk if new_parent else None) == customer.parent_id:
        return customer
    old_path = customer.path
    new_path = f"{new_parent.path if new_parent else '/'}{customer.pk}/"
    delta = new_path.count("/") - old_path.count("/")
    if len(new_path) + _deepest_suffix(old_path) > 255:
        msg = _("The group tree would become too deep.")
        raise ValidationFailed(msg, code="hierarchy_too_deep", fields={"parent_id": [msg]})
    # the whole subtree in one statement
    Customer.objects.filter(subtree_q(old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), depth=F("depth") + delta
    )
    customer.refresh_from_db(fields=["path", "depth"])
    customer.parent = new_parent
    customer.save(update_fields=["parent", "updated_at"])
    return customer


def _deepest_suffix(path: str) -> int:
    from django.db.models.functions import Length

    longest = (
        Customer.objects.filter(subtree_q(path))
        .annotate(n=Length("path"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    )
    return (longest or len(path)) - len(path)


# --- account team --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMemberSpec:
    user: Any
    role: str
    region: Region | None = None
    credit_share: Decimal | None = None


def validate_team(members: Sequence[TeamMemberSpec]) -> None:
    errors: list[str] = []
    leads = [m for m in members if m.role == TeamRole.LEAD_AM]
    if len(leads) != 1:
        errors.append(_("A team has exactly one lead account manager (found %(n)s).") % {"n": len(leads)})
    seen: set[tuple[int, str]] = set()
    for m in members:
        if m.role not in TeamRole.values:
            errors.append(_("Unknown team role %(role)s.") % {"role": m.role})
        if getattr(m.user, "role", None) == "customer" or not getattr(m.user, "is_active", False):
            errors.append(_("%(user)s cannot be on an account team.") % {"user": m.user})
        key = (m.user.pk, m.role)
        if key in seen:
            errors.append(_("%(user)s is listed twice in the same role.") % {"user": m.user})
        seen.add(key)
        if m.credit_share is not None and not (Decimal("0") <= m.credit_share <= Decimal("100")):
            errors.append(_("A share is between 0 and 100%."))
    shares = [m.credit_share for m in members if m.credit_share is not None]
    if any(s for s in shares):
        total = sum(shares, Decimal("0"))
        if total != Decimal("100"):
            errors.append(_("The KPI credit shares add up to %(total)s%%, not 100%%.") % {"total": total})
    if errors:
        raise ValidationFailed(errors[0], code="invalid_team", fields={"members": errors})


@transaction.atomic
def set_team(*, customer: Customer, members: Sequence[TeamMemberSpec], actor: Any) -> list[AccountTeamMember]:
    """Replace the account team as a whole (validated at once: one lead AM, shares summing to 100%)."""
    customer = _for_change(customer, actor)
    validate_team(members)
    existing = {(m.user_id, m.role): m for m in customer.team_members.all()}
    wanted = {(m.user.pk, m.role): m for m in members}
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
    result = []
    # a new lead must not collide with the old lead's row before it is deleted: deletes ran first
    for key, spec in wanted.items():
        share = spec.credit_share if spec.credit_share is not None else Decimal("0")
        row = existing.get(key)
        if row is None:
            row = AccountTeamMember.objects.create(
                customer=customer, user=spec.user, role=spec.role, region=spec.region, credit_share=share
            )
        elif row.region_id != (spec.region.pk if spec.region else None) or row.credit_share != share:
            row.region, row.credit_share = spec.region, share
            row.save()
        result.append(row)
    return result


def _specs(customer: Customer) -> list[TeamMemberSpec]:
    return [
        TeamMemberSpec(user=m.user, role=m.role, region=m.region, credit_share=m.credit_share)
        for m in customer.team_members.select_related("user", "region")
    ]


def add_team_member(
    *, customer: Customer, user: Any, role: str, actor: Any, region: Region | None = None, credit_share: Any = None
) -> AccountTeamMember:
    members = [*_specs(customer), TeamMemberSpec(user, role, region, _decimal(credit_share))]
    rows = set_team(customer=customer, members=members, actor=actor)
    return next(r for r in rows if r.user_id == user.pk and r.role == role)


def update_team_member(
    *, member: AccountTeamMember, actor: Any, role: str | None = None, region: Any = ..., credit_share: Any = ...
) -> AccountTeamMember:
    members = []
    for spec in _specs(member.customer):
        if spec.user.pk == member.user_id and spec.role == member.role:
            spec = TeamMemberSpec(
                spec.user,
                role or spec.role,
                spec.region if region is ... else region,
                spec.credit_share if credit_share is ... else _decimal(credit_share),
            )
        members.append(spec)
    rows = set_team(customer=member.customer, members=members, actor=actor)
    return next(r for r in rows if r.user_id == member.user_id and r.role == (role or member.role))


def remove_team_member(*, member: AccountTeamMember, actor: Any) -> None:
    members = [s for s in _specs(member.customer) if not (s.user.pk == member.user_id and s.role == member.role)]
    set_team(customer=member.customer, members=members, actor=actor)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        msg = _("Not a number: %(value)s") % {"value": value}
        raise ValidationFailed(msg, fields={"credit_share": [msg]}) from exc


# --- grades --------------------------------------------------------------------------------------------


@transaction.atomic
def request_grade_change(*, customer: Customer, to_grade: str, reason: str, actor: Any) -> GradeChangeRequest:
    customer = _for_change(customer, actor)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if to_grade not in grades():
        errors["to_grade"] = [
            _("Unknown value grade %(value)s; one of %(values)s.") % {"value": to_grade, "values": ", ".join(grades())}
        ]
    elif to_grade == customer.value_grade:
        errors["to_grade"] = [_("The customer already has grade %(grade)s.") % {"grade": to_grade}]
    if not reason:
        errors["reason"] = [_("This field is required.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    pending = GradeChangeRequest.objects.pending().filter(customer=customer).first()
    if pending is not None:
        raise Conflict(
            _("A grade change to %(grade)s is already waiting for a decision.") % {"grade": pending.to_grade},
            code="grade_change_pending",
        )
    request = GradeChangeRequest.objects.create(
        customer=customer, from_grade=customer.value_grade, to_grade=to_grade, reason=reason, requested_by=actor
    )
    _notify(
        _approvers(customer),
        GRADE_REQUESTED_KIND,
        _("Grade change requested: %(name)s %(old)s → %(new)s")
        % {"name": customer.name, "old": request.from_grade, "new": to_grade},
        reason,
        _grade_url(),
    )
    return request


@transaction.atomic
def decide_grade_change(
    *, request: GradeChangeRequest, approve: bool, actor: Any, note: str = ""
) -> GradeChangeRequest:
    """A director of the customer's region (or an administrator) approves or rejects; approval applies it."""
    request = GradeChangeRequest.objects.select_for_update().get(pk=request.pk)
    customer = Customer.objects.visible_to(actor).filter(pk=request.customer_id).first()
    if customer is None:
        raise NotFound(_("%(name)s not found.") % {"name": GradeChangeRequest._meta.verbose_name})
    if not Customer.objects.restrict(actor, APPROVE).filter(pk=customer.pk).exists():
        raise Forbidden(_("Only a director of the customer's region may decide grade changes."))
    if request.status != GradeChangeStatus.PENDING:
        raise Conflict(
            _("This request was already %(status)s.") % {"status": request.get_status_display()},
            code="grade_change_decided",
        )
    request.status = GradeChangeStatus.APPROVED if approve else GradeChangeStatus.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = (note or "").strip()
    request.save()
    if approve:
        customer.value_grade = request.to_grade
        customer.save()
    if request.requested_by_id:
        title = (
            _("Grade change approved: %(name)s is now %(grade)s")
            if approve
            else _("Grade change rejected: %(name)s stays %(grade)s")
        ) % {"name": customer.name, "grade": customer.value_grade}
        _notify([request.requested_by], GRADE_DECIDED_KIND, title, request.decision_note, _grade_url())
    return request


def _approvers(customer: Customer) -> list[Any]:
    from kam.identity.models import User

    users = User.objects.filter(role="director", is_active=True).select_related("org_unit")
    return [u for u in users if Customer.objects.restrict(u, APPROVE).filter(pk=customer.pk).exists()]


def _grade_url() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("customers:grade-changes")
    except NoReverseMatch:
        return ""


def _notify(recipients: Sequence[Any], kind: str, title: str, body: str, url: str) -> None:
    if not recipients:
        return
    from kam.core.notifications import notify

    notify(recipients=recipients, kind=kind, title=title, body=body, url=url)


@transaction.atomic
def save_tier_policy(*, policy: TierPolicy | None, data: Mapping[str, Any], actor: Any) -> TierPolicy:
    if not is_admin_user(actor):
        raise Forbidden(_("Only administrators change tier policies."))
    policy = policy or TierPolicy()
    for key, value in data.items():
        setattr(policy, key, value)
    from django.core.exceptions import ValidationError

    try:
        policy.full_clean()
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    policy.save()
    return policy


# --- sites ---------------------------------------------------------------------------------------------

SITE_FIELDS = ("name", "kind", "address", "region", "phone", "latitude", "longitude")


@transaction.atomic
def save_site(*, site: Site | None, actor: Any, data: Mapping[str, Any], customer: Customer | None = None) -> Site:
    """Create (``site=None``, ``customer`` given) or change a site."""
    from django.core.exceptions import ValidationError

    target = customer if site is None else site.customer
    if target is None:
        raise ValidationFailed(_("This field is required."), fields={"customer_id": [_("This field is required.")]})
    _for_change(target, actor)
    site = site or Site(customer=target)
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        field = "region" if key == "region_id" else key
        if field not in SITE_FIELDS:
            errors.setdefault(key, []).append(_("Unknown field."))
            continue
        if field == "region":
            region = value if isinstance(value, Region) else Region.objects.filter(pk=value).first()
            if region is None:
                errors.setdefault("region_id", []).append(
                    _("Unknown %(what)s %(value)s.") % {"what": _("region"), "value": value}
                )
            else:
                site.region = region
        elif field == "kind" and value not in SiteKind.values:
            errors.setdefault("kind", []).append(
                _("Unknown value %(value)s; one of %(values)s.")
                % {"value": value, "values": ", ".join(SiteKind.values)}
            )
        else:
            setattr(site, field, value if value is not None or field in ("latitude", "longitude") else "")
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    try:
        site.full_clean()
    except ValidationError as exc:
        raise ValidationFailed.from_django(exc) from exc
    site.save()
    _refresh_search_text(site.customer)
    return site


def _refresh_search_text(customer: Customer) -> None:
    """Site phones are part of the customer's search text."""
    from kam.customers.search import customer_search_text

    phones = list(customer.sites.values_list("phone", flat=True))
    text = customer_search_text(customer.name, customer.short_name, customer.uscc, phones)
    Customer.objects.filter(pk=customer.pk).exclude(search_text=text).update(search_text=text)


@transaction.atomic
def delete_site(*, site: Site, actor: Any) -> None:
    _for_change(site.customer, actor)
    site.delete()
    _refresh_search_text(site.customer)


def visible_or_404(qs: Any, actor: Any, **lookup: Any) -> Any:
    obj = qs.visible_to(actor).filter(**lookup).first()
    if obj is None:
        raise NotFound(_("%(name)s not found.") % {"name": qs.model._meta.verbose_name})
    return obj


__all__ = [
    "CUSTOMER_FIELDS",
    "TeamMemberSpec",
    "add_team_member",
    "check_uscc",
    "create_customer",
    "credit_warning",
    "decide_grade_change",
    "delete_site",
    "find_duplicate",
    "move_customer",
    "remove_team_member",
    "request_grade_change",
    "save_site",
    "save_tier_policy",
    "set_team",
    "update_customer",
    "update_team_member",
    "validate_team",
]
