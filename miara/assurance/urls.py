from django.urls import path

from miara.assurance import views

app_name = "assurance"
urlpatterns = [
    path("units/<str:code>/audits/", views.unit_audits, name="audits"),
    path("units/<str:code>/audits/new/", views.audit_create_view, name="audit_create"),
    path("units/<str:code>/audits/checklists/", views.template_create_view, name="template_create"),
    path("units/<str:code>/findings/", views.findings_register_view, name="findings"),
    path("units/<str:code>/risks/", views.risks_register_view, name="risks"),
    path("units/<str:code>/risks/new/", views.risk_create_view, name="risk_create"),
    path("audits/<int:audit_id>/", views.audit_page, name="audit"),
    path("audits/<int:audit_id>/edit/", views.audit_edit_view, name="audit_edit"),
    path("audits/<int:audit_id>/state/", views.audit_state_view, name="audit_state"),
    path("audits/<int:audit_id>/items/<int:item_id>/", views.answer_view, name="answer"),
    path("audits/<int:audit_id>/evidence/", views.attachment_add_view, name="attach"),
    path("audits/<int:audit_id>/findings/new/", views.finding_create_view, name="finding_create"),
    path("evidence/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("findings/<int:finding_id>/", views.finding_page, name="finding"),
    path("findings/<int:finding_id>/edit/", views.finding_edit_view, name="finding_edit"),
    path("findings/<int:finding_id>/state/", views.finding_state_view, name="finding_state"),
    path("risks/<int:risk_id>/", views.risk_page, name="risk"),
    path("risks/<int:risk_id>/edit/", views.risk_edit_view, name="risk_edit"),
]
