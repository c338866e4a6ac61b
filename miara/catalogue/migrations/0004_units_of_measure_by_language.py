"""Units of measure kept by language, as names are: the text stored so far is English."""

from django.db import migrations, models


def to_language_maps(apps, schema_editor):
    for name in ("Variable", "Indicator"):
        model = apps.get_model("catalogue", name)
        for entry in model.objects.exclude(unit="").only("id", "unit"):
            entry.unit_name = {"en": entry.unit}
            entry.save(update_fields=["unit_name"])


def to_text(apps, schema_editor):
    for name in ("Variable", "Indicator"):
        model = apps.get_model("catalogue", name)
        for entry in model.objects.only("id", "unit_name"):
            names = entry.unit_name or {}
            entry.unit = (names.get("en") or next(iter(names.values()), ""))[:60]
            entry.save(update_fields=["unit"])


FIELD = models.JSONField(
    blank=True,
    default=dict,
    help_text='Units of measure by language, e.g. {"en": "count", "pl": "liczba"}',
    verbose_name="unit of measure",
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0003_variable_kind_and_size"),
    ]

    operations = [
        migrations.AddField(model_name="indicator", name="unit_name", field=FIELD),
        migrations.AddField(model_name="variable", name="unit_name", field=FIELD),
        migrations.RunPython(to_language_maps, to_text),
        migrations.RemoveField(model_name="indicator", name="unit"),
        migrations.RemoveField(model_name="variable", name="unit"),
    ]
