from django.contrib import admin

from miara.accounts.admin import CoordinatorAdmin
from miara.processes.models import Department, Process, ProcessGroup


class ReadOnlyAdmin(CoordinatorAdmin):
    """Coordinators look; changes go through the services, which check the tree of
    groups and the office's permission. Costing data and the office's decision to share
    it are not in the admin at all: an office's costs are its own."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "unit")
    list_filter = ("kind",)
    search_fields = ("code", "name", "unit__code")


@admin.register(ProcessGroup)
class ProcessGroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "parent", "unit")
    search_fields = ("name", "unit__code")


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "group", "owner", "unit")
    search_fields = ("code", "name", "unit__code")
