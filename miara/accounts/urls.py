from django.urls import path

from miara.accounts import views

app_name = "accounts"
urlpatterns = [
    path("password/change/", views.PasswordChange.as_view(), name="password_change"),
    path("password/reset/", views.PasswordReset.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDone.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "invitation/<uidb64>/<token>/", views.InvitationAccept.as_view(), name="invitation_accept"
    ),
    path("accounts/users/", views.user_list, name="users"),
    path("accounts/users/invite/", views.user_invite, name="user_invite"),
    path("accounts/users/<int:user_id>/", views.user_edit, name="user_edit"),
    path(
        "accounts/users/<int:user_id>/deactivate/",
        views.user_deactivate,
        name="user_deactivate",
    ),
    path(
        "accounts/users/<int:user_id>/reactivate/",
        views.user_reactivate,
        name="user_reactivate",
    ),
    path(
        "accounts/users/<int:user_id>/invitation/",
        views.user_invitation_resend,
        name="user_invitation_resend",
    ),
]
