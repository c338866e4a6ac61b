"""The period's results on a collection cycle's board: their state, what they include,
what changed, and computing them (a queued ComputeJob the board follows).

The board is collection's page, and collection sits below analytics: the board's template
draws this section with `{% cycle_results %}` (templatetags/cycle_results.py), and these
views answer under the board's URLs (miara/urls.py adds them to the `collection` names).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from miara.analytics.models import ComputeJob, ResultSet
from miara.analytics.selectors import latest_compute_job, period_result_sets
from miara.analytics.services import ComputeRequestError, result_set_compute_request
from miara.catalogue.models import Indicator
from miara.collection.models import Cycle, SubmissionState
from miara.collection.views.coordination import coordinator_only, readers_only
from miara.presentation.numbers import significant
from miara.units.models import Unit

RESULT_STATE_HELP = {
    ResultSet.Status.PROVISIONAL: gettext_lazy(
        "Provisional: computed from submitted and accepted data; may still change."
    ),
    ResultSet.Status.FINAL: gettext_lazy("Final: computed from accepted data only."),
    ResultSet.Status.REVISED: gettext_lazy(
        "Revised: final results computed again from accepted data after a correction."
    ),
}


def cycle_results_context(cycle: Cycle) -> dict:
    """What the board's results section shows of the cycle's period."""
    sets = period_result_sets(cycle.period)
    current = next((r for r in sets if r.is_current), None)
    job = latest_compute_job(cycle.period)
    changes = current.changes if current else {}
    largest = []
    if changes.get("largest"):
        names = dict(
            Unit.objects.filter(code__in={c["unit"] for c in changes["largest"]}).values_list(
                "code", "name"
            )
        )
        indicators = {
            i.code: i.label
            for i in Indicator.objects.filter(code__in={c["indicator"] for c in changes["largest"]})
        }
        for change in changes["largest"]:
            largest.append(
                {
                    **change,
                    "unit_name": names.get(change["unit"], change["unit"]),
                    "indicator_label": indicators.get(change["indicator"], change["indicator"]),
                    "before_text": significant(change["before"]),
                    "after_text": significant(change["after"]),
                }
            )
    return {
        "result_set": current,
        "result_state_help": RESULT_STATE_HELP.get(current.status) if current else "",
        "result_changes": changes,
        "result_largest": largest,
        "earlier_sets": [r for r in sets if not r.is_current][:5],
        "compute_job": job,
        "compute_job_status": _job_status(job) if job else None,
        "compute_busy": job is not None and not job.is_finished,
        "accepted_count": cycle.submissions.filter(state=SubmissionState.ACCEPTED).count(),
        "included_provisional": cycle.submissions.filter(
            state__in=[SubmissionState.SUBMITTED, SubmissionState.ACCEPTED]
        ).count(),
    }


def _job_status(job: ComputeJob) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "state_label": job.get_state_display(),
        "step": job.step,
        "step_label": job.get_step_display(),
        "percent": job.percent,
        "finished": job.is_finished,
        "error": job.error,
        "result_set": job.result_set_id,
    }


@coordinator_only
@require_POST
def compute_results(request, cycle_id: int):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    kind = request.POST.get("kind", "")
    try:
        job = result_set_compute_request(acting_user=request.user, period=cycle.period, kind=kind)
    except ComputeRequestError as error:
        messages.error(request, str(error))
    else:
        messages.info(
            request,
            _("The computation of %(period)s is queued; this page shows its progress.")
            % {"period": job.period},
        )
    return redirect(reverse("collection:coord_board", args=[cycle.pk]) + "#results")


@readers_only
def compute_status(request, cycle_id: int, job_id: int):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    job = get_object_or_404(ComputeJob, pk=job_id, period=cycle.period)
    response = JsonResponse(_job_status(job))
    response["Cache-Control"] = "no-store"
    return response


# Named in the `collection` namespace, beside the board (miara/urls.py).
urlpatterns = [
    path("collection/cycles/<int:cycle_id>/compute/", compute_results, name="coord_compute"),
    path(
        "collection/cycles/<int:cycle_id>/compute/<int:job_id>/",
        compute_status,
        name="coord_compute_status",
    ),
]
