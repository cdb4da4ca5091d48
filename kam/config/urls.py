from django.urls import include, path

from kam.config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("kam.customers.urls")),
    path("engagement/", include("kam.engagement.urls")),
    path("lines/", include("kam.lines.urls")),
    path("", include("kam.orders.urls")),
    path("", include("kam.identity.urls")),
    path("", include("kam.core.urls")),
    path("", include("kam.customers.contacts.urls")),
]
