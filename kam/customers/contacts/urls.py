"""Contact pages. Included at the site root, so that the org chart lives under its customer."""

from django.urls import path

from kam.customers.contacts import views

app_name = "contacts"

urlpatterns = [
    path("contacts/", views.ContactListView.as_view(), name="list"),
    path("contacts/new/", views.ContactFormView.as_view(), name="create"),
    path("contacts/import/", views.import_contacts, name="import"),
    path("contacts/hostile/", views.HostileDecisionMakersView.as_view(), name="hostile"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="detail"),
    path("contacts/<int:pk>/edit/", views.ContactFormView.as_view(), name="edit"),
    path("contacts/<int:pk>/assess/", views.assess, name="assess"),
    path("contacts/<int:pk>/departure/", views.departure, name="departure"),
    path("contacts/<int:pk>/delete/", views.delete, name="delete"),
    path("customers/<int:customer_pk>/org-chart/", views.org_chart, name="org-chart"),
]
