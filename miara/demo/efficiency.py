"""The demo's efficiency models: a frontier of the building-permit service and its
productivity change, defined by the demo expert as a person would on the page (named
in Polish, like the demo's projects: the demo programme is a Polish one)."""

from __future__ import annotations

from miara.accounts.models import User
from miara.efficiency.models import EfficiencyModel
from miara.efficiency.services import model_create

DEMO_EFFICIENCY_MODELS = [
    {
        "name": "Pozwolenia na budowę: koszty osobowe a wydane decyzje, 2024",
        "inputs": ["PERMIT_STAFF_COST"],
        "outputs": ["PERMITS_ISSUED"],
        "period": "2024",
        "returns": "variable",
    },
    {
        "name": "Pozwolenia na budowę: etaty i koszty a wydane decyzje, 2024",
        "inputs": ["PERMIT_FTE", "PERMIT_STAFF_COST"],
        "outputs": ["PERMITS_ISSUED"],
        "period": "2024",
    },
    {
        "name": "Pozwolenia na budowę: zmiana produktywności 2023 → 2024",
        "kind": "malmquist",
        "inputs": ["PERMIT_STAFF_COST"],
        "outputs": ["PERMITS_ISSUED"],
        "period": "2023",
        "period_to": "2024",
        "orientation": "output",
    },
]


def demo_efficiency(expert: str = "ekspert") -> None:
    """Define and compute the demo models once (a second run adds nothing)."""
    if EfficiencyModel.objects.exists():
        return
    user = User.objects.get(username=expert)
    for definition in DEMO_EFFICIENCY_MODELS:
        model_create(acting_user=user, channel="demo", **definition)
