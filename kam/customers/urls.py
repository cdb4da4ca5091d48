from django.urls import path

from kam.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("new/", views.CustomerFormView.as_view(), name="create"),
    path("import/", views.import_view, name="import"),
    path("grade-changes/", views.GradeChangeListView.as_view(), name="grade-changes"),
    path("grade-changes/<int:pk>/decide/", views.grade_decide, name="grade-decide"),
    path("tiers/", views.TierPolicyListView.as_view(), name="tiers"),
    path("tiers/new/", views.TierPolicyFormView.as_view(), name="tier-create"),
    path("tiers/<int:pk>/edit/", views.TierPolicyFormView.as_view(), name="tier-edit"),
    path("sites/<int:pk>/edit/", views.site_form, name="site-edit"),
    path("sites/<int:pk>/delete/", views.site_delete, name="site-delete"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CustomerFormView.as_view(), name="edit"),
    path("<int:pk>/tree/", views.tree, name="tree"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/team/", views.team, name="team"),
    path("<int:customer_pk>/sites/new/", views.site_form, name="site-create"),
    path("<int:pk>/grade-change/", views.grade_request, name="grade-request"),
]
