from django.contrib import admin

from miara.accounts.admin import ReadOnlyAdmin
from miara.improvement.models import Project, Task

# Coordinators look; projects change through their services (authorised, versioned,
# audited), never in the admin.


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "state", "owner", "start_date", "due_date", "version")
    list_filter = ("state",)
    search_fields = ("title", "unit__code")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "owner", "state", "due_date", "version")
    list_filter = ("state",)
