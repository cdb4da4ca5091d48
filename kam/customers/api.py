from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from kam.core.api import Page, fetch, responses
from kam.customers.models import Customer
from kam.customers.schemas import CustomerOut

router = Router(tags=["customers"])


@router.get("", response=responses(200, list[CustomerOut]))
@paginate(Page)
def list_customers(request: HttpRequest, q: str | None = None, value_grade: str | None = None) -> Any:
    qs = Customer.objects.visible_to(request.user)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(short_name__contains=q) | Q(uscc=q.upper()))
    if value_grade:
        qs = qs.filter(value_grade=value_grade)
    return qs


@router.get("/{customer_id}", response=responses(200, CustomerOut))
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    return fetch(request, Customer.objects.all(), pk=customer_id)
