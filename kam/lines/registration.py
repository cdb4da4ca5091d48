"""What the lines app adds to the shared registries (navigation, search, panels, exchanges)."""

from __future__ import annotations


def register() -> None:
    pass
