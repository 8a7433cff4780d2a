from django.db import migrations


def load(apps, schema_editor):
    from practitioners.reference import load_reference_data

    load_reference_data(apps.get_model, as_of_migration=True)


class Migration(migrations.Migration):
    dependencies = [("practitioners", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
