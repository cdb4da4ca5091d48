"""The shipped time-limit policies (3-9 working days on the mainland office calendar); admins edit them."""

from decimal import Decimal

from django.db import migrations

from kam.orders.defaults import DEFAULT_AT_RISK_RATIO, DEFAULT_ESCALATION_STEP_HOURS, SHIPPED_POLICIES


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Policy = apps.get_model("orders", "TimeLimitPolicy")
    db = schema_editor.connection.alias
    if Policy.objects.using(db).exists():
        return
    for name, product, protection, availability, hours in SHIPPED_POLICIES:
        Policy.objects.using(db).create(
            name=name,
            product=product,
            protection_level=protection,
            resource_availability=availability,
            stage_hours={k: str(v) for k, v in hours.items()},
            at_risk_ratio=DEFAULT_AT_RISK_RATIO,
            escalation_step_hours=Decimal(DEFAULT_ESCALATION_STEP_HOURS),
        )


def unload(apps, schema_editor):  # type: ignore[no-untyped-def]
    Policy = apps.get_model("orders", "TimeLimitPolicy")
    Policy.objects.using(schema_editor.connection.alias).filter(name__in=[p[0] for p in SHIPPED_POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
