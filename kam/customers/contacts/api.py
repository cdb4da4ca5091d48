"""``/api/v1/contacts``: contacts, their attitude history, the reports-to link and the org chart."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from kam.core.api import Page, fetch, responses
from kam.core.errors import Forbidden, ValidationFailed
from kam.core.permissions import CHANGE, DELETE, VIEW
from kam.customers.contacts import queries, services
from kam.customers.contacts.choices import HOSTILE_AT
from kam.customers.contacts.schemas import (
    AttitudeIn,
    AttitudeOut,
    ContactCreate,
    ContactOut,
    ContactUpdate,
    DepartureIn,
    OrgChartOut,
    ReportsToIn,
    sees_attitudes,
)
from kam.customers.models import AttitudeAssessment, Contact, Customer

router = Router(tags=["contacts"])


def _manager(request: HttpRequest, reports_to_id: int | None) -> Contact | None:
    if reports_to_id is None:
        return None
    manager = Contact.objects.visible_to(request.user).filter(pk=reports_to_id).select_related("customer").first()
    if manager is None:
        raise ValidationFailed(_("The manager does not exist."), fields={"reports_to_id": [_("No such contact.")]})
    return manager


def _owner(request: HttpRequest, owner_id: int | None) -> Any:
    if owner_id is None:
        return None
    from kam.identity.models import User

    owner = User.objects.visible_to(request.user).filter(pk=owner_id, is_active=True).exclude(role="customer").first()
    if owner is None:
        raise ValidationFailed(
            _("The relationship owner does not exist."), fields={"relationship_owner_id": [_("No such user.")]}
        )
    return owner


def _email(value: str | None) -> str:
    return (value or "").strip()


@router.get("", response=responses(200, list[ContactOut]))
@paginate(Page)
def list_contacts(
    request: HttpRequest,
    customer_id: int | None = None,
    buying_role: str | None = None,
    key_person: bool | None = None,
    left_company: bool | None = None,
    hostile: bool | None = None,
    q: str | None = None,
) -> Any:
    qs = Contact.objects.visible_to(request.user)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if buying_role:
        qs = qs.filter(buying_role=buying_role)
    if key_person is not None:
        qs = qs.filter(key_person=key_person)
    if left_company is not None:
        qs = qs.filter(left_company=left_company)
    if hostile is not None and sees_attitudes(request.user):
        qs = qs.filter(current_attitude__lte=HOSTILE_AT) if hostile else qs.exclude(current_attitude__lte=HOSTILE_AT)
    if q:
        qs = qs.search(q)
    return qs.order_by("customer_id", "name", "pk")


@router.post("", response=responses(201, ContactOut))
def create_contact(request: HttpRequest, payload: ContactCreate) -> Any:
    customer = Customer.objects.restrict(request.user, CHANGE).filter(pk=payload.customer_id).first()
    if customer is None:
        if Customer.objects.visible_to(request.user).filter(pk=payload.customer_id).exists():
            raise Forbidden(_("You are not allowed to do this."))
        raise ValidationFailed(_("The customer does not exist."), fields={"customer_id": [_("No such customer.")]})
    data = payload.dict(exclude={"customer_id", "reports_to_id", "relationship_owner_id"})
    data["email"] = _email(data.get("email"))
    data["buying_role"] = str(data["buying_role"])
    contact = services.create_contact(
        customer=customer,
        actor=request.user,
        reports_to=_manager(request, payload.reports_to_id),
        relationship_owner=_owner(request, payload.relationship_owner_id),
        **data,
    )
    return Status(201, contact)


@router.get("/org-chart", response=responses(200, OrgChartOut))
def org_chart(request: HttpRequest, customer_id: int, include_left: bool = True) -> Any:
    customer = fetch(request, Customer.objects.all(), VIEW, pk=customer_id)
    return queries.org_chart(customer, request.user, include_left=include_left)  # type: ignore[arg-type]


@router.get("/{contact_id}", response=responses(200, ContactOut))
def get_contact(request: HttpRequest, contact_id: int) -> Any:
    return fetch(request, Contact.objects.all(), VIEW, pk=contact_id)


@router.patch("/{contact_id}", response=responses(200, ContactOut))
def update_contact(request: HttpRequest, contact_id: int, payload: ContactUpdate) -> Any:
    contact: Any = fetch(request, Contact.objects.all(), CHANGE, pk=contact_id)
    data = payload.dict(exclude_unset=True)
    for name in ("name", "buying_role", "key_person", "left_company"):
        if name in data and data[name] is None:
            raise ValidationFailed(_("The request is not valid."), fields={name: [_("This field cannot be null.")]})
    for name in ("title", "department", "phone", "mobile", "private_notes"):
        if name in data and data[name] is None:
            data[name] = ""
    if "email" in data:
        data["email"] = _email(data["email"])
    if "buying_role" in data:
        data["buying_role"] = str(data["buying_role"])
    if "reports_to_id" in data:
        data["reports_to"] = _manager(request, data.pop("reports_to_id"))
    if "relationship_owner_id" in data:
        data["relationship_owner"] = _owner(request, data.pop("relationship_owner_id"))
    return services.update_contact(contact=contact, actor=request.user, **data)


@router.delete("/{contact_id}", response=responses(204, None))
def delete_contact(request: HttpRequest, contact_id: int) -> Any:
    contact: Any = fetch(request, Contact.objects.all(), DELETE, pk=contact_id)
    services.delete_contact(contact=contact, actor=request.user)
    return Status(204, None)


@router.post("/{contact_id}/reports-to", response=responses(200, ContactOut))
def set_reports_to(request: HttpRequest, contact_id: int, payload: ReportsToIn) -> Any:
    contact: Any = fetch(request, Contact.objects.all(), CHANGE, pk=contact_id)
    return services.set_reports_to(
        contact=contact, reports_to=_manager(request, payload.reports_to_id), actor=request.user
    )


@router.post("/{contact_id}/departure", response=responses(200, ContactOut))
def record_departure(request: HttpRequest, contact_id: int, payload: DepartureIn) -> Any:
    contact: Any = fetch(request, Contact.objects.all(), CHANGE, pk=contact_id)
    return services.record_departure(contact=contact, actor=request.user, left_at=payload.left_at)


@router.get("/{contact_id}/attitudes", response=responses(200, list[AttitudeOut]))
@paginate(Page)
def list_attitudes(request: HttpRequest, contact_id: int) -> Any:
    contact = fetch(request, Contact.objects.all(), VIEW, pk=contact_id)
    if not sees_attitudes(request.user):
        raise Forbidden(_("You are not allowed to do this."))
    return AttitudeAssessment.objects.visible_to(request.user).filter(contact=contact).select_related("assessed_by")


@router.post("/{contact_id}/attitudes", response=responses(201, AttitudeOut))
def assess_attitude(request: HttpRequest, contact_id: int, payload: AttitudeIn) -> Any:
    contact: Any = fetch(request, Contact.objects.all(), CHANGE, pk=contact_id)
    assessment = services.assess_attitude(
        contact=contact,
        score=payload.score,
        evidence=payload.evidence,
        actor=request.user,
        assessed_at=payload.assessed_at,
        source=payload.source,
        visit_id=payload.visit_id,
    )
    return Status(201, assessment)
