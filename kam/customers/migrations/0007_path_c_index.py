from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # subtree ranges compare paths byte-wise ("/1/" ≤ path < "/1/~"): an index in the C collation
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS customers_customer_path_c ON customers_customer (path COLLATE "C")'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customers_customer_path_c")


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_contact_search_index")]

    operations = [migrations.RunPython(create, drop)]
