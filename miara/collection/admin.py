from django.contrib import admin

from miara.accounts.admin import ReadOnlyAdmin
from miara.collection.models import Value, ValueHistory


# Values change only through collection.services (validation, versions, history), so
# the admin shows them and their history without an edit button.
@admin.register(Value)
class ValueAdmin(ReadOnlyAdmin):
    list_display = ("unit", "variable", "period", "value", "version", "channel", "updated_at")
    list_filter = ("period", "channel")
    search_fields = ("unit__code", "unit__name", "variable__code")
    list_select_related = ("unit", "variable")


@admin.register(ValueHistory)
class ValueHistoryAdmin(ReadOnlyAdmin):
    list_display = ("at", "unit", "variable", "period", "old_value", "new_value", "user", "channel")
    list_filter = ("period", "channel")
    search_fields = ("unit__code", "variable__code", "source")
    list_select_related = ("unit", "variable", "user")
    date_hierarchy = "at"
