"""Editors' admin for the case-study library and the publications."""

from . import case_studies, publications  # noqa: F401 (each registers its ModelAdmins)
