"""Efficiency models queued for the background runner (reports/runner.py), which asks
through `lib.jobs.jobs_run_asked` each round."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone, translation

from miara.efficiency.models import EfficiencyModel
from miara.efficiency.services import model_compute
from miara.lib.jobs import job_claim

log = logging.getLogger(__name__)


def run_pending_models(sender=None, *, worker: str, **kwargs) -> int:
    """Compute every queued model; returns how many ran."""
    count = 0
    while (model := job_claim(EfficiencyModel, worker=worker)) is not None:
        with translation.override(model.language or settings.LANGUAGE_CODE):
            try:
                model_compute(model)
            except Exception as error:  # recorded on the model; the runner goes on
                log.exception("efficiency model %s failed", model.pk)
                EfficiencyModel.objects.filter(pk=model.pk).update(
                    state=EfficiencyModel.State.FAILED,
                    error=str(error)[:2000],
                    finished_at=timezone.now(),
                )
        count += 1
    return count
