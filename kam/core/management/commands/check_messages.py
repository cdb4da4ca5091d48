"""Fail when a KAM app's catalogues are incomplete or out of step with its sources.

Checks, per app in ``KAM_APPS``: both catalogues exist; every translatable string in the sources is in
them (extracted into a scratch directory, the repository is not touched); no zh_Hans entry is empty or
fuzzy; placeholders (``%(name)s``, ``%s``, ``{name}``) match between message id and translation; the
committed ``.mo`` holds what the ``.po`` compiles to.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kam.core.catalogs import check_app, kam_apps


class Command(BaseCommand):
    help = "Check the message catalogues of every KAM app (exit status 1 on any problem)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("apps", nargs="*", help="App labels (default: every app in KAM_APPS).")

    def handle(self, *args: Any, **options: Any) -> None:
        selected = [app for app in kam_apps() if not options["apps"] or app.label in options["apps"]]
        problems = [problem for app in selected for problem in check_app(app)]
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s) in the message catalogues; run manage.py update_messages, "
                "then translate the zh_Hans entries."
            )
        self.stdout.write(f"Message catalogues of {len(selected)} apps are complete.")
