from __future__ import annotations

from typing import Any

import pytest

from kam.core.audit import audit_context, record_bulk
from kam.core.models import AuditEntry
from kam.core.models.audit import AuditSource
from kam.identity.models import User


@pytest.mark.django_db
def test_save_records_actor_source_and_diff(users: dict[str, Any], customers: dict[str, Any]) -> None:
    hq = customers["hq"]
    with audit_context(actor=users["am"], source=AuditSource.IMPORT, request_id="req-1"):
        hq.address = "天河路 1 号"
        hq.save()
    entry = AuditEntry.objects.for_object(hq).first()
    assert entry is not None
    assert (entry.action, entry.actor_id) == ("update", users["am"].pk)
    assert (entry.source, entry.request_id) == ("import", "req-1")
    assert entry.changes == {"address": ["", "天河路 1 号"]}


@pytest.mark.django_db
def test_delete_is_recorded(regions: dict[str, Any]) -> None:
    from kam.customers.models import Customer

    gone = Customer.objects.create(name="短命有限公司", region=regions["cs"])
    pk = gone.pk
    Customer.objects.get(pk=pk).delete()
    entry = AuditEntry.objects.filter(model="customer", object_pk=str(pk)).first()
    assert entry is not None and entry.action == "delete"
    assert entry.changes["name"] == ["短命有限公司", None]


@pytest.mark.django_db
def test_secret_fields_never_reach_the_log(users: dict[str, Any]) -> None:
    user = users["am"]
    user.set_password("Another-pass-456")
    user.save()
    entry = AuditEntry.objects.for_object(user).first()
    assert entry is not None and entry.changes["password"] == ["***", "***"]
    bulk = User(username="bulk", role="admin")
    bulk.set_password("Bulk-pass-789")
    bulk.save()
    AuditEntry.objects.filter(object_pk=str(bulk.pk), model="user").delete()
    record_bulk([bulk], note="test")
    entry = AuditEntry.objects.get(object_pk=str(bulk.pk), model="user")
    assert entry.changes["password"] == ["***", "***"]
    assert entry.changes["username"] == [None, "bulk"]
    assert "last_login" not in entry.changes
