from django.contrib import admin

from miara.accounts.admin import ReadOnlyAdmin
from miara.reports.models import ReportJob


# Jobs change only through reports.services and the runner; the admin lists them.
@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "format", "period", "group", "language", "state", "created_at")
    list_filter = ("state", "kind", "format", "period")
