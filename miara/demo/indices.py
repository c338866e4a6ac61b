"""The demo's composite index: how well run each demo office is.

Two pillars (service to residents; people, a geometric mean) and the budget share for
NGOs, min-max normalised and averaged arithmetically, loaded through the ordinary
catalogue file as a coordinator would write it (contracts.md, "Composite indices").
Its indicators are reported by nearly every demo unit, so the ranking is full.
"""

from __future__ import annotations

from pathlib import Path

from miara.catalogue.services import catalogue_load

INDEX_YAML = """\
indices:
  - code: WELL_RUN_OFFICE
    name: {en: Well-run office index, pl: Indeks sprawnego urzędu, cs: Index dobře řízeného úřadu}
    description:
      en: Electronic documents, few complaints and a lean cost, a stable and trained staff, support for NGOs.
      pl: E-dokumenty, mało skarg i niski koszt, stabilna i szkolona kadra, wsparcie organizacji pozarządowych.
      cs: Elektronické dokumenty, málo stížností a nízké náklady, stabilní a vzdělávaní zaměstnanci, podpora neziskových organizací.
    normalisation: minmax
    aggregation: arithmetic
    components:
      - pillar: SERVICE
        name: {en: Service to residents, pl: Obsługa mieszkańców, cs: Služby občanům}
        weight: 2
        components:
          - {indicator: OFFICE_EDOC_SHARE, weight: 2}
          - {indicator: OFFICE_COMPLAINTS_PER_10K}
          - {indicator: OFFICE_COST_PER_CAPITA}
      - pillar: PEOPLE
        name: {en: People, pl: Kadra, cs: Zaměstnanci}
        aggregation: geometric
        components:
          - {indicator: HR_TURNOVER}
          - {indicator: HR_ABSENCE_RATE}
          - {indicator: HR_TRAINING_DAYS_PER_EMP}
      - {indicator: NGO_BUDGET_SHARE}
"""


def demo_indices_load(directory: Path) -> None:
    """Write the demo index to `directory` and load it into the catalogue."""
    path = directory / "indices.yaml"
    path.write_text(INDEX_YAML, encoding="utf-8")
    catalogue_load(path=path)
