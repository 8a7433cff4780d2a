"""The staff group "Credential reviewers": exactly what working the verification queue needs.

They see listings, locations, credentials, schools, state boards and the audit
trail; they change credentials (every decision goes through the admin actions,
which check this permission and call practitioners.services); and they moderate
reviews and reports. They cannot delete audit records and cannot manage users.

The list is spelled out here (not imported) so this migration keeps meaning what
it meant when it was written.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Credential reviewers"
PERMISSIONS = {
    "practitioners": [
        "view_practitioner",
        "view_practicelocation",
        "view_license",
        "view_certification",
        "view_degree",
        "view_school",
        "view_stateboard",
        "view_verificationrecord",
        "change_license",
        "change_certification",
        "change_degree",
    ],
    "reviews": [
        "view_review",
        "change_review",
        "view_reviewreport",
        "change_reviewreport",
    ],
}


def create_group(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally created after all migrations (post_migrate); make sure they exist now.
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
    permissions = [
        Permission.objects.using(using).get(content_type__app_label=label, codename=codename)
        for label, codenames in PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("practitioners", "0005_verification_queue_reminders_nppes"),
        ("reviews", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
