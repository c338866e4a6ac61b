import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """Requests in Polish or Czech leave that language active in the thread (the locale
    middleware activates it and nothing resets it), which would leak into later tests."""
    yield
    translation.deactivate()
