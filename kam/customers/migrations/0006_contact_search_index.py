"""A trigram index on ``Contact.search_text`` (FTS5 on SQLite, pg_trgm on PostgreSQL) and a name index."""

from django.db import migrations, models

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS customers_contact_fts USING fts5("
    "search_text, content='customers_contact', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS customers_contact_fts_ai AFTER INSERT ON customers_contact BEGIN "
    "INSERT INTO customers_contact_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS customers_contact_fts_ad AFTER DELETE ON customers_contact BEGIN "
    "INSERT INTO customers_contact_fts(customers_contact_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS customers_contact_fts_au AFTER UPDATE OF search_text ON customers_contact BEGIN "
    "INSERT INTO customers_contact_fts(customers_contact_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO customers_contact_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO customers_contact_fts(customers_contact_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS customers_contact_fts_au",
    "DROP TRIGGER IF EXISTS customers_contact_fts_ad",
    "DROP TRIGGER IF EXISTS customers_contact_fts_ai",
    "DROP TABLE IF EXISTS customers_contact_fts",
]
PG_TRGM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS customers_contact_search_trgm "
    "ON customers_contact USING gin (search_text gin_trgm_ops)",
]
PG_TRGM_DROP = ["DROP INDEX IF EXISTS customers_contact_search_trgm"]


def create_search_index(apps, schema_editor):
    for sql in {"sqlite": SQLITE_FTS, "postgresql": PG_TRGM}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def drop_search_index(apps, schema_editor):
    for sql in {"sqlite": SQLITE_FTS_DROP, "postgresql": PG_TRGM_DROP}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_tier_defaults_search_index")]

    operations = [
        migrations.AddIndex(model_name="contact", index=models.Index(fields=["name"], name="contact_name")),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
