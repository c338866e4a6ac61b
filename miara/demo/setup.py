"""Fill an empty database with the demo programme (used by `miara demo`)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from miara import conf


def demo_prepare(progress: Callable[[str], None] = print) -> list[tuple[str, str, str]]:
    """Load the demo programme unless units already exist; return the demo logins."""
    from miara.accounts.services import user_add
    from miara.analytics.services import compute
    from miara.catalogue.services import catalogue_load
    from miara.collection.services import values_load
    from miara.commands import DEMO_LOGINS
    from miara.demo.generator import demo_units, write_demo_files
    from miara.units.models import Programme, Unit
    from miara.units.services import units_load

    if not Unit.objects.exists():
        directory = conf.var_dir() / "demo"
        directory.mkdir(parents=True, exist_ok=True)
        files = write_demo_files(directory)
        progress(f"Loading the demo programme into {settings.DATABASES['default']['NAME']} ...")
        units_load(path=files["units"])
        catalogue_load(path=files["catalogue"])
        values_load(path=files["values"])
        progress("Computing benchmarks ...")
        compute()
        programme = Programme.current()
        programme.name = "Benchmarking — demo programme"
        programme.save()
    units = [u["code"] for u in demo_units()]
    logins = []
    for username, role, unit_positions, password in DEMO_LOGINS:
        user_add(
            username=username,
            role=role,
            unit_codes=[units[i] for i in unit_positions],
            password=password,
        )
        logins.append((username, role, password))
    return logins
