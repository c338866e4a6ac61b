from django.contrib import admin

from miara.accounts.admin import ReadOnlyAdmin
from miara.practices.models import Practice, ReviewEntry

# Coordinators look; practices change through their services (authorised, versioned,
# audited), never in the admin.


@admin.register(Practice)
class PracticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "state", "named", "started_on", "published_at", "version")
    list_filter = ("state", "named")
    search_fields = ("title", "unit__code")


@admin.register(ReviewEntry)
class ReviewEntryAdmin(ReadOnlyAdmin):
    list_display = ("practice", "kind", "author", "created_at")
    list_filter = ("kind",)
