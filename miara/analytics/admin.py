from django.contrib import admin

from miara.accounts.admin import ReadOnlyAdmin
from miara.analytics.models import ResultSet


# Result sets are immutable once computed (models.py); the admin only lists them.
@admin.register(ResultSet)
class ResultSetAdmin(ReadOnlyAdmin):
    list_display = ("period", "status", "is_current", "created_at", "indicator_count", "row_count")
    list_filter = ("status", "is_current", "period")
