from django.urls import path

from kam.lines import views

app_name = "lines"

urlpatterns = [
    path("", views.LineListView.as_view(), name="line-list"),
    path("new/", views.LineFormView.as_view(), name="line-create"),
    path("import/", views.import_view, name="import"),
    path("<int:pk>/", views.LineDetailView.as_view(), name="line-detail"),
    path("<int:pk>/edit/", views.LineFormView.as_view(), name="line-edit"),
    path("<int:pk>/activation-test/", views.line_test, name="line-test"),
    path("<int:pk>/endpoints/", views.line_endpoint, name="line-endpoint"),
    path("devices/", views.DeviceListView.as_view(), name="device-list"),
    path("devices/new/", views.DeviceFormView.as_view(), name="device-create"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device-detail"),
    path("devices/<int:pk>/edit/", views.DeviceFormView.as_view(), name="device-edit"),
    path("devices/<int:pk>/discover/", views.device_discover, name="device-discover"),
    path("pops/", views.PopListView.as_view(), name="pop-list"),
    path("pops/new/", views.PopFormView.as_view(), name="pop-create"),
    path("pops/<int:pk>/", views.PopDetailView.as_view(), name="pop-detail"),
    path("pops/<int:pk>/edit/", views.PopFormView.as_view(), name="pop-edit"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/confirm/", views.proposal_decide, {"decision": "confirm"}, name="proposal-confirm"),
    path("proposals/<int:pk>/dismiss/", views.proposal_decide, {"decision": "dismiss"}, name="proposal-dismiss"),
]
