from django.urls import path

from miara.analytics import compare_views, similar_views, views

app_name = "analytics"
urlpatterns = [
    path("units/<str:code>/benchmark/", views.benchmark, name="benchmark"),
    path("units/<str:code>/benchmark.csv", views.benchmark_csv, name="benchmark_csv"),
    path("indicators/<str:code>/", views.indicator_page, name="indicator"),
    path("indicators/<str:code>.csv", views.indicator_csv, name="indicator_csv"),
    path("units/<str:code>/similar/", similar_views.similar, name="similar"),
    path("units/<str:code>/similar.csv", similar_views.similar_csv, name="similar_csv"),
    path(
        "units/<str:code>/similar/defaults/",
        similar_views.similar_defaults,
        name="similar_defaults",
    ),
    path("compare/", compare_views.compare, name="compare"),
    path("compare.csv", compare_views.compare_csv, name="compare_csv"),
    path("compare/saved/", compare_views.saved_list, name="compare_saved"),
    path("compare/saved/new/", compare_views.saved_new, name="compare_save"),
    path(
        "compare/saved/<int:saved_id>/delete/",
        compare_views.saved_delete,
        name="compare_saved_delete",
    ),
]
