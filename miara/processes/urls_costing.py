"""The costing pages of an office (views_costing), included by miara/urls.py under
`units/<code>/costing/` in the `costing` namespace."""

from django.urls import path

from miara.processes import views_costing as views

app_name = "costing"
costing_urlpatterns = [
    path("", views.costing, name="costing"),
    path("survey/", views.survey, name="survey"),
    path("survey/cell/", views.cell, name="cell"),
    path("survey/pool/", views.pool_figure, name="pool_figure"),
    path("survey/output/", views.output_figure, name="output_figure"),
    path("template.xlsx", views.template, name="template"),
    path("costing.csv", views.download, {"fmt": "csv"}, name="download_csv"),
    path("costing.xlsx", views.download, {"fmt": "xlsx"}, name="download_xlsx"),
    path("sharing/", views.sharing, name="sharing"),
]
