from django.urls import path

from miara.reports import views

app_name = "reports"
urlpatterns = [
    path("units/<str:code>/report/", views.unit_report, name="unit_report"),
    path("reports/", views.programme_reports, name="programme"),
    path("reports/jobs/<int:pk>/", views.job, name="job"),
    path("reports/jobs/<int:pk>/status.json", views.job_status, name="job_status"),
    path("reports/jobs/<int:pk>/download/", views.download, name="download"),
]
