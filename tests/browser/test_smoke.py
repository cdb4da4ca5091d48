"""Browser smoke test: log in, switch language both ways, open a list page, on a laptop and a tablet.

Drives Debian's chromium through Playwright (never a downloaded browser) against pytest-django's live
server. Screenshots land in ``var/screenshots/`` for a human look at the design.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

# Playwright's sync API runs an event loop in this thread; the ORM calls below happen outside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Secret-pass-123"
SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is required at /usr/bin/chromium (apt-get install chromium)")
    from playwright import sync_api
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def nav_label(page: Any, key: str) -> str:
    return page.locator(f'#kam-nav [data-nav="{key}"] .nav-link-title').inner_text().strip()


def switch_language(page: Any, code: str) -> None:
    page.locator("header .nav-item.dropdown").first.locator("a[data-bs-toggle=dropdown]").click()
    with page.expect_navigation():
        page.locator(f'#kam-language-form button[data-language="{code}"]').click()


def test_login_language_and_list(
    live_server: Any, browser: Any, users: dict[str, Any], customers: dict[str, Any]
) -> None:
    from kam.core import notifications

    admin = users["admin"]
    admin.display_name = "王管理员"
    admin.save()
    notifications.notify(recipients=[admin], kind="system", title="系统维护通知", body="今晚 22:00 至 23:00 升级")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # log in (the browser asks for Chinese, the site's default)
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    shot(page, "login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")
    assert page.url == f"{live_server.url}/"
    assert nav_label(page, "home") == "首页"
    assert page.locator("#kam-bell .badge").inner_text() == "1"
    page.wait_for_selector("#home-audit-chart svg")  # ECharts drew the admin's activity chart
    shot(page, "home-zh")

    # switch to English and back; the choice is stored on the user
    switch_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert nav_label(page, "home") == "Home"
    assert nav_label(page, "users") == "Users"
    admin.refresh_from_db()
    assert admin.language == "en"
    shot(page, "home-en")
    switch_language(page, "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert nav_label(page, "home") == "首页"
    admin.refresh_from_db()
    assert admin.language == "zh-hans"

    # a list page: search through HTMX updates the table in place
    page.click('#kam-nav [data-nav="users"] a')
    page.wait_for_selector("#list-table table")
    assert page.locator("#list-table tbody tr").count() == len(users)
    with page.expect_response(lambda r: "/admin/users/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.fill("#list-filters input[name=q]", "director")
    page.wait_for_function("document.querySelectorAll('#list-table tbody tr').length === 2")
    assert "q=director" in page.url  # pushed into the address bar
    # the export follows the filter typed in, not the one the page was loaded with
    page.click(".page-header button:has(.ti-download)")
    with page.expect_download() as download_info:
        page.click('[data-kam-export="csv"]')
    exported = Path(download_info.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(exported) == 3 and all("director" in line for line in exported[1:])
    page.fill("#list-filters input[name=q]", "")
    page.wait_for_function(f"document.querySelectorAll('#list-table tbody tr').length === {len(users)}")
    shot(page, "users-list")

    # the global search box answers live
    page.goto(f"{live_server.url}/admin/org-units/")
    page.wait_for_selector("#list-table table")
    shot(page, "org-units")

    # tablet width: the sidebar collapses behind a toggler and the page still works
    tablet = browser.new_context(
        locale="zh-CN", viewport={"width": 768, "height": 1024}, storage_state=context.storage_state()
    )
    tpage = tablet.new_page()
    tpage.on("pageerror", lambda exc: errors.append(str(exc)))
    tpage.goto(f"{live_server.url}/admin/users/")
    tpage.wait_for_selector("#list-table table")
    assert not tpage.locator("#kam-sidebar-menu").is_visible()
    shot(tpage, "users-list-tablet")
    tpage.click(".kam-sidebar .navbar-toggler")
    tpage.wait_for_selector("#kam-sidebar-menu.show")
    assert tpage.locator('#kam-nav [data-nav="home"]').is_visible()
    tpage.goto(f"{live_server.url}/")
    shot(tpage, "home-tablet")
    tablet.close()
    context.close()
    assert errors == []


def login(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")


def test_admin_pages_tabs_forms_and_tokens(
    live_server: Any, browser: Any, users: dict[str, Any], customers: dict[str, Any]
) -> None:
    from kam.core import notifications

    am = users["am"]
    notifications.notify(recipients=[users["admin"]], kind="system", title="新客户分配", body="示例集团已分配给您")
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, live_server.url, "admin")
    assert page.locator("html").get_attribute("lang") == "en"

    # detail page: tabs switch through HTMX, the URL follows
    page.goto(f"{live_server.url}/admin/users/{am.pk}/")
    assert page.locator('[data-tab="overview"]').get_attribute("aria-selected") == "true"
    page.click('[data-tab="history"]')
    page.wait_for_selector("#history")
    assert page.url.endswith("?tab=history")
    shot(page, "user-detail-history")

    # a form with errors: 422, messages on the fields, nothing created
    page.goto(f"{live_server.url}/admin/users/new/")
    page.fill("input[name=username]", "newuser")
    page.select_option("select[name=role]", "noc")
    page.fill("input[name=password]", "short")
    with page.expect_navigation():
        page.click("#kam-form button[type=submit]")
    assert page.locator(".invalid-feedback").count() >= 2
    shot(page, "user-create-errors")

    # inbox and audit log
    page.goto(f"{live_server.url}/notifications/")
    assert "新客户分配" in page.inner_text("#inbox")
    shot(page, "notifications")
    page.goto(f"{live_server.url}/audit/?model=identity.user")
    page.wait_for_selector("#audit-table")
    shot(page, "audit")

    # API token: issued once, copied with the button
    page.goto(f"{live_server.url}/profile/")
    page.fill("#token-form input[name=name]", "nightly export")
    with page.expect_navigation():
        page.click("#token-form button[type=submit]")
    raw = page.input_value("#raw-token")
    assert raw.startswith("kam_")
    page.click("[data-kam-copy]")
    shot(page, "token-issued")
    page.goto(f"{live_server.url}/profile/")
    assert raw not in page.content()
    assert "nightly export" in page.inner_text("#token-table")
    shot(page, "profile")

    # global search box answers live (no providers registered here: the empty state)
    page.goto(f"{live_server.url}/")
    page.fill("#kam-search input[name=q]", "示例")
    page.wait_for_selector("#kam-search-results.show")
    context.close()
    assert errors == []
