"""The public site under /public/: stable addresses per indicator and period, and every
public table as CSV and JSON beside its page (the same address with .csv or .json)."""

from django.urls import path, register_converter
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from miara.public import views


class FormatConverter:
    regex = "csv|json|jsonstat"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/", views.catalogue, name="catalogue"),
    path("indicators/<str:code>.<fmt:fmt>", views.indicator_download, name="indicator_download"),
    path("indicators/<str:code>/", views.indicator, name="indicator"),
    path(
        "indicators/<str:code>/<str:period>.<fmt:fmt>",
        views.indicator_period_download,
        name="indicator_period_download",
    ),
    path("indicators/<str:code>/<str:period>/", views.indicator_period, name="indicator_period"),
    path("periods/", views.periods, name="periods"),
    path("periods/<str:period>.<fmt:fmt>", views.period_download, name="period_download"),
    path("periods/<str:period>/", views.period, name="period"),
    path("search/", views.search, name="search"),
    # The language choice of visitors without a session: Django's own view, without the
    # CSRF check, so that public pages set no CSRF cookie and stay cacheable by anyone.
    # All a forged request could do is change the visitor's language.
    path("language/", csrf_exempt(set_language), name="language"),
]
