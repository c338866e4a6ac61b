"""Names kept in three languages in one JSON field: {"en": ..., "pl": ..., "cs": ...}.

The catalogue is shared by Polish and Czech programmes, so each name carries all its
translations; pages show the reader's language and fall back to English, then to any.
"""

from __future__ import annotations

from django.utils.translation import get_language

LANGUAGES = ("en", "pl", "cs")


def normalise(name: str | dict | None) -> dict[str, str]:
    """A catalogue `name` (a plain string or a language map) as a language map."""
    if name is None:
        return {}
    if isinstance(name, str):
        return {"en": name}
    return {str(lang): str(text) for lang, text in name.items() if text not in (None, "")}


def pick(names: dict[str, str] | None, language: str | None = None, default: str = "") -> str:
    if not names:
        return default
    language = (language or get_language() or "en")[:2]
    return names.get(language) or names.get("en") or next(iter(names.values()), default)
