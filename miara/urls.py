from django.contrib import admin
from django.urls import include, path

from miara.analytics import compute_views
from miara.api.api import api
from miara.collection import urls as collection_urls
from miara.processes import urls_costing

# Pages are not prefixed by language (no i18n_patterns): the language comes from the
# cookie that /i18n/setlang/ sets, else from Accept-Language, else MIARA_LANGUAGE. With
# unprefixed i18n_patterns Django forces the default language on every unprefixed URL,
# so a Polish browser would get English pages; and one address per page is what people
# paste to colleagues across Poland and Czechia.
urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("miara.web.urls")),
    path("", include("miara.accounts.urls")),
    path("", include("miara.units.urls")),
    path("", include("miara.catalogue.urls")),
    path("", include("miara.analytics.urls")),
    path("", include("miara.reports.urls")),
    path("", include("miara.targets.urls")),
    path("", include("miara.processes.urls")),
    path(
        "units/<str:code>/costing/",
        include((urls_costing.costing_urlpatterns, urls_costing.app_name)),
    ),
    path("", include("miara.improvement.urls")),
    path("", include("miara.practices.urls")),
    path("public/", include("miara.public.urls")),
    path("", include("miara.publication.urls")),
    path("", include("miara.assurance.urls")),
    path("", include("miara.efficiency.urls")),
    # The board's results section (analytics) answers under the board's own names.
    path(
        "",
        include(
            ([*collection_urls.urlpatterns, *compute_views.urlpatterns], collection_urls.app_name)
        ),
    ),
]

handler403 = "miara.web.views.error_403"
handler404 = "miara.web.views.error_404"
handler500 = "miara.web.views.error_500"
