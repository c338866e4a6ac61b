"""The indicator catalogue: service areas, indicators, variables and peer groups.

Catalogue entries describe the method, not any unit's data, so nothing here is scoped but
the members of listed peer groups: in an anonymised programme participants see a listed
group's definition and size, not who is in it (with the pseudonyms of its figures that
would pin units). The page asks for a login until publication opens it to the public.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render

from miara.catalogue.models import CompositeIndex, Indicator, PeerGroup, ServiceArea, Variable
from miara.units.selectors import others_named


@login_required
def catalogue_index(request):
    areas = ServiceArea.objects.prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("code")),
        Prefetch("variables", queryset=Variable.objects.order_by("code")),
    )
    context = {
        "areas": areas,
        "loose_indicators": Indicator.objects.filter(area__isnull=True).order_by("code"),
        "loose_variables": Variable.objects.filter(area__isnull=True).order_by("code"),
        "peer_groups": PeerGroup.objects.select_related("context_variable").prefetch_related(
            "members"
        ),
        "members_shown": others_named(request.user),
        "indices": CompositeIndex.objects.order_by("code"),
    }
    return render(request, "catalogue/index.html", context)
