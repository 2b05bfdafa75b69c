"""The Editors group: BAK staff who curate content in the admin.

Each app lists what editors may do with its models in `editor_permissions` on its AppConfig
(model name → actions; "app_label.model" for another app's model). The group is brought in step
after every migrate, so a model added by a later app joins it without a data migration
(permission rows only exist after migrations).
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

EDITORS_GROUP = "Editors"


def editor_permission_codenames():
    """(app_label, codename) of every permission that editors hold."""
    for app_config in apps.get_app_configs():
        for model, actions in getattr(app_config, "editor_permissions", {}).items():
            app_label, _dot, model_name = model.rpartition(".")
            for action in actions:
                yield app_label or app_config.label, f"{action}_{model_name}"


def sync_editors_group(**kwargs):
    group, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
    wanted = set(editor_permission_codenames())
    permissions = [
        permission
        for permission in Permission.objects.select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    group.permissions.set(permissions)
