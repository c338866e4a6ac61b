import pytest


@pytest.fixture(autouse=True)
def reports_in_this_thread(settings, tmp_path, monkeypatch):
    """Jobs wait for `runner.run_pending()` in the test's own thread and transaction, and
    their files go to a fresh var/ per test."""
    settings.REPORTS_IN_BACKGROUND = False
    monkeypatch.setenv("MIARA_VAR_DIR", str(tmp_path / "var"))
