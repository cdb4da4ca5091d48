"""Login (with lockout), language, profile and tokens, and the admin pages for users and org units."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from kam.core.testing import assert_matrix, ui_client
from kam.identity.models import ApiToken, User, hash_token
from kam.identity.services import issue_token

pytestmark = pytest.mark.django_db

PASSWORD = "Secret-pass-123"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def users_state() -> list[tuple[Any, ...]]:
    return list(
        User.objects.order_by("pk").values_list("pk", "username", "role", "display_name", "is_active", "org_unit_id")
    )


# --- login ----------------------------------------------------------------------------------------------


def test_login_page_and_success(users: dict[str, Any]) -> None:
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="login-language"' in content and 'name="username"' in content
    response = client.post("/login/", {"username": "am", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    # a logged-in user is sent on from the login page
    assert client.get("/login/").status_code == 302


def test_anonymous_pages_redirect_to_login() -> None:
    response = Client().get("/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/profile/")


def test_lockout_after_repeated_failures_even_with_the_right_password(users: dict[str, Any], settings: Any) -> None:
    settings.KAM_LOCKOUT_THRESHOLD = 5
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": "am", "password": "wrong-password-1"})
        assert response.status_code == 200
        assert "Wrong username or password" in response.content.decode()
    response = client.post("/login/", {"username": "am", "password": PASSWORD})
    assert response.status_code == 200  # refused: locked
    assert 'id="login-error"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.get(username="am").is_locked()
    # other users are not affected
    assert Client().post("/login/", {"username": "noc", "password": PASSWORD}).status_code == 302


def test_failures_below_the_threshold_do_not_lock(users: dict[str, Any], settings: Any) -> None:
    settings.KAM_LOCKOUT_THRESHOLD = 5
    client = Client()
    for _ in range(4):
        client.post("/login/", {"username": "am", "password": "wrong-password-1"})
    assert client.post("/login/", {"username": "am", "password": PASSWORD}).status_code == 302
    assert User.objects.get(username="am").failed_logins == 0


def test_logout_is_post_only(users: dict[str, Any]) -> None:
    client = ui_client(users["am"])
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


# --- language -------------------------------------------------------------------------------------------


def test_language_switch_persists_on_the_user(users: dict[str, Any]) -> None:
    client = ui_client(users["am"])
    response = client.post("/language/", {"language": "en", "next": "/profile/"})
    assert response.status_code == 302 and response["Location"] == "/profile/"
    assert User.objects.get(username="am").language == "en"
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    assert User.objects.get(username="am").language == "zh-hans"
    # a fresh session (another device) gets the user's language
    other = ui_client(User.objects.get(username="am"))
    assert '<html lang="zh-hans">' in other.get("/").content.decode()
    # an unknown language changes nothing
    client.post("/language/", {"language": "xx", "next": "/"})
    assert User.objects.get(username="am").language == "zh-hans"


def test_language_switch_on_the_login_page(users: dict[str, Any]) -> None:
    client = Client()
    client.post("/language/", {"language": "zh-hans", "next": "/login/"})
    assert '<html lang="zh-hans">' in client.get("/login/").content.decode()
    client.post("/language/", {"language": "en", "next": "/login/"})
    assert '<html lang="en">' in client.get("/login/").content.decode()


# --- profile and tokens ---------------------------------------------------------------------------------


def test_profile_matrix(users: dict[str, Any]) -> None:
    assert_matrix(url="/profile/", allowed=list(users.values()), denied=[])


def test_profile_lists_only_own_tokens(users: dict[str, Any]) -> None:
    issue_token(user=users["am"], name="am-script")
    issue_token(user=users["noc"], name="noc-script")
    content = ui_client(users["am"]).get("/profile/").content.decode()
    assert "am-script" in content and "noc-script" not in content


def test_issue_token_shows_it_once(users: dict[str, Any]) -> None:
    client = ui_client(users["am"])
    response = client.post("/profile/tokens/", {"name": "billing sync"})
    assert response.status_code == 200
    raw = response.context["raw_token"]
    assert raw.startswith("kam_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=users["am"], name="billing sync")
    assert token.key_hash == hash_token(raw)
    assert raw not in client.get("/profile/").content.decode()
    # the token works against the API
    me = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")
    assert me.status_code == 200 and me.json()["username"] == "am"
    # a name is required
    response = client.post("/profile/tokens/", {"name": ""})
    assert response.status_code == 302
    assert ApiToken.objects.filter(user=users["am"]).count() == 1


def test_revoke_token_matrix(users: dict[str, Any]) -> None:
    token, _raw = issue_token(user=users["am"], name="mine")

    def state() -> Any:
        return ApiToken.objects.get(pk=token.pk).revoked_at

    assert_matrix(
        url=f"/profile/tokens/{token.pk}/revoke/",
        method="post",
        allowed=[users["am"]],
        allowed_status=(302,),
        denied=[users["noc"], users["am_other"], users["customer"]],
        denied_status=(404,),
        state=state,
    )
    assert state() is not None
    # revoking again is a conflict shown as a message, not an error page
    response = ui_client(users["am"]).post(f"/profile/tokens/{token.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["This token is already revoked."]


# --- admin: users ---------------------------------------------------------------------------------------


def non_admins(users: dict[str, Any]) -> list[Any]:
    return [u for k, u in users.items() if k != "admin"]


def test_user_pages_are_admin_only(users: dict[str, Any]) -> None:
    am = users["am"]
    for url in (
        "/admin/users/",
        f"/admin/users/{am.pk}/",
        f"/admin/users/{am.pk}/edit/",
        "/admin/users/new/",
        "/admin/org-units/",
    ):
        assert_matrix(url=url, allowed=[users["admin"]], denied=non_admins(users), denied_status=(403,))


def test_user_list_filters_search_and_export(users: dict[str, Any]) -> None:
    client = ui_client(users["admin"])
    response = client.get("/admin/users/", {"role": "account_manager"})
    assert sorted(r.obj.username for r in response.context["rows"]) == ["am", "am_other"]
    response = client.get("/admin/users/", {"org_unit": "gd-gz"})
    assert sorted(r.obj.username for r in response.context["rows"]) == ["am", "engineer"]
    response = client.get("/admin/users/", {"q": "director"})
    assert sorted(r.obj.username for r in response.context["rows"]) == ["director", "director_hn"]
    assert f'href="/admin/users/{users["am"].pk}/"' in client.get("/admin/users/").content.decode()
    response = client.get("/admin/users/", {"export": "csv", "role": "noc", "cols": "username,role,org_unit.name"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["Username", "Role", "Org unit"], ["noc", "NOC engineer", "广东分公司"]]


def test_user_detail_shows_history_and_tokens(users: dict[str, Any]) -> None:
    issue_token(user=users["am"], name="am-cli")
    client = ui_client(users["admin"])
    response = client.get(f"/admin/users/{users['am'].pk}/")
    assert response.status_code == 200 and response.context["edit_url"] == f"/admin/users/{users['am'].pk}/edit/"
    assert "am-cli" in client.get(f"/admin/users/{users['am'].pk}/", {"tab": "tokens"}).content.decode()
    history = client.get(f"/admin/users/{users['am'].pk}/", {"tab": "history"})
    assert history.context["entries"][0].action == "create"
    assert client.get("/admin/users/999999/").status_code == 404


def test_create_user_through_the_service(users: dict[str, Any], org: dict[str, Any]) -> None:
    client = ui_client(users["admin"])
    data = {
        "username": "newam",
        "display_name": "新客户经理",
        "role": "account_manager",
        "org_unit": org["sz"].pk,
        "password": "Longer-pass-2026",
    }
    response = client.post("/admin/users/new/", data)
    created = User.objects.get(username="newam")
    assert response.status_code == 302 and response["Location"] == f"/admin/users/{created.pk}/"
    assert created.check_password("Longer-pass-2026") and created.org_unit == org["sz"]


def test_create_user_errors_are_422_and_create_nothing(users: dict[str, Any], org: dict[str, Any]) -> None:
    client = ui_client(users["admin"])
    before = users_state()
    # weak password: rejected by the service's validators
    response = client.post(
        "/admin/users/new/",
        {"username": "weak", "role": "account_manager", "org_unit": org["gz"].pk, "password": "short"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["password"]
    # staff without an org unit: the model's rule, via the service
    response = client.post("/admin/users/new/", {"username": "nounit", "role": "noc", "password": "Longer-pass-2026"})
    assert response.status_code == 422
    assert response.context["form"].errors["org_unit"] == ["Staff users belong to an org unit."]
    # an existing name
    response = client.post("/admin/users/new/", {"username": "am", "role": "noc", "org_unit": org["gz"].pk})
    assert response.status_code == 422
    assert response.context["form"].errors["username"] == ["A user named am already exists."]
    assert users_state() == before
    # non-admins cannot create, and nothing is created
    assert_matrix(
        url="/admin/users/new/",
        method="post",
        data={"username": "x1", "role": "noc", "org_unit": org["gz"].pk},
        allowed=[],
        denied=non_admins(users),
        denied_status=(403,),
        state=users_state,
    )


def test_edit_user(users: dict[str, Any], org: dict[str, Any]) -> None:
    am = users["am"]
    url = f"/admin/users/{am.pk}/edit/"
    data = {
        "display_name": "王经理",
        "email": "wang@example.com",
        "phone": "",
        "role": "director",
        "org_unit": org["gd"].pk,
        "customer": "",
        "language": "",
        "is_active": "on",
    }
    # a user may not promote themselves through the admin form
    assert_matrix(
        url=url,
        method="post",
        data=data,
        allowed=[users["admin"]],
        allowed_status=(302,),
        denied=non_admins(users),
        denied_status=(403,),
        state=users_state,
    )
    am.refresh_from_db()
    assert (am.display_name, am.role, am.org_unit_id) == ("王经理", "director", org["gd"].pk)
    # the history names the choices and the related org units
    history = ui_client(users["admin"]).get(f"/admin/users/{am.pk}/", {"tab": "history"})
    rows = dict((label, (before, after)) for label, before, after in history.context["entries"][0].rows)
    assert rows["Role"] == ("Account manager", "Director")
    assert rows["Org unit"] == ("广州分公司", "广东分公司")
    assert rows["Display name"] == ("am", "王经理")
    # invalid: a customer user without a customer
    response = ui_client(users["admin"]).post(url, {**data, "role": "customer", "org_unit": ""})
    assert response.status_code == 422
    am.refresh_from_db()
    assert am.role == "director"


def test_org_unit_tree(users: dict[str, Any], org: dict[str, Any]) -> None:
    response = ui_client(users["admin"]).get("/admin/org-units/")
    assert [r.obj.code for r in response.context["rows"]] == ["gd", "gd-gz", "gd-sz", "hn"]  # tree order (path)
    counts = {r.obj.code: r.cells[-1].value for r in response.context["rows"]}
    assert counts == {"gd": 3, "gd-gz": 2, "gd-sz": 0, "hn": 2}
    response = ui_client(users["admin"]).get("/admin/org-units/", {"level": "2"})
    assert [r.obj.code for r in response.context["rows"]] == ["gd-gz", "gd-sz"]
