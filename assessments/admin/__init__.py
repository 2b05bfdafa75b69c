"""Editors' admin for cities and their teams, access requests, questionnaire versions and assessments."""

from . import access, assessments, cities, questionnaires  # noqa: F401 (each registers its ModelAdmins)
