from django.urls import path

from kam.identity import views

app_name = "identity"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.tokens, name="tokens"),
    path("profile/tokens/<int:token_id>/revoke/", views.revoke_token, name="token-revoke"),
    path("language/", views.set_language, name="language"),
    path("admin/users/", views.UserListView.as_view(), name="users"),
    path("admin/users/new/", views.UserCreateView.as_view(), name="user-create"),
    path("admin/users/<int:pk>/", views.UserDetailView.as_view(), name="user-detail"),
    path("admin/users/<int:pk>/edit/", views.UserEditView.as_view(), name="user-edit"),
    path("admin/org-units/", views.OrgUnitListView.as_view(), name="org-units"),
]
