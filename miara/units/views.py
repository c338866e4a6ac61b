"""The units list: the units the reader may see, filtered by type and searched by name."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from miara.accounts.scope import visible_unit_ids
from miara.lib.collation import sorted_by_name
from miara.presentation.labels import unit_type_label
from miara.units.models import Unit


@login_required
def unit_list(request):
    visible = visible_unit_ids(request.user)
    units = Unit.objects.all() if visible is None else Unit.objects.filter(pk__in=visible)
    # The type filter offers only types the reader can see, so it never hints at others.
    types = sorted(
        {t for t in units.values_list("type", flat=True) if t}, key=lambda t: unit_type_label(t)
    )
    chosen_type = request.GET.get("type", "")
    query = request.GET.get("q", "").strip()
    if chosen_type:
        units = units.filter(type=chosen_type)
    if query:
        units = units.filter(name__icontains=query)
    context = {
        "units": sorted_by_name(units),
        "all_units": visible is None,
        "types": [(t, unit_type_label(t)) for t in types],
        "chosen_type": chosen_type,
        "query": query,
        "filtered": bool(chosen_type or query),
    }
    return render(request, "units/unit_list.html", context)
