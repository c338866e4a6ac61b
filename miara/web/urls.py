from django.contrib.auth import views as auth_views
from django.urls import path

from miara.presentation import vega
from miara.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("assets/vega-embed-<str:version>.js", vega.vega_bundle, name="vega_bundle"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/<str:code>/year/", views.unit_year, name="unit_year"),
    path("year/", views.offices_year, name="offices_year"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_new, name="token_new"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_delete, name="token_revoke"),
]
