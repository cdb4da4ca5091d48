from django.urls import path

from kam.engagement import views

app_name = "engagement"

urlpatterns = [
    path("visits/overdue/", views.OverdueView.as_view(), name="overdue"),
]
