"""Editors' admin for recommendation rules, partners, reports and deliveries."""

from . import reports, rules  # noqa: F401 (each registers its ModelAdmins)
