from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "kam.orders"
    label = "orders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from kam.orders import registrations

        registrations.register_all()
