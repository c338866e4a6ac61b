"""Moments as people read them on a page."""

from __future__ import annotations

from django.utils import timezone


def moment_text(moment) -> str:
    """ "14:05" for a moment of today, "2026-12-01 14:05" for an earlier one (local time)."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")
