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


@pytest.fixture
def programme_with_results(db, programme_files):
    """The programme with its values and computed results: criteria need both (values
    over time, and the stored positions among the offices)."""
    from miara.analytics.services import compute
    from miara.catalogue.services import catalogue_load
    from miara.collection.services import values_load
    from miara.units.services import units_load

    units_load(path=programme_files["units"])
    catalogue_load(path=programme_files["catalogue"])
    values_load(path=programme_files["values"])
    compute()
    return programme_files
