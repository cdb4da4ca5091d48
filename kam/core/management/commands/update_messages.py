"""Extract every KAM app's strings into its own catalogues, fill English, compile.

``manage.py update_messages [APP_LABEL ...]`` runs makemessages inside each app directory (no locations,
no obsolete entries) for zh_Hans and en, makes every English entry translate to its message id,
normalises the headers so that a second run changes nothing, and compiles the ``.mo`` files. Translate
the new zh_Hans entries afterwards; ``manage.py check_messages`` lists those still missing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kam.core.catalogs import CatalogueError, kam_apps, update_app


class Command(BaseCommand):
    help = "Extract, merge and compile the zh_Hans and en catalogues of every KAM app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("apps", nargs="*", help="App labels (default: every app in KAM_APPS).")

    def handle(self, *args: Any, **options: Any) -> None:
        selected = kam_apps()
        if options["apps"]:
            known = {app.label for app in selected}
            unknown = sorted(set(options["apps"]) - known)
            if unknown:
                raise CommandError(f"Unknown app label(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}.")
            selected = [app for app in selected if app.label in options["apps"]]
        failed = []
        for app in selected:
            try:
                counts = update_app(app)
            except CatalogueError as exc:
                self.stderr.write(f"{app.name}: {exc}")
                failed.append(app.name)
                continue
            todo = counts.get("zh_Hans", 0)
            note = f"{todo} zh_Hans entries to translate" if todo else "complete"
            self.stdout.write(f"{app.name}: {note}")
        if failed:
            raise CommandError(f"Not compiled: {', '.join(failed)}; fix the messages shown above.")
