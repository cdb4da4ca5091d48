"""The shell's pages: home, search, notifications, audit log, error pages, navigation."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kam.core import notifications as notes
from kam.core.audit import audit_context
from kam.core.models import AuditEntry, Notification, NotificationPreference
from kam.core.models.audit import AuditSource
from kam.core.registry import NavItem, Panel, SearchHit, SearchProvider, registry
from kam.core.testing import assert_matrix, ui_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def nav_keys(response: Any) -> list[str]:
    return [link.key for section in response.context["nav_sections"] for link in section.links]


# --- home and navigation --------------------------------------------------------------------------------


def test_home_matrix(users: dict[str, Any]) -> None:
    assert_matrix(url="/", allowed=list(users.values()), denied=[])


def test_navigation_is_role_aware(users: dict[str, Any]) -> None:
    admin_nav = nav_keys(ui_client(users["admin"]).get("/"))
    assert {"home", "search", "audit", "users", "org-units"} <= set(admin_nav)
    assert admin_nav[0] == "home"
    assert admin_nav.index("audit") > admin_nav.index("search")  # the admin section comes last
    am_nav = nav_keys(ui_client(users["am"]).get("/"))
    assert "home" in am_nav and "search" in am_nav
    assert not {"audit", "users", "org-units"} & set(am_nav)


def test_nav_marks_the_current_page(users: dict[str, Any]) -> None:
    response = ui_client(users["admin"]).get("/audit/")
    active = [link.key for section in response.context["nav_sections"] for link in section.links if link.active]
    assert active == ["audit"]
    response = ui_client(users["admin"]).get("/")
    active = [link.key for section in response.context["nav_sections"] for link in section.links if link.active]
    assert active == ["home"]


def test_home_shows_unread_notifications_and_admin_audit(users: dict[str, Any]) -> None:
    notes.notify(recipients=[users["am"]], kind="system", title="Maintenance tonight", body="22:00–23:00")
    content = ui_client(users["am"]).get("/").content.decode()
    assert "Maintenance tonight" in content
    assert 'id="home-audit"' not in content
    assert "Good" in content and "am" in content
    admin = ui_client(users["admin"]).get("/")
    assert 'id="home-audit"' in admin.content.decode()
    assert admin.context["recent_audit"]
    today_count = AuditEntry.objects.filter(at__date=timezone.localdate()).count()
    data = admin.context["audit_activity"]["series"][0]["data"]
    assert len(data) == 14 and data[-1] == today_count > 0 and sum(data[:-1]) == 0
    assert "vendor/echarts/echarts.min.js" in admin.content.decode()
    assert ui_client(users["am"]).get("/").context["audit_activity"] is None


def test_home_shortcuts_come_from_the_users_navigation(users: dict[str, Any]) -> None:
    admin_shortcuts = [link.key for link in ui_client(users["admin"]).get("/").context["shortcuts"]]
    assert "home" not in admin_shortcuts and "search" not in admin_shortcuts
    assert len(admin_shortcuts) <= 8
    am_shortcuts = [link.key for link in ui_client(users["am"]).get("/").context["shortcuts"]]
    assert not {"audit", "users", "org-units"} & set(am_shortcuts)


def test_home_renders_registered_panels(users: dict[str, Any]) -> None:
    panel = Panel(
        "test-home",
        "Test panel",
        "core/_fields.html",
        context=lambda request, obj: {"object": request.user},
        visible=lambda user, obj: user.role == "director",
    )
    registry.add_panel("home", panel)
    try:
        content = ui_client(users["director"]).get("/").content.decode()
        assert 'data-panel="test-home"' in content and "Test panel" in content
        assert 'data-panel="test-home"' not in ui_client(users["am"]).get("/").content.decode()
    finally:
        registry.panels["home"] = [p for p in registry.panels.get("home", []) if p.key != "test-home"]


def test_shell_shows_bell_count_language_switch_and_logout(users: dict[str, Any]) -> None:
    notes.notify(recipients=[users["am"]], kind="system", title="One")
    notes.notify(recipients=[users["am"]], kind="system", title="Two")
    content = ui_client(users["am"]).get("/").content.decode()
    assert 'id="kam-bell"' in content and ">2</span>" in content
    assert 'action="/language/"' in content and 'value="en"' in content and 'value="zh-hans"' in content
    assert 'action="/logout/" method="post"' in content
    assert 'hx-headers=\'{"X-CSRFToken": "' in content
    assert "/static/vendor/htmx.org/htmx.min.js" in content


def test_bell_refreshes_itself(users: dict[str, Any]) -> None:
    client = ui_client(users["am"])
    empty = client.get("/notifications/", {"part": "bell"}, HTTP_HX_REQUEST="true").content.decode()
    assert empty.strip().startswith('<div class="nav-item" id="kam-bell-wrap"') and "badge" not in empty
    notes.notify(recipients=[users["am"]], kind="system", title="New")
    bell = client.get("/notifications/", {"part": "bell"}, HTTP_HX_REQUEST="true").content.decode()
    assert ">1</span>" in bell and "<html" not in bell


def test_nav_item_with_unknown_url_is_skipped(users: dict[str, Any]) -> None:
    registry.add_nav(NavItem("broken", "Broken", "nowhere:nothing"))
    try:
        assert "broken" not in nav_keys(ui_client(users["admin"]).get("/"))
    finally:
        registry.nav = [i for i in registry.nav if i.key != "broken"]


# --- search ---------------------------------------------------------------------------------------------


@pytest.fixture
def search_provider() -> Any:
    def run(user: Any, query: str, limit: int) -> list[SearchHit]:
        names = ["Alpha Bank", "Alpha Steel", "Beta Port"]
        return [
            SearchHit(n, f"/x/{i}/", "Customer", "for " + user.username)
            for i, n in enumerate(names)
            if query.lower() in n.lower()
        ][:limit]

    provider = SearchProvider("test", "Test customers", run)
    registry.add_search(provider)
    yield provider
    registry.search = [p for p in registry.search if p.key != "test"]


def test_search_matrix(users: dict[str, Any], search_provider: Any) -> None:
    assert_matrix(url="/search/?q=alpha", allowed=[users["am"], users["customer"]], denied=[])


def test_search_page_and_htmx_partial(users: dict[str, Any], search_provider: Any) -> None:
    client = ui_client(users["am"])
    response = client.get("/search/", {"q": "alpha"})
    content = response.content.decode()
    assert "<html" in content and "Alpha Bank" in content and "Alpha Steel" in content and "Beta" not in content
    assert response.context["hit_count"] == 2
    partial = client.get("/search/", {"q": "beta"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Beta Port" in partial and 'href="/x/2/"' in partial
    empty = client.get("/search/", {"q": "zzz"}, HTTP_HX_REQUEST="true").content.decode()
    assert "data-empty-search" in empty
    assert client.get("/search/", {"q": ""}, HTTP_HX_REQUEST="true").content.decode().strip() == ""


# --- notifications --------------------------------------------------------------------------------------


def test_notifications_inbox_is_per_user(users: dict[str, Any]) -> None:
    notes.notify(recipients=[users["am"]], kind="system", title="For the AM")
    notes.notify(recipients=[users["noc"]], kind="system", title="For the NOC")
    assert_matrix(url="/notifications/", allowed=[users["am"]], denied=[])
    content = ui_client(users["am"]).get("/notifications/").content.decode()
    assert "For the AM" in content and "For the NOC" not in content
    assert 'id="preferences"' in content and 'name="pref:system:inapp"' in content


def test_mark_read_is_only_for_the_recipient(users: dict[str, Any]) -> None:
    [note] = notes.notify(recipients=[users["am"]], kind="system", title="Read me", url="/search/")
    url = f"/notifications/{note.pk}/read/"

    def state() -> Any:
        return Notification.objects.get(pk=note.pk).read_at

    assert_matrix(
        url=url,
        method="post",
        data={"stay": "1"},
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=[users["noc"], users["am_other"]],
        denied_status=(404,),
        state=state,
    )
    assert state() is not None
    [other] = notes.notify(recipients=[users["am"]], kind="system", title="Open me", url="/search/")
    response = ui_client(users["am"]).post(f"/notifications/{other.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/search/"
    assert ui_client(users["am"]).get(f"/notifications/{other.pk}/read/").status_code == 405


def test_mark_all_read_and_unread_filter(users: dict[str, Any]) -> None:
    notes.notify(recipients=[users["am"], users["noc"]], kind="system", title="Everyone")
    notes.notify(recipients=[users["am"]], kind="system", title="Just AM")
    client = ui_client(users["am"])
    assert len(client.get("/notifications/", {"show": "unread"}).context["page"].object_list) == 2
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert Notification.objects.for_user(users["am"]).unread().count() == 0
    assert Notification.objects.for_user(users["noc"]).unread().count() == 1
    assert len(client.get("/notifications/", {"show": "unread"}).context["page"].object_list) == 0


def test_notification_preferences_matrix(users: dict[str, Any]) -> None:
    client = ui_client(users["am"])
    # the form posts every box: keep the current settings, but switch 'system' from the inbox to e-mail
    data = {
        f"pref:{row.kind.code}:{channel}": "on"
        for row in notes.preference_matrix(users["am"])
        for channel, enabled in row.channels.items()
        if enabled
    }
    data.pop("pref:system:inapp")
    data["pref:system:email"] = "on"
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 302
    prefs = set(NotificationPreference.objects.filter(user=users["am"]).values_list("kind", "channel", "enabled"))
    assert prefs == {("system", "inapp", False), ("system", "email", True)}  # only the changes are stored
    assert notes.is_enabled(user=users["am"], kind="system", channel="email") is True
    assert NotificationPreference.objects.filter(user=users["noc"]).count() == 0
    assert Client().post("/notifications/preferences/", {"pref:system:email": "on"}).status_code == 302
    assert NotificationPreference.objects.count() == 2


# --- audit log ------------------------------------------------------------------------------------------


@pytest.fixture
def audit_entries(users: dict[str, Any], customers: dict[str, Any]) -> dict[str, Any]:
    hq = customers["hq"]
    with audit_context(actor=users["am"], source=AuditSource.UI, request_id="req-abc"):
        hq.short_name = "改名"
        hq.save()
    with audit_context(actor=users["director"], source=AuditSource.API, request_id="req-def"):
        hq.value_grade = "A2"
        hq.save()
    return {"hq": hq}


def test_audit_matrix(users: dict[str, Any], audit_entries: dict[str, Any]) -> None:
    others = [u for k, u in users.items() if k != "admin"]
    assert_matrix(url="/audit/", allowed=[users["admin"]], denied=others, denied_status=(403,))


def test_audit_filters(users: dict[str, Any], audit_entries: dict[str, Any]) -> None:
    hq = audit_entries["hq"]
    client = ui_client(users["admin"])

    def found(**params: Any) -> list[str]:
        response = client.get("/audit/", params)
        assert response.status_code == 200
        return [e.request_id for e in response.context["entries"] if e.model == "customer" and e.action == "update"]

    assert found(request_id="req-abc") == ["req-abc"]
    assert found(actor="director") == ["req-def"]
    assert found(source="api") == ["req-def"]
    assert found(model="customers.customer", object_pk=str(hq.pk)) == ["req-def", "req-abc"]
    assert found(model="customer", action="update") == ["req-def", "req-abc"]
    today = timezone.localdate().isoformat()
    assert found(date_from=today, date_to=today, model="customer") == ["req-def", "req-abc"]
    assert found(date_to="2000-01-01") == []
    assert found(action="bogus") == []  # an invalid filter shows nothing rather than everything
    response = client.get("/audit/", {"request_id": "req-abc"})
    content = response.content.decode()
    assert '<span class="kam-change-old">示例集团</span> → <span class="kam-change-new">改名</span>' in content
    partial = client.get("/audit/", {"request_id": "req-abc"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and partial.strip().startswith('<div id="audit-entries">')


def test_audit_is_paginated(users: dict[str, Any], customers: dict[str, Any]) -> None:
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(action="update", app_label="x", model="y", object_pk=str(i), object_repr=f"o{i}")
            for i in range(60)
        ]
    )
    client = ui_client(users["admin"])
    response = client.get("/audit/", {"model": "x.y"})
    assert response.context["page"].paginator.count == 60 and len(response.context["entries"]) == 50
    assert len(client.get("/audit/", {"model": "x.y", "page": 2}).context["entries"]) == 10


# --- error pages ----------------------------------------------------------------------------------------


def test_404_page_uses_the_shell(users: dict[str, Any], settings: Any) -> None:
    settings.DEBUG = False
    response = ui_client(users["am"]).get("/no/such/page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content and 'id="kam-nav"' in content


def test_500_template_renders_without_a_request() -> None:
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "500" in html and "Something went wrong on our side" in html


def test_domain_error_page(rf: Any, users: dict[str, Any]) -> None:
    from django.template import loader

    from kam.core.errors import Conflict

    html = loader.get_template("core/error.html").render({"error": Conflict("Already approved.")})
    assert "409" in html and "Already approved." in html


# --- template helpers -----------------------------------------------------------------------------------


def test_template_helpers(rf: Any) -> None:
    from datetime import datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.template import Context, Template

    from kam.core.templatetags import kam as tags

    assert tags.duration(45) == "45 seconds"
    assert tags.duration(3600 + 5 * 60) == "1 hour 5 minutes"
    assert tags.duration(3 * 86400 + 4 * 3600 + 59) == "3 days 4 hours"
    assert tags.duration(-120) == "-2 minutes"
    assert tags.duration(None) == "—"
    assert str(tags.grade_badge("A1")) == '<span class="badge bg-red-lt kam-grade">A1</span>'
    assert str(tags.severity_badge("critical", "严重")) == '<span class="badge bg-red-lt ">严重</span>'
    assert tags.grade_badge("") == "—"
    assert tags.display(datetime(2026, 1, 2, 3, 4, tzinfo=ZoneInfo("UTC"))) == "2026-01-02 11:04"
    assert tags.display(Decimal("1234567.5")) == "1,234,567.50"
    assert tags.initials("王小明") == "小明" and tags.initials("Jane Doe") == "JD"
    request = rf.get("/x/", {"page": "3", "sort": "name", "q": "a b"})
    out = Template('{% load kam %}{% query_update page=None sort="-name" %}').render(Context({"request": request}))
    assert out == "?sort=-name&amp;q=a+b"
    assert Template('{% load kam %}{{ d|attr:"a.b" }}').render(Context({"d": {"a": {"b": "deep"}}})) == "deep"
