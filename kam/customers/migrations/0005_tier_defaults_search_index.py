from decimal import Decimal

from django.db import migrations

# DOMAIN.md defaults: visit cadence A ≥ 1/month, B ≥ 1/quarter, C ≥ 1/half-year (D yearly); top level
# acknowledges within 30 minutes, updates hourly, written report within one working day.
TIERS = [
    # grade, label, rank, cadence, service level, granularity, ack, update, written report h, discount %
    ("A1", "A1 战略客户", 1, 30, "gold", "daily", 30, 60, 24, Decimal("15")),
    ("A2", "A2 核心客户", 2, 30, "gold", "weekly", 30, 60, 24, Decimal("12")),
    ("B1", "B1 重要客户", 3, 90, "silver", "weekly", 60, 120, 48, Decimal("10")),
    ("B2", "B2 重点客户", 4, 90, "silver", "monthly", 60, 120, 48, Decimal("8")),
    ("C", "C 普通客户", 5, 180, "bronze", "monthly", 120, 240, 72, Decimal("5")),
    ("D", "D 一般客户", 6, 365, "standard", "monthly", 240, 480, 120, Decimal("0")),
]


def load_tiers(apps, schema_editor):
    TierPolicy = apps.get_model("customers", "TierPolicy")
    for grade, label, rank, cadence, level, granularity, ack, update, report, discount in TIERS:
        TierPolicy.objects.update_or_create(
            grade=grade,
            defaults=dict(
                label=label, rank=rank, visit_cadence_days=cadence, default_service_level=level,
                report_granularity=granularity, ack_minutes=ack, update_interval_minutes=update,
                written_report_hours=report, discount_authority_pct=discount,
            ),
        )


def unload_tiers(apps, schema_editor):
    apps.get_model("customers", "TierPolicy").objects.filter(grade__in=[t[0] for t in TIERS]).delete()


SQLITE_FTS = [
    "CREATE VIRTUAL TABLE customers_customer_fts USING fts5("
    "search_text, content='customers_customer', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER customers_customer_fts_ai AFTER INSERT ON customers_customer BEGIN "
    "INSERT INTO customers_customer_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER customers_customer_fts_ad AFTER DELETE ON customers_customer BEGIN "
    "INSERT INTO customers_customer_fts(customers_customer_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER customers_customer_fts_au AFTER UPDATE OF search_text ON customers_customer BEGIN "
    "INSERT INTO customers_customer_fts(customers_customer_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO customers_customer_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO customers_customer_fts(customers_customer_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS customers_customer_fts_au",
    "DROP TRIGGER IF EXISTS customers_customer_fts_ad",
    "DROP TRIGGER IF EXISTS customers_customer_fts_ai",
    "DROP TABLE IF EXISTS customers_customer_fts",
]
PG_TRGM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customers_customer_search_trgm "
    "ON customers_customer USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customers_site_phone_trgm ON customers_site USING gin (phone gin_trgm_ops)",
]
PG_TRGM_DROP = [
    "DROP INDEX IF EXISTS customers_site_phone_trgm",
    "DROP INDEX IF EXISTS customers_customer_search_trgm",
]


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FTS, "postgresql": PG_TRGM}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_FTS_DROP, "postgresql": PG_TRGM_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_tiers_sites_search")]

    operations = [
        migrations.RunPython(load_tiers, unload_tiers),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
