from django.contrib import admin

from miara.accounts.admin import ReadOnlyAdmin
from miara.targets.models import Target, TargetChange

# Coordinators look; targets change through their services (authorised, versioned,
# audited), never in the admin.


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "unit", "owner", "rule", "version", "updated_at")
    list_filter = ("indicator",)
    search_fields = ("indicator__code", "unit__code")


@admin.register(TargetChange)
class TargetChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "indicator", "unit", "action", "version", "changed_by", "channel")
    list_filter = ("action", "channel")
