from __future__ import annotations

from datetime import datetime

from ninja import Schema


class CustomerOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    customer_type: str
    value_grade: str
    service_level: str
    industry_id: str | None
    industry_line_id: str | None
    region_id: str
    address: str
    lifecycle: str
    credit_status: str
    payment_terms: str
    parent_id: int | None
    org_unit_id: int | None
    owner_id: int | None
    created_at: datetime
    updated_at: datetime
