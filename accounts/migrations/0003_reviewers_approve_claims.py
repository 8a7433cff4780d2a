"""Credential reviewers also approve listing claims: a claim is approved only when the license the
practitioner gave matches the listing, which is the same check they make in the verification queue."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Credential reviewers"
PERMISSIONS = {"dashboard": ["view_claim", "change_claim", "view_pendingclaim", "change_pendingclaim"]}


def add_permissions(apps, schema_editor):
    using = schema_editor.connection.alias
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True  # migration state apps have no models module
        try:
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
        finally:
            app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP_NAME)
    group.permissions.add(
        *[
            Permission.objects.using(using).get(content_type__app_label=label, codename=codename)
            for label, codenames in PERMISSIONS.items()
            for codename in codenames
        ]
    )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    for group in Group.objects.using(using).filter(name=GROUP_NAME):
        group.permissions.remove(
            *Permission.objects.using(using).filter(
                content_type__app_label="dashboard", codename__in=PERMISSIONS["dashboard"]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_credential_reviewers_group"),
        ("dashboard", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
