"""The coordinator's publication page: prepare a publication (the audit's outcome shown
before confirming), publish, retract, and the list of publications with their state.

Thin: coordinators only (a 404 for everyone else), parse the form, call a service, say
what happened.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miara.accounts.scope import is_coordinator
from miara.analytics.selectors import computed_periods
from miara.catalogue.models import Indicator, PeerGroup
from miara.engine.periods import Period
from miara.publication import selectors, services
from miara.publication.forms import PublishForm, RetractForm
from miara.units.models import Programme


def coordinators_only(view):
    """To anyone but a coordinator these pages do not exist."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_coordinator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _periods() -> list[str]:
    return sorted(set(computed_periods()), key=Period.parse, reverse=True)


def _initial() -> dict:
    programme = Programme.current()
    periods = _periods()
    return {
        "period": periods[0] if periods else "",
        "visibility": programme.visibility,
        "threshold": max(programme.public_threshold, services.MIN_THRESHOLD),
    }


def _withheld_rows(preview) -> list[dict]:
    indicators = {i.code: i.label for i in Indicator.objects.all()}
    groups = {g.code: g.label for g in PeerGroup.objects.all()}
    groups["all"] = _("All units")
    return [
        {
            "indicator": indicators.get(code, code),
            "group": groups.get(group, group),
            "reason": reason,
        }
        for code, group, reason in preview.withheld.sort("indicator", "group").iter_rows()
    ]


def _render(request, *, form, preview=None, status=200):
    context = {
        "form": form,
        "preview": preview,
        "withheld_rows": _withheld_rows(preview) if preview else [],
        "rows": selectors.publications_overview(acting_user=request.user),
        "retract_form": RetractForm(),
    }
    return render(request, "publication/index.html", context, status=status)


@coordinators_only
def publication_page(request):
    periods = _periods()
    if "period" not in request.GET:
        return _render(request, form=PublishForm(initial=_initial(), periods=periods))
    form = PublishForm(request.GET, periods=periods)
    if not form.is_valid():
        return _render(request, form=form, status=400)
    try:
        preview = services.publication_preview(
            acting_user=request.user,
            period=form.cleaned_data["period"],
            threshold=form.cleaned_data["threshold"],
        )
    except services.PublicationError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _render(request, form=form, status=400)
    return _render(request, form=form, preview=preview)


@require_POST
@coordinators_only
def publication_publish_view(request):
    form = PublishForm(request.POST, periods=_periods())
    if not form.is_valid():
        return _render(request, form=form, status=400)
    data = form.cleaned_data
    try:
        done = services.publication_publish(
            acting_user=request.user,
            period=data["period"],
            threshold=data["threshold"],
            embargo_until=data["embargo_until"],
            visibility=data["visibility"],
            channel="web",
        )
    except (services.PublicationError, PermissionDenied) as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, str(error))
        return _render(request, form=form, status=400)
    publication = done.publication
    if done.computed is not None:
        text = (
            _("The final results of %(period)s were computed first from the loaded values.")
            if done.computed.basis == "loaded"
            else _(
                "The final results of %(period)s were computed first (every submission accepted)."
            )
        )
        messages.info(request, text % {"period": publication.period})
    if not done.created:
        messages.info(
            request,
            _("%(period)s was already published with these settings; nothing changed.")
            % {"period": publication.period},
        )
    elif publication.embargo_until:
        messages.success(
            request,
            _("%(period)s is published under embargo: the public sees it from %(date)s.")
            % {"period": publication.period, "date": publication.embargo_until.isoformat()},
        )
    else:
        messages.success(request, _("%(period)s is published.") % {"period": publication.period})
    return redirect("publication:index")


@require_POST
@coordinators_only
def publication_retract_view(request):
    form = RetractForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Say why the publication is retracted; the public page shows the reason.")
        )
        return redirect("publication:index")
    try:
        services.publication_retract(
            acting_user=request.user,
            period=form.cleaned_data["period"],
            reason=form.cleaned_data["reason"],
            channel="web",
        )
    except services.PublicationError as error:
        messages.error(request, str(error))
        return redirect("publication:index")
    messages.success(
        request,
        _("The publication of %(period)s is retracted; the public page says so.")
        % {"period": form.cleaned_data["period"]},
    )
    return redirect("publication:index")
