"""The staff who moderate reviews and their reports ("Credential reviewers") also resolve spam
reports on contact requests."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Credential reviewers"
PERMISSIONS = ["view_spamreport", "change_spamreport"]


def add_permissions(apps, schema_editor):
    using = schema_editor.connection.alias
    app_config = apps.get_app_config("contact")
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
        *Permission.objects.using(using).filter(content_type__app_label="contact", codename__in=PERMISSIONS)
    )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    for group in Group.objects.using(using).filter(name=GROUP_NAME):
        group.permissions.remove(
            *Permission.objects.using(using).filter(content_type__app_label="contact", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contact", "0001_contact_requests"),
        ("accounts", "0003_reviewers_approve_claims"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
