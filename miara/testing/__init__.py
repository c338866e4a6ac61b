"""Helpers for miara's own tests (not shipped behaviour)."""
