"""The cycle's name kept by language, as catalogue names are: the text so far is English."""

from django.db import migrations, models


def to_language_maps(apps, schema_editor):
    model = apps.get_model("collection", "Cycle")
    for entry in model.objects.only("id", "name"):
        entry.names = {"en": entry.name} if entry.name else {}
        entry.save(update_fields=["names"])


def to_text(apps, schema_editor):
    model = apps.get_model("collection", "Cycle")
    for entry in model.objects.only("id", "names"):
        names = entry.names or {}
        entry.name = (names.get("en") or next(iter(names.values()), ""))[:200]
        entry.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0003_bulk_tables_without_fk_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="names",
            field=models.JSONField(
                default=dict,
                help_text='Names by language, e.g. {"en": "...", "pl": "..."}',
                verbose_name="name",
            ),
        ),
        migrations.RunPython(to_language_maps, to_text),
        # A default first, so that undoing this migration can add the column back to
        # existing rows before filling it.
        migrations.AlterField(
            model_name="cycle",
            name="name",
            field=models.CharField(default="", max_length=200, verbose_name="name"),
        ),
        migrations.RemoveField(model_name="cycle", name="name"),
    ]
