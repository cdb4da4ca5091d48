"""Write the API's OpenAPI schema to a file, or check that the committed file is current.

``manage.py export_openapi openapi.json`` writes it; ``manage.py export_openapi --check openapi.json`` exits
with status 1 and prints a unified diff when the file differs from what the code describes.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

#: Lines of diff shown at most when the committed schema is stale.
MAX_DIFF_LINES = 80


def openapi_document() -> str:
    """The schema as stable text: English descriptions, sorted keys, no server addresses."""
    from kam.config.api import api

    with translation.override("en"):
        schema: dict[str, Any] = dict(api.get_openapi_schema())
        schema.pop("servers", None)
        # lazy translations (verbose names in field titles) are rendered while English is active
        text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return text + "\n"


class Command(BaseCommand):
    help = "Export the OpenAPI schema of /api/v1/ to FILE; with --check, fail if FILE is out of date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="openapi.json")
        parser.add_argument("--check", action="store_true", help="Compare with FILE instead of writing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        current = openapi_document()
        if not options["check"]:
            if path.exists() and path.read_text(encoding="utf-8") == current:
                self.stdout.write(f"{path} is up to date.")
                return
            path.write_text(current, encoding="utf-8")
            self.stdout.write(f"Wrote {path}.")
            return
        committed = path.read_text(encoding="utf-8") if path.exists() else ""
        if committed == current:
            self.stdout.write(f"{path} is up to date.")
            return
        diff = list(
            difflib.unified_diff(
                committed.splitlines(), current.splitlines(), f"{path} (committed)", f"{path} (code)", lineterm="", n=2
            )
        )
        shown = diff[:MAX_DIFF_LINES]
        if len(diff) > MAX_DIFF_LINES:
            shown.append(f"... {len(diff) - MAX_DIFF_LINES} more diff lines")
        self.stderr.write("\n".join(shown))
        raise CommandError(f"{path} is out of date; run `make openapi` (manage.py export_openapi {path}).")
