"""The demo's composite index: a "service quality" index of the demo's offices.

Two pillars (permits, waste) and the office's e-documents share, min-max normalised and
averaged arithmetically, loaded through the ordinary catalogue file as a coordinator
would write it (contracts.md, "Composite indices").
"""

from __future__ import annotations

from pathlib import Path

from miara.catalogue.services import catalogue_load

INDEX_YAML = """\
indices:
  - code: SERVICE_QUALITY
    name: {en: Service quality index, pl: Indeks jakości usług, cs: Index kvality služeb}
    description:
      en: Timely permit decisions, recycling and fee collection, and electronic documents.
      pl: Terminowe decyzje budowlane, recykling i ściągalność opłat oraz e-dokumenty.
      cs: Včasná stavební rozhodnutí, recyklace a výběr poplatků a elektronické dokumenty.
    normalisation: minmax
    aggregation: arithmetic
    components:
      - pillar: PERMITS_PILLAR
        name: {en: Building permits, pl: Pozwolenia na budowę, cs: Stavební povolení}
        weight: 2
        components:
          - {indicator: PERMIT_AVG_DAYS}
          - {indicator: PERMIT_DEADLINE_SHARE, weight: 2}
          - {indicator: PERMIT_APPEAL_SHARE}
      - pillar: WASTE_PILLAR
        name: {en: Waste, pl: Odpady, cs: Odpady}
        aggregation: geometric
        components:
          - {indicator: WASTE_RECYCLING_RATE}
          - {indicator: WASTE_FEE_COLLECTION}
      - {indicator: OFFICE_EDOC_SHARE}
"""


def demo_indices_load(directory: Path) -> None:
    """Write the demo index to `directory` and load it into the catalogue."""
    path = directory / "indices.yaml"
    path.write_text(INDEX_YAML, encoding="utf-8")
    catalogue_load(path=path)
