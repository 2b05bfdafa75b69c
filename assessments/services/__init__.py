"""Writes, each in one transaction, one module per area: team, questionnaires, reference_cities, assessments, demo.

Import the module or the function from it (`from assessments.services.team import invitation_create`); the
package itself re-exports nothing, so every caller names where a service lives.
"""
