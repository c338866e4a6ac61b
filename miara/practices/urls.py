from django.urls import path

from miara.practices import views

app_name = "practices"
urlpatterns = [
    path("practices/", views.practice_list, name="library"),
    path("practices/new/", views.practice_create_view, name="create"),
    path("practices/<int:practice_id>/", views.practice_page, name="practice"),
    path("practices/<int:practice_id>/edit/", views.practice_edit_view, name="edit"),
    path("practices/<int:practice_id>/review/", views.practice_act_view, name="act"),
    path("practices/<int:practice_id>/files/", views.attachment_add_view, name="attach"),
    path(
        "practices/<int:practice_id>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("public/practices/", views.public_list, name="public_list"),
    path("public/practices/<int:practice_id>/", views.public_practice, name="public_practice"),
    path(
        "public/practices/<int:practice_id>/files/<int:attachment_id>/",
        views.public_attachment_download,
        name="public_attachment",
    ),
]
