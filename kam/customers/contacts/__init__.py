"""Contacts at key accounts, their decision tree (org chart) and attitude assessments."""

from __future__ import annotations


def register() -> None:
    """Hook contacts into the shared registries; called from ``CustomersConfig.ready()``."""
    from kam.customers.contacts.registration import register_all

    register_all()
