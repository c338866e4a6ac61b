from django.urls import path

from miara.analytics.views import compare, context, indices, pages, similar

app_name = "analytics"
urlpatterns = [
    path("units/<str:code>/benchmark/", pages.benchmark, name="benchmark"),
    path("units/<str:code>/benchmark.csv", pages.benchmark_csv, name="benchmark_csv"),
    path("indicators/<str:code>/", pages.indicator_page, name="indicator"),
    path("indicators/<str:code>.csv", pages.indicator_csv, name="indicator_csv"),
    path("indicators/<str:code>/context/", context.indicator_context, name="indicator_context"),
    path(
        "indicators/<str:code>/context.csv",
        context.indicator_context_csv,
        name="indicator_context_csv",
    ),
    path("units/<str:code>/similar/", similar.similar, name="similar"),
    path("units/<str:code>/similar.csv", similar.similar_csv, name="similar_csv"),
    path(
        "units/<str:code>/similar/defaults/",
        similar.similar_defaults,
        name="similar_defaults",
    ),
    path("indices/", indices.index_list, name="indices"),
    path("indices/<str:code>/", indices.index_page, name="index"),
    path(
        "indices/<str:code>/sensitivity/",
        indices.index_sensitivity_page,
        name="index_sensitivity",
    ),
    path("indices/<str:code>/units/<str:unit_code>/", indices.index_unit, name="index_unit"),
    path("compare/", compare.compare, name="compare"),
    path("compare.csv", compare.compare_csv, name="compare_csv"),
    path("compare/saved/", compare.saved_list, name="compare_saved"),
    path("compare/saved/new/", compare.saved_new, name="compare_save"),
    path(
        "compare/saved/<int:saved_id>/delete/",
        compare.saved_delete,
        name="compare_saved_delete",
    ),
]
