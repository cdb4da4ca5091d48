from django.urls import path

from kam.orders import views

app_name = "orders"

urlpatterns = [
    path("work-orders/", views.WorkOrderListView.as_view(), name="list"),
    path("work-orders/new/", views.RequirementFormView.as_view(), name="create"),
    path("work-orders/timeliness/", views.timeliness, name="timeliness"),
    path("work-orders/<int:pk>/", views.WorkOrderDetailView.as_view(), name="detail"),
    path("work-orders/<int:pk>/edit/", views.RequirementFormView.as_view(), name="edit"),
    path("work-orders/<int:pk>/dispatch/", views.dispatch, name="dispatch"),
    path("work-orders/<int:pk>/advance/", views.advance, name="advance"),
    path("work-orders/<int:pk>/pause/", views.pause, name="pause"),
    path("work-orders/<int:pk>/resume/", views.resume, name="resume"),
    path("work-orders/<int:pk>/extensions/", views.extension_request, name="extension-request"),
    path(
        "work-orders/<int:pk>/extensions/<int:ext_pk>/<str:decision>/", views.extension_decide, name="extension-decide"
    ),
    path("work-orders/<int:pk>/test/", views.run_test, name="test"),
    path("work-orders/<int:pk>/complete/", views.complete, name="complete"),
    path("work-orders/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("work-orders/<int:pk>/split/", views.split, name="split"),
    path("work-order-templates/", views.TemplateListView.as_view(), name="template-list"),
    path("work-order-templates/new/", views.TemplateFormView.as_view(), name="template-create"),
    path("work-order-templates/<int:pk>/", views.TemplateFormView.as_view(), name="template-edit"),
    path("time-limit-policies/", views.PolicyListView.as_view(), name="policy-list"),
    path("time-limit-policies/new/", views.PolicyFormView.as_view(), name="policy-create"),
    path("time-limit-policies/<int:pk>/", views.PolicyFormView.as_view(), name="policy-edit"),
]
