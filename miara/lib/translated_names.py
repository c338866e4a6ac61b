"""The abstract model of a row named in several languages (lib.translations).

A collection cycle and the programme keep their name as a map {"en": ..., "pl": ...,
"cs": ...} like catalogue names; `name` reads it in the reader's language and accepts a
plain text (kept as the English name) or a map.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from miara.lib.translations import normalise, pick


class NamesByLanguage(models.Model):
    names = models.JSONField(
        _("name"),
        default=dict,
        help_text=_('Names by language, e.g. {"en": "...", "pl": "..."}'),
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return pick(self.names)

    @name.setter
    def name(self, value: str | dict | None) -> None:
        self.names = normalise(value or {})
