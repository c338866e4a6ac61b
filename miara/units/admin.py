from django.contrib import admin

from miara.accounts.admin import CoordinatorAdmin
from miara.units.models import Programme, Unit


@admin.register(Programme)
class ProgrammeAdmin(CoordinatorAdmin):
    list_display = ("name", "visibility", "public_threshold")


@admin.register(Unit)
class UnitAdmin(CoordinatorAdmin):
    list_display = ("code", "name", "type", "country", "parent")
    list_filter = ("type", "country")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
