from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from miara.accounts.admin import CoordinatorAdmin
from miara.catalogue.models import CompositeIndex, Indicator, PeerGroup, ServiceArea, Variable
from miara.engine import formula as formulas
from miara.engine.errors import EngineError


@admin.register(ServiceArea)
class ServiceAreaAdmin(CoordinatorAdmin):
    list_display = ("code", "label", "position")
    list_editable = ("position",)
    search_fields = ("code",)


@admin.register(Variable)
class VariableAdmin(CoordinatorAdmin):
    list_display = ("code", "label", "unit", "kind", "per", "area", "min_value", "max_value")
    list_filter = ("area", "kind")
    search_fields = ("code",)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "description",
            "formula",
            "direction",
            "unit_name",
            "decimals",
            "area",
        ]

    def clean(self):
        cleaned = super().clean()
        code, formula = cleaned.get("code"), cleaned.get("formula")
        if not code or not formula:
            return cleaned
        # The same check as a catalogue load: the whole catalogue with this formula in it.
        others = dict(Indicator.objects.exclude(pk=self.instance.pk).values_list("code", "formula"))
        variables = set(Variable.objects.values_list("code", flat=True))
        try:
            formulas.validate_catalogue(variables, {**others, code: formula})
        except EngineError as error:
            raise forms.ValidationError(
                {"formula": _("The formula is not valid: %s") % error}
            ) from None
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(CoordinatorAdmin):
    form = IndicatorForm
    list_display = ("code", "label", "formula", "direction", "unit", "decimals", "area")
    list_filter = ("area", "direction")
    search_fields = ("code", "formula")


@admin.register(PeerGroup)
class PeerGroupAdmin(CoordinatorAdmin):
    list_display = ("code", "label", "kind", "context_variable", "context_min", "context_max")
    list_filter = ("kind",)
    search_fields = ("code",)
    filter_horizontal = ("members",)


@admin.register(CompositeIndex)
class CompositeIndexAdmin(CoordinatorAdmin):
    """Names only: the methods and components are changed through a catalogue file, whose
    load checks the whole tree against the indicators (`miara load catalogue`)."""

    list_display = ("code", "label", "normalisation", "aggregation", "max_missing_percent")
    search_fields = ("code",)
    readonly_fields = ("normalisation", "aggregation", "max_missing_percent", "components")
