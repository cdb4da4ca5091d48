"""Bulk loads and the contact search index.

On SQLite the FTS5 trigram table is kept in sync by triggers (migration 0006); one trigger call per row
makes a bulk load several times slower than the load itself. :func:`bulk_load` drops the triggers for the
duration of a load, rebuilds the index from the table once and puts the triggers back. PostgreSQL's
pg_trgm GIN index needs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

FTS = "customers_contact_fts"
TRIGGERS = {
    "customers_contact_fts_ai": (
        "CREATE TRIGGER IF NOT EXISTS customers_contact_fts_ai AFTER INSERT ON customers_contact BEGIN "
        "INSERT INTO customers_contact_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
    "customers_contact_fts_ad": (
        "CREATE TRIGGER IF NOT EXISTS customers_contact_fts_ad AFTER DELETE ON customers_contact BEGIN "
        "INSERT INTO customers_contact_fts(customers_contact_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"
    ),
    "customers_contact_fts_au": (
        "CREATE TRIGGER IF NOT EXISTS customers_contact_fts_au AFTER UPDATE OF search_text ON customers_contact "
        "BEGIN INSERT INTO customers_contact_fts(customers_contact_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO customers_contact_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    ),
}


def _has_fts() -> bool:
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS])
        return cursor.fetchone() is not None


@contextmanager
def bulk_load() -> Iterator[None]:
    """Run a bulk insert of contacts without per-row index maintenance; the index is rebuilt at the end."""
    if not _has_fts():
        yield
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
            for sql in TRIGGERS.values():
                cursor.execute(sql)
