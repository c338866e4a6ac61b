"""The admin names every model in words, translated: no "Value historys"."""

import pytest
from django.contrib import admin
from django.utils import translation


def registered():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", registered(), ids=lambda model: model._meta.label)
def test_each_admin_model_has_a_translated_plural(model):
    meta = model._meta
    english = str(meta.verbose_name_plural)
    assert not english.endswith("ys"), f"{meta.label}: '{english}' is not a plural a reader uses"
    for language in ("pl", "cs"):
        with translation.override(language):
            assert str(meta.verbose_name_plural) != english, f"{meta.label} in {language}"
