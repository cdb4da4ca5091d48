"""The ``kam`` console script: a thin front over Django's management commands.

``kam web``, ``kam worker``, ``kam collector``, ``kam demo``, ``kam simulate``, ``kam user add``,
``kam token issue``, ``kam import KIND FILE``, ``kam export KIND FILE``; anything else is passed to
Django (``kam migrate``, ``kam check`` …).
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "worker": "run_huey",
    "import": "import_data",
    "export": "export_data",
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.config.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kam", *args])


if __name__ == "__main__":
    main()
