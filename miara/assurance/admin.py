from django.contrib import admin

from miara.accounts.admin import ReadOnlyAdmin
from miara.assurance.models import Audit, ChecklistTemplate, Finding, Risk, RiskChange

# Coordinators look; audits, findings and risks change through their services
# (authorised, versioned, audited), never in the admin.


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyAdmin):
    list_display = ("code", "unit")


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ("title", "plan", "state", "lead", "start_date", "end_date", "version")
    list_filter = ("state",)
    search_fields = ("title", "plan__unit__code")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "severity", "state", "owner", "deadline", "version")
    list_filter = ("severity", "state")
    search_fields = ("title", "unit__code")


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "likelihood", "impact", "state", "review_date", "version")
    list_filter = ("state",)


@admin.register(RiskChange)
class RiskChangeAdmin(ReadOnlyAdmin):
    list_display = ("risk", "version", "state", "likelihood", "impact", "changed_by", "at")
