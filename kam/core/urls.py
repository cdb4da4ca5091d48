from django.urls import path

from kam.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/preferences/", views.notification_preferences, name="notification-preferences"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification-read"),
    path("audit/", views.audit_log, name="audit"),
]
