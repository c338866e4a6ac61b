import pytest


@pytest.fixture
def programme(db, programme_files):
    """Units and catalogue only: costing needs neither values nor computed results, and
    the named users (alice, bob, ...) come much faster without them."""
    from miara.catalogue.services import catalogue_load
    from miara.units.services import units_load

    units_load(path=programme_files["units"])
    catalogue_load(path=programme_files["catalogue"])
    return programme_files
