"""The org chart in a real browser: drag a person onto a new manager, and move by the form (cycles refused)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kam.customers.contacts.testing import make_contacts
from kam.customers.models import Contact

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "Secret-pass-123"

NODE_CENTRE = """([root, name]) => {
  const el = document.querySelector(root + " .kam-org-chart");
  const chart = echarts.getInstanceByDom(el);
  const data = chart.getModel().getSeriesByIndex(0).getData();
  const box = el.getBoundingClientRect();
  for (let i = 0; i < data.count(); i++) {
    if (data.getName(i).split(" ")[0] === name) {
      const [x, y] = data.getItemGraphicEl(i).transformCoordToGlobal(0, 0);
      return [box.left + x, box.top + y];
    }
  }
  return null;
}"""


def settled_centre(page: Any, root: str, name: str) -> Any:
    """A node's centre once the chart's layout animation has come to rest (two equal readings)."""
    previous = None
    for _ in range(50):
        current = page.evaluate(NODE_CENTRE, [root, name])
        if current is not None and current == previous:
            return current
        previous = current
        page.wait_for_timeout(100)
    return previous


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is required at /usr/bin/chromium (apt-get install chromium)")
    from playwright import sync_api
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


def test_org_chart_drag_and_form(
    live_server: Any, browser: Any, settings: Any, users: dict[str, Any], customers: dict[str, Any]
) -> None:
    contacts = make_contacts(customers)
    am = users["am"]
    am.language = "en"
    am.set_password(PASSWORD)
    am.save()
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "am")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")
    hq = customers["hq"].pk
    page.goto(f"{live_server.url}/customers/{hq}/org-chart/")
    page.wait_for_selector(f"#org-chart-{hq} .kam-org-chart canvas")
    root = f"#org-chart-{hq}"

    # drag the engineer onto the procurement manager
    page.wait_for_function(f"() => !!echarts.getInstanceByDom(document.querySelector('{root} .kam-org-chart'))")
    start = settled_centre(page, root, "刘洋")
    target = settled_centre(page, root, "陈静")
    assert start and target
    with page.expect_response(lambda r: r.url.endswith(f"/contacts/{contacts['engineer'].pk}/reports-to")) as moved:
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move((start[0] + target[0]) / 2, (start[1] + target[1]) / 2, steps=4)
        page.mouse.move(*target, steps=4)
        page.mouse.up()
    assert moved.value.status == 200
    page.wait_for_function(f"document.querySelector('{root} .kam-org-chart-status').textContent === 'Moved.'")
    assert Contact.objects.get(pk=contacts["engineer"].pk).reports_to_id == contacts["buyer"].pk

    # the form: putting the general manager under the CIO is a cycle, refused with the reason
    page.select_option(f"{root} select[name=contact]", str(contacts["gm"].pk))
    page.select_option(f"{root} select[name=manager]", str(contacts["cio"].pk))
    page.click(f"{root} form.kam-org-chart-move button[type=submit]")
    page.wait_for_function(f"document.querySelector('{root} .kam-org-chart-status').textContent.includes('cycle')")
    assert page.inner_text(f"{root} .kam-org-chart-status") == (
        "李娜 already reports, directly or indirectly, to 张伟: that would be a cycle."
    )
    assert Contact.objects.get(pk=contacts["gm"].pk).reports_to_id is None
    assert errors == []
