from django.contrib import admin

from miara.accounts.admin import ReadOnlyAdmin
from miara.processes.models import (
    Department,
    ModelProcess,
    Process,
    ProcessCriterion,
    ProcessGroup,
)

# Coordinators look; changes go through the services, which check the tree of groups and
# the office's permission. Costing data and the office's decision to share it are not in
# the admin at all: an office's costs are its own.


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


@admin.register(ProcessCriterion)
class ProcessCriterionAdmin(ReadOnlyAdmin):
    list_display = ("process", "indicator", "order")
    search_fields = ("process__code", "indicator__code", "process__unit__code")


@admin.register(ModelProcess)
class ModelProcessAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "group", "programme")
    search_fields = ("code", "name")
