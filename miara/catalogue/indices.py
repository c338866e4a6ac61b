"""From a stored composite index to the engine's definition (engine.indices.IndexSpec).

The catalogue keeps the index as the file wrote it; the directions come from the
indicators, so that an indicator's direction is declared once, in its own entry.
"""

from __future__ import annotations

from miara.catalogue.models import CompositeIndex, Indicator
from miara.engine.indices import Component, IndexSpec, Pillar


def spec_from_tree(
    *,
    code: str,
    components: list[dict],
    directions: dict[str, str],
    normalisation: str,
    aggregation: str,
    max_missing_percent: float,
) -> IndexSpec:
    """The engine's definition of an index given as its catalogue tree. An indicator
    unknown to `directions` is given as neutral, which the engine's checks refuse."""
    return IndexSpec(
        code=code,
        components=_nodes(components, directions),
        normalisation=normalisation,
        aggregation=aggregation,
        max_missing=max_missing_percent / 100,
    )


def _nodes(entries: list[dict], directions: dict[str, str]) -> tuple:
    nodes = []
    for entry in entries:
        weight = entry.get("weight", 1)
        if "pillar" in entry:
            nodes.append(
                Pillar(
                    code=entry["pillar"],
                    components=_nodes(entry.get("components") or [], directions),
                    weight=weight,
                    aggregation=entry.get("aggregation"),
                )
            )
        else:
            goalposts = entry.get("goalposts")
            nodes.append(
                Component(
                    indicator=entry["indicator"],
                    direction=directions.get(entry["indicator"], "neutral"),
                    weight=weight,
                    goalposts=tuple(goalposts) if goalposts else None,
                )
            )
    return tuple(nodes)


def index_spec(index: CompositeIndex, directions: dict[str, str] | None = None) -> IndexSpec:
    if directions is None:
        directions = dict(Indicator.objects.values_list("code", "direction"))
    return spec_from_tree(
        code=index.code,
        components=index.components,
        directions=directions,
        normalisation=index.normalisation,
        aggregation=index.aggregation,
        max_missing_percent=index.max_missing_percent,
    )


def indicator_codes(components: list[dict]) -> list[str]:
    """Every indicator of a catalogue tree, in the order written."""
    codes = []
    for entry in components:
        if "pillar" in entry:
            codes += indicator_codes(entry.get("components") or [])
        else:
            codes.append(entry["indicator"])
    return codes


def pillar_names(components: list[dict]) -> dict[str, dict]:
    """Each pillar's code and its name (a language map)."""
    names = {}
    for entry in components:
        if "pillar" in entry:
            names[entry["pillar"]] = entry.get("name") or {}
            names |= pillar_names(entry.get("components") or [])
    return names
