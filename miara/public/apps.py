from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "miara.public"
    label = "public_site"
    verbose_name = _("Public site")
