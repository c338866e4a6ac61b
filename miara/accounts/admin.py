"""Admin screens for coordinators: users, and the audit log (read-only).

Coordinators run the programme from the admin without being Django staff: the site and
every miara model admin let them in by role. Other apps' admins use the same mixins.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from miara.accounts.audit import audit_record
from miara.accounts.models import ApiToken, AuditEntry, Role, User


def is_coordinator(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", None) == Role.COORDINATOR)
    )


def _site_has_permission(request) -> bool:
    return is_coordinator(request.user) or (request.user.is_active and request.user.is_staff)


# The role decides who administers the programme (domain.md), not Django's is_staff flag,
# which `miara user add` does not set; settings.py keeps the stock admin site, so its
# entrance check and login form are adjusted on the instance.
admin.site.has_permission = _site_has_permission
admin.site.login_form = AuthenticationForm
admin.site.site_header = _("miara administration")
admin.site.site_title = _("miara administration")
admin.site.index_title = _("Programme administration")
admin.site.site_url = "/"


class CoordinatorAdmin(admin.ModelAdmin):
    """Coordinators may view and change; every change is written to the audit log."""

    def has_module_permission(self, request):
        return is_coordinator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def has_add_permission(self, request):
        return is_coordinator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_coordinator(request.user)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        label = obj._meta.model_name
        audit_record(
            user=request.user,
            action=f"{label}.{'change' if change else 'add'}",
            channel="admin",
            summary=f"{label} {obj}: {', '.join(form.changed_data) or 'no field changed'}",
        )

    def delete_model(self, request, obj):
        label = obj._meta.model_name
        super().delete_model(request, obj)
        audit_record(
            user=request.user, action=f"{label}.delete", channel="admin", summary=f"{label} {obj}"
        )

    def delete_queryset(self, request, queryset):
        label = queryset.model._meta.model_name
        names = [str(obj) for obj in queryset]
        super().delete_queryset(request, queryset)
        audit_record(
            user=request.user,
            action=f"{label}.delete",
            channel="admin",
            summary=f"{label}: {', '.join(names)}",
        )


class ReadOnlyAdmin(CoordinatorAdmin):
    """History and results: written only by their services, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class MiaraUserAdmin(CoordinatorAdmin, UserAdmin):
    list_display = ("username", "get_full_name", "role", "unit_codes", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "units__code")
    filter_horizontal = ("units",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        (_("Role in the programme"), {"fields": ("role", "units", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "role")}),)
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description=_("units"))
    def unit_codes(self, obj):
        return ", ".join(obj.units.values_list("code", flat=True)) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("units")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at")
    search_fields = ("user__username", "name", "prefix")
    exclude = ("digest",)

    def has_delete_permission(self, request, obj=None):
        # A coordinator may revoke a leaked token; deleting is revoking.
        return is_coordinator(request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "action", "channel", "summary")
    list_filter = ("channel", "action")
    search_fields = ("summary", "action", "user__username")
    date_hierarchy = "at"
