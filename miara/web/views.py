"""Pages shared by every app: the overview, the profile with API tokens, error pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from miara.accounts.models import ApiToken
from miara.accounts.scope import access_unit, reads_all_units, visible_unit_ids
from miara.accounts.services import token_create, token_revoke
from miara.analytics.selectors import current_result_sets
from miara.catalogue.models import Indicator
from miara.units.models import Programme, Unit
from miara.web.review import shared_units, year_review


def home(request):
    if not request.user.is_authenticated:
        return render(request, "web/welcome.html")
    visible = visible_unit_ids(request.user)
    units = Unit.objects.all() if visible is None else Unit.objects.filter(pk__in=visible)
    result_sets = current_result_sets()
    context = {
        "programme": Programme.objects.order_by("id").first(),
        "unit_count": units.count(),
        "indicator_count": Indicator.objects.count(),
        "period_count": len(result_sets),
        "result_sets": result_sets[:5],
        "latest_period": result_sets[0].period if result_sets else None,
        # Editors and managers act for a few units; everyone else browses the list.
        "own_units": list(units) if visible is not None else None,
    }
    return render(request, "web/home.html", context)


# Days after which a token made on the profile page stops working; "" means never.
TOKEN_EXPIRY_CHOICES = ("", "30", "90", "365")


@login_required
def profile(request):
    return _render_profile(request)


@login_required
@require_POST
def token_new(request):
    name = request.POST.get("name", "").strip()[:100]
    expiry = request.POST.get("expires_in_days", "")
    if expiry not in TOKEN_EXPIRY_CHOICES:
        messages.error(request, _("Choose when the token expires from the list."))
        return redirect("profile")
    token = token_create(
        user=request.user,
        name=name,
        expires_in_days=int(expiry) if expiry else None,
        acting_user=request.user,
        channel="web",
    )
    # The token is shown in this response only (its digest is all that is stored),
    # so it is rendered here rather than carried through a redirect or the session.
    response = _render_profile(request, new_token=token)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_delete(request, token_id: int):
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404(_("This API token does not exist or is not yours."))
    token_revoke(token=token, acting_user=request.user, channel="web")
    messages.success(
        request, _("The API token %(prefix)s… was revoked.") % {"prefix": token.prefix}
    )
    return redirect("profile")


def _render_profile(request, new_token: str | None = None):
    user = request.user
    context = {
        "units": Unit.objects.all() if reads_all_units(user) else user.units.all(),
        "sees_all_units": reads_all_units(user),
        "tokens": user.api_tokens.order_by("-created_at"),
        "new_token": new_token,
        "now": timezone.now(),
    }
    return render(request, "web/profile.html", context)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    # Our own 404s carry a sentence for the reader; Django's internal ones (an unknown
    # path) carry a dict for the debug page, which is no use to a reader.
    message = None
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    return render(request, "404.html", {"message": message}, status=404)


def error_500(request):
    # No context processors: whatever broke the page may break them too.
    return HttpResponseServerError(loader.get_template("500.html").render())


# --- the year in review ----------------------------------------------------------------


def _chosen_year(request) -> int | None:
    text = request.GET.get("year", "").strip()
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2999 else None


@login_required
def unit_year(request, code: str):
    """What moved in an office in a year: targets met and missed, projects closed, the
    indicators that changed most with the evidence of their projects."""
    unit = access_unit(request.user, code)
    review = year_review(user=request.user, unit=unit, year=_chosen_year(request))
    return render(request, "web/year.html", {"reviews": [review], "unit": unit, "review": review})


@login_required
def offices_year(request):
    """The year in review across the offices that share their plans (and the user's own)."""
    year = _chosen_year(request)
    units = shared_units(request.user)
    reviews = [year_review(user=request.user, unit=u, year=year) for u in units]
    years = sorted({y for r in reviews for y in r.years}, reverse=True)
    if year is None and years:
        year = years[0]
        reviews = [year_review(user=request.user, unit=u, year=year) for u in units]
    chosen = {"year": year, "years": years}
    return render(request, "web/year.html", {"reviews": reviews, "unit": None, "review": chosen})
