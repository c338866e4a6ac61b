"""The built-in checklists: the standards of management control and a quality-system
checklist (miara.assurance.standards)."""

from django.db import migrations

from miara.assurance.standards import templates_ensure


def forwards(apps, schema_editor):
    templates_ensure(
        apps.get_model("assurance", "ChecklistTemplate"),
        apps.get_model("assurance", "ChecklistItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("assurance", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
