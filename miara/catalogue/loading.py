"""Parse a catalogue file (YAML or JSON) into checked entries, remembering source lines.

Kept apart from the service so the format rules can be read (and tested) on their own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from miara.engine.kinds import DEFAULT as DEFAULT_KIND
from miara.engine.kinds import KINDS
from miara.fileio import FileProblem, Problem
from miara.lib.translations import normalise

CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
DIRECTIONS = ("higher", "lower", "neutral")
SECTIONS = (
    "service_areas",
    "variables",
    "indicators",
    "peer_groups",
    "validation_rules",
    "indices",
)
NORMALISATIONS = ("minmax", "goalposts", "zscore")
AGGREGATIONS = ("arithmetic", "geometric")
_LEAF_KEYS = {"indicator", "weight", "goalposts"}
_PILLAR_KEYS = {"pillar", "name", "description", "aggregation", "weight", "components"}


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping as `__line__`."""


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class CatalogueFile:
    service_areas: list[dict] = field(default_factory=list)
    variables: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    peer_groups: list[dict] = field(default_factory=list)
    validation_rules: list[dict] = field(default_factory=list)
    indices: list[dict] = field(default_factory=list)


def read_catalogue(path: str | Path) -> CatalogueFile:
    """Read and check the shape of a catalogue file; raise FileProblem listing every fault."""
    path = Path(path)
    source = path.name
    if not path.exists():
        raise FileProblem(str(path), [Problem("file not found")])
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise FileProblem(
            source,
            [Problem(f"unsupported file type {suffix!r}; a catalogue is .yaml, .yml or .json")],
        )
    raw = path.read_bytes()
    if b"\x00" in raw[:65536]:
        raise FileProblem(source, [Problem("this is not a text file")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            source,
            [Problem("the file is not UTF-8 text", line=raw[: error.start].count(b"\n") + 1)],
        ) from None
    if not text.strip():
        raise FileProblem(source, [Problem("the file is empty")])
    try:
        data = json.loads(text) if suffix == ".json" else yaml.load(text, Loader=_LineLoader)
    except json.JSONDecodeError as error:
        raise FileProblem(
            source, [Problem(f"not valid JSON: {error.msg}", line=error.lineno)]
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        raise FileProblem(
            source, [Problem(f"not valid YAML: {reason}", line=mark.line + 1 if mark else None)]
        ) from None
    if not isinstance(data, dict):
        raise FileProblem(
            source,
            [
                Problem(
                    "a catalogue is a mapping with service_areas, variables, indicators, peer_groups"
                )
            ],
        )
    problems: list[Problem] = []
    unknown = [k for k in data if k not in SECTIONS and k != "__line__"]
    for key in unknown:
        problems.append(Problem(f"unknown section {key!r}; expected one of {', '.join(SECTIONS)}"))
    catalogue = CatalogueFile()
    for section in SECTIONS:
        entries = data.get(section) or []
        if not isinstance(entries, list):
            problems.append(Problem(f"{section} must be a list of entries"))
            continue
        seen: dict[str, int | None] = {}
        for index, entry in enumerate(entries):
            where = f"{section}[{index}]"
            if not isinstance(entry, dict):
                problems.append(Problem(f"{where}: each entry must be a mapping with a code"))
                continue
            line = entry.pop("__line__", None)
            checked = _check_entry(section, entry, where, line, problems)
            if checked is None:
                continue
            code = checked["code"]
            if code in seen:
                problems.append(
                    Problem(
                        f"{where}: duplicate code {code} (first at line {seen[code]})", line=line
                    )
                )
                continue
            seen[code] = line
            checked["line"] = line
            getattr(catalogue, section).append(checked)
    if problems:
        raise FileProblem(source, problems)
    return catalogue


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _unit_of_measure(entry: dict, fail) -> dict[str, str]:
    """`unit` as a language map: a plain text (English) or {en: ..., pl: ..., cs: ...}."""
    unit = entry.get("unit")
    if unit is None or unit == "":
        return {}
    if isinstance(unit, dict) and all(isinstance(v, str) for v in unit.values()):
        return normalise(unit)
    if isinstance(unit, str | int | float) and not isinstance(unit, bool):
        return normalise(str(unit))
    fail("unit must be text or a mapping of languages to text, e.g. {en: count, pl: liczba}")
    return {}


def _check_entry(
    section: str, entry: dict, where: str, line: int | None, problems: list[Problem]
) -> dict | None:
    raw = entry
    entry = _strip_lines(entry)
    before = len(problems)

    def fail(message: str) -> None:
        problems.append(Problem(f"{where}: {message}", line=line))

    code = entry.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        fail(f"code {code!r} must be upper-case letters, digits and _, starting with a letter")
        return None
    where = f"{where} {code}"
    name = entry.get("name", code)
    if not isinstance(name, str | dict) or (
        isinstance(name, dict) and not all(isinstance(v, str) for v in name.values())
    ):
        fail("name must be text or a mapping of languages to text, e.g. {en: ..., pl: ...}")
    description = entry.get("description") or {}
    checked = {
        "code": code,
        "name": normalise(name) if isinstance(name, str | dict) else {},
        "description": normalise(description) if isinstance(description, str | dict) else {},
    }
    if section == "service_areas":
        pass
    elif section == "variables":
        checked["unit"] = _unit_of_measure(entry, fail)
        checked["area"] = entry.get("area")
        kind = entry.get("kind", DEFAULT_KIND)
        if kind not in KINDS:
            fail(f"kind {kind!r} must be one of {', '.join(KINDS)}")
        checked["kind"] = kind
        per = entry.get("per")
        if per is not None and (not isinstance(per, str) or not CODE.match(per)):
            fail(f"per {per!r} must be the code of a variable, e.g. POPULATION")
        if per == code:
            fail("per names the variable itself; name its size variable, e.g. POPULATION")
        checked["per"] = per
        checked |= _bounds(entry, fail)
        if (
            checked.get("min") is not None
            and checked.get("max") is not None
            and checked["min"] > checked["max"]
        ):
            fail("min is greater than max")
    elif section == "indicators":
        formula = entry.get("formula")
        if not isinstance(formula, str | int | float) or str(formula).strip() == "":
            fail("formula is missing; every indicator needs one (it may be a single variable)")
        checked["formula"] = str(formula or "").strip()
        direction = entry.get("direction", "neutral")
        if direction not in DIRECTIONS:
            fail(f"direction {direction!r} must be one of higher, lower, neutral")
        checked["direction"] = direction
        checked["unit"] = _unit_of_measure(entry, fail)
        decimals = entry.get("decimals", 2)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 10:
            fail(f"decimals must be a whole number from 0 to 10, not {decimals!r}")
        checked["decimals"] = decimals
        checked["area"] = entry.get("area")
    elif section == "peer_groups":
        types = entry.get("unit_types") or []
        members = entry.get("members") or []
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            fail("unit_types must be a list of unit types")
        if not isinstance(members, list):
            fail("members must be a list of unit codes")
        checked["unit_types"] = types
        checked["members"] = [str(m) for m in members] if isinstance(members, list) else []
        checked["variable"] = entry.get("variable")
        checked |= _bounds(entry, fail)
        if not types and not members and not checked["variable"]:
            fail("a peer group needs unit_types, members, or a variable with min/max")
        if types and members:
            fail("give either members (a listed group) or unit_types (a rule), not both")
    elif section == "validation_rules":
        rule = entry.get("rule")
        if not isinstance(rule, str) or not rule.strip():
            fail(
                "rule is missing; write it as `left op right`, e.g. PERMITS_ON_TIME <= PERMITS_ISSUED"
            )
        checked["rule"] = str(rule or "").strip()
        severity = entry.get("severity", "error")
        if severity not in ("error", "warning"):
            fail(f"severity {severity!r} must be error or warning")
        checked["severity"] = severity
    elif section == "indices":
        checked |= _check_index(raw, where, line, problems)
    return checked if len(problems) == before else None


def _check_index(entry: dict, where: str, line: int | None, problems: list[Problem]) -> dict:
    """An index's methods and its tree of components (each checked at its own line)."""

    def fail(message: str, at: int | None = line) -> None:
        problems.append(Problem(f"{where}: {message}", line=at))

    normalisation = entry.get("normalisation", "minmax")
    if normalisation not in NORMALISATIONS:
        fail(f"normalisation {normalisation!r} must be one of {', '.join(NORMALISATIONS)}")
    aggregation = entry.get("aggregation", "arithmetic")
    if aggregation not in AGGREGATIONS:
        fail(f"aggregation {aggregation!r} must be arithmetic or geometric")
    missing = entry.get("max_missing_percent", 30)
    if isinstance(missing, bool) or not isinstance(missing, int | float) or not 0 <= missing < 100:
        fail(
            f"max_missing_percent must be a number from 0 to under 100 (the share of "
            f"components a unit may miss), not {missing!r}"
        )
        missing = 30
    components = entry.get("components")
    if not isinstance(components, list) or not components:
        fail("components must be a list of indicators and pillars, e.g. - {indicator: CODE}")
        components = []
    return {
        "normalisation": normalisation,
        "aggregation": aggregation,
        "max_missing_percent": float(missing),
        "components": _check_components(components, where, line, fail),
    }


def _check_components(entries: list, where: str, line: int | None, fail) -> list[dict]:
    checked = []
    for position, raw in enumerate(entries):
        at = raw.get("__line__", line) if isinstance(raw, dict) else line
        here = f"component {position + 1}"
        if not isinstance(raw, dict):
            fail(
                f"{here} must be a mapping: {{indicator: CODE}} or {{pillar: CODE, components: [...]}}",
                at,
            )
            continue
        entry = _strip_lines(raw)
        is_pillar = "pillar" in entry
        if is_pillar == ("indicator" in entry):
            fail(f"{here} must have either indicator: CODE or pillar: CODE", at)
            continue
        code = entry["pillar" if is_pillar else "indicator"]
        if not isinstance(code, str) or not CODE.match(code):
            fail(f"{here}: code {code!r} must be upper-case letters, digits and _", at)
            continue
        here = f"{'pillar' if is_pillar else 'indicator'} {code}"
        unknown = sorted(set(entry) - (_PILLAR_KEYS if is_pillar else _LEAF_KEYS))
        if unknown:
            allowed = ", ".join(sorted(_PILLAR_KEYS if is_pillar else _LEAF_KEYS))
            fail(f"{here}: unknown key {', '.join(unknown)}; allowed: {allowed}", at)
        node: dict = {"pillar" if is_pillar else "indicator": code}
        if "weight" in entry:
            weight = entry["weight"]
            if (
                isinstance(weight, bool)
                or not isinstance(weight, int | float)
                or not weight > 0
                or weight != weight
                or weight == float("inf")
            ):
                fail(f"{here}: weight must be a positive number, not {weight!r}", at)
            else:
                node["weight"] = float(weight)
        if is_pillar:
            name = entry.get("name", code)
            if not isinstance(name, str | dict):
                fail(f"{here}: name must be text or a mapping of languages to text", at)
            else:
                node["name"] = normalise(name)
            if "aggregation" in entry:
                if entry["aggregation"] not in AGGREGATIONS:
                    fail(
                        f"{here}: aggregation {entry['aggregation']!r} must be arithmetic or geometric",
                        at,
                    )
                else:
                    node["aggregation"] = entry["aggregation"]
            inner = raw.get("components")
            if not isinstance(inner, list) or not inner:
                fail(f"{here}: a pillar needs components: a list of indicators and pillars", at)
                inner = []
            node["components"] = _check_components(inner, where, at, fail)
        elif "goalposts" in entry:
            posts = entry["goalposts"]
            if (
                not isinstance(posts, list)
                or len(posts) != 2
                or any(isinstance(p, bool) or not isinstance(p, int | float) for p in posts)
            ):
                fail(f"{here}: goalposts must be two numbers [low, high], not {posts!r}", at)
            elif not posts[0] < posts[1]:
                fail(f"{here}: goalposts [{posts[0]}, {posts[1]}] must have low < high", at)
            else:
                node["goalposts"] = [float(posts[0]), float(posts[1])]
        node["line"] = at
        checked.append(node)
    return checked


def _bounds(entry: dict, fail) -> dict:
    """The entry's `min` and `max`: numbers or absent (None)."""
    bounds = {}
    for bound in ("min", "max"):
        value = entry.get(bound)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            fail(f"{bound} must be a number, not {value!r}")
        bounds[bound] = value
    return bounds
