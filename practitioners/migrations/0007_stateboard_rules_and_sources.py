"""State boards say what the state requires (license, registration or none), its exam and expiry
rule, and the source each row was checked against, with the date.

`licenses_acupuncturists` becomes `regulation` (False → "none"); then fixtures/reference/
state_boards.json is re-applied so existing databases get the checked rows and their sources.
"""

from django.db import migrations, models


def fill_rules_and_sources(apps, schema_editor):
    from practitioners.reference import load_reference_data

    StateBoard = apps.get_model("practitioners", "StateBoard")
    StateBoard.objects.filter(licenses_acupuncturists=False).update(regulation="none", renewal_cycle_years=None)
    load_reference_data(apps.get_model, only={"StateBoard"}, as_of_migration=True)


def restore_boolean(apps, schema_editor):
    StateBoard = apps.get_model("practitioners", "StateBoard")
    StateBoard.objects.update(licenses_acupuncturists=True)
    StateBoard.objects.filter(regulation="none").update(licenses_acupuncturists=False, renewal_cycle_years=2)


class Migration(migrations.Migration):
    dependencies = [("practitioners", "0006_search_vector_column")]

    operations = [
        migrations.RemoveConstraint(model_name="stateboard", name="stateboard_renewal_cycle_range"),
        migrations.AddField(
            model_name="stateboard",
            name="regulation",
            field=models.CharField(
                choices=[
                    ("license", "Licenses acupuncturists"),
                    ("registration", "Registers acupuncturists (no license)"),
                    ("none", "Neither licenses nor registers acupuncturists"),
                ],
                default="license",
                help_text="What the state requires.",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="stateboard",
            name="licensed_titles",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Titles the state grants, e.g. ["L.Ac."]; empty where it grants none.',
            ),
        ),
        migrations.AlterField(
            model_name="stateboard",
            name="renewal_cycle_years",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, help_text="Years between renewals; empty where the state issues no credential."
            ),
        ),
        migrations.AddField(
            model_name="stateboard",
            name="expiry_rule",
            field=models.CharField(
                blank=True, help_text="When credentials expire, where the state has its own rule.", max_length=300
            ),
        ),
        migrations.AddField(
            model_name="stateboard",
            name="exam",
            field=models.CharField(
                choices=[
                    ("nccaom", "NCCAOM examinations"),
                    ("state", "The state's own examination"),
                    ("none", "No state examination (no state credential)"),
                ],
                default="nccaom",
                help_text="The licensing examination.",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="stateboard",
            name="source_url",
            field=models.URLField(
                default="", help_text="The statute or board page this row was checked against.", max_length=500
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="stateboard",
            name="source_note",
            field=models.TextField(blank=True, help_text="What the source confirms, and what it does not."),
        ),
        migrations.AddField(
            model_name="stateboard",
            name="checked_on",
            field=models.DateField(null=True, help_text="When this row was checked against its source."),
        ),
        migrations.RunPython(fill_rules_and_sources, restore_boolean),
        migrations.RemoveField(model_name="stateboard", name="licenses_acupuncturists"),
        migrations.AlterField(
            model_name="stateboard",
            name="checked_on",
            field=models.DateField(help_text="When this row was checked against its source."),
        ),
        migrations.AddConstraint(
            model_name="stateboard",
            constraint=models.CheckConstraint(
                condition=models.Q(renewal_cycle_years__isnull=True)
                | models.Q(renewal_cycle_years__gte=1, renewal_cycle_years__lte=10),
                name="stateboard_renewal_cycle_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="stateboard",
            constraint=models.CheckConstraint(
                condition=models.Q(regulation__in=("license", "registration", "none")),
                name="stateboard_regulation_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="stateboard",
            constraint=models.CheckConstraint(
                condition=models.Q(exam__in=["nccaom", "state", "none"]), name="stateboard_exam_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="stateboard",
            constraint=models.CheckConstraint(
                condition=~models.Q(regulation="none") | models.Q(renewal_cycle_years__isnull=True, exam="none"),
                name="stateboard_none_has_no_cycle",
            ),
        ),
        migrations.AddConstraint(
            model_name="stateboard",
            constraint=models.CheckConstraint(condition=~models.Q(source_url=""), name="stateboard_has_source"),
        ),
    ]
