from django.urls import path

from miara.improvement import views

app_name = "improvement"
urlpatterns = [
    path("projects/", views.portfolio, name="portfolio"),
    path("projects/<int:project_id>/", views.project_page, name="project"),
    path("projects/<int:project_id>/edit/", views.project_edit_view, name="edit"),
    path("projects/<int:project_id>/state/", views.project_state_view, name="state"),
    path("projects/<int:project_id>/tasks/add/", views.task_add_view, name="task_add"),
    path(
        "projects/<int:project_id>/milestones/add/", views.milestone_add_view, name="milestone_add"
    ),
    path(
        "projects/<int:project_id>/milestones/<int:milestone_id>/reached/",
        views.milestone_reached_view,
        name="milestone_reached",
    ),
    path("tasks/<int:task_id>/edit/", views.task_edit_view, name="task_edit"),
    path("units/<str:code>/projects/", views.unit_board, name="board"),
    path("units/<str:code>/projects/new/", views.project_create_view, name="create"),
    path("units/<str:code>/projects/upload/", views.upload_view, name="upload"),
    path("units/<str:code>/projects/sharing/", views.sharing_view, name="sharing"),
    path("units/<str:code>/projects/<str:what>.<str:fmt>", views.export_view, name="export"),
]
