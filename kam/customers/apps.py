from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kam.customers"
    label = "customers"
    verbose_name = _("Key accounts")

    def ready(self) -> None:
        from kam.core.notifications import register_kind
        from kam.core.registry import SearchProvider, registry
        from kam.customers import services
        from kam.customers.search import search_hits

        register_kind(
            services.GRADE_REQUESTED_KIND,
            _("Grade change waiting for my decision"),
            description=_("An account manager asks to change a customer's value grade."),
        )
        register_kind(
            services.GRADE_DECIDED_KIND,
            _("Decision on my grade change request"),
            description=_("A director approved or rejected a grade change you asked for."),
        )
        registry.add_search(SearchProvider(key="customers", label=_("Customers"), search=search_hits, order=10))
        from kam.customers.contacts import register as register_contacts

        register_contacts()

        from kam.customers import exchange

        exchange.register()

        from kam.customers import demo, registrations  # noqa: F401  (demo registers the "customers" step)

        registrations.register_all()
