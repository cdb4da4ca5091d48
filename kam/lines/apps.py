from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinesConfig(AppConfig):
    name = "kam.lines"
    label = "lines"
    verbose_name = _("Lines and devices")

    def ready(self) -> None:
        from kam.lines import registration

        registration.register()
