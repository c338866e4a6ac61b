from django.urls import path

from miara.reports import views

app_name = "reports"
urlpatterns = [
    path("units/<str:code>/report/", views.unit_report, name="unit_report"),
    path("reports/", views.programme_reports, name="programme"),
    path("reports/jobs/<int:job_id>/", views.job, name="job"),
    path("reports/jobs/<int:job_id>/status.json", views.job_status, name="job_status"),
    path("reports/jobs/<int:job_id>/download/", views.download, name="download"),
]
