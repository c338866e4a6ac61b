from django.apps import AppConfig


class PresentationConfig(AppConfig):
    """How figures, dates and codes are shown, below every domain app; no models.

    An app (rather than a plain package) so that Django finds its template tag libraries
    (`{% load miara %}`, `{% load charts %}`).
    """

    name = "miara.presentation"
