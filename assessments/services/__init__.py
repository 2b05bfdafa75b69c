"""Writes, each in one transaction: the team (cities, access, invitations), questionnaires, assessments."""

from .questionnaires import questionnaire_load
from .reference_cities import reference_cities_import
from .team import (
    InvitationInvalid,
    absolute_url,
    access_request_approve,
    access_request_reject,
    city_create,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
    lead_hand_over,
    membership_change_role,
    membership_remove,
    password_set_url,
    user_get_or_create,
)

__all__ = [
    "InvitationInvalid",
    "absolute_url",
    "access_request_approve",
    "access_request_reject",
    "city_create",
    "invitation_accept",
    "invitation_create",
    "invitation_from_token",
    "invitation_revoke",
    "invitation_token",
    "lead_hand_over",
    "membership_change_role",
    "membership_remove",
    "password_set_url",
    "questionnaire_load",
    "reference_cities_import",
    "user_get_or_create",
]
