"""Writes to the catalogue. Every change is atomic and audited."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from miara.accounts.audit import load_recorded
from miara.catalogue.indices import spec_from_tree
from miara.catalogue.loading import CatalogueFile, read_catalogue
from miara.catalogue.models import (
    CompositeIndex,
    Indicator,
    PeerGroup,
    ServiceArea,
    ValidationRule,
    Variable,
)
from miara.engine import formula as formulas
from miara.engine import indices as engine_indices
from miara.engine import quality
from miara.engine.errors import EngineError, FormulaError, UnknownCodeError
from miara.fileio import FileProblem, LoadReport, Problem
from miara.units.models import Unit


def catalogue_load(*, path: str | Path, user=None, channel: str = "cli") -> LoadReport:
    """Create or update catalogue entries from a YAML/JSON file, all or nothing.

    Entries with an existing code are updated. Formulas are checked against the whole
    resulting catalogue (unknown codes, syntax, cycles) before anything is written.
    """
    path = Path(path)
    parsed = read_catalogue(path)
    _check_references(parsed, path.name)
    report = LoadReport()
    with transaction.atomic():
        areas = {a.code: a for a in ServiceArea.objects.all()}
        for position, entry in enumerate(parsed.service_areas):
            fields = {
                "name": entry["name"],
                "description": entry["description"],
                "position": position,
            }
            areas[entry["code"]] = _upsert(
                ServiceArea, entry["code"], fields, report, "service areas"
            )
        touched: set[str] = set()
        for entry in parsed.variables:
            fields = {
                "name": entry["name"],
                "description": entry["description"],
                "unit_name": entry["unit"],
                "area": areas.get(entry["area"]) if entry["area"] else None,
                "min_value": entry["min"],
                "max_value": entry["max"],
                "kind": entry["kind"],
            }
            counted = report.created.get("variables", 0) + report.updated.get("variables", 0)
            _upsert(Variable, entry["code"], fields, report, "variables")
            if report.created.get("variables", 0) + report.updated.get("variables", 0) > counted:
                touched.add(entry["code"])
        # Sizes once every variable exists: a variable may be compared per one defined
        # after it in the file.
        sized = {v.code: v for v in Variable.objects.all()}
        for entry in parsed.variables:
            per = sized.get(entry["per"]) if entry["per"] else None
            variable = sized[entry["code"]]
            if variable.per_id != (per.pk if per else None):
                variable.per = per
                variable.save(update_fields=["per"])
                if entry["code"] not in touched:
                    report.unchanged["variables"] -= 1
                    if not report.unchanged["variables"]:
                        del report.unchanged["variables"]
                    report.count("variables", "updated")
        for entry in parsed.indicators:
            fields = {
                "name": entry["name"],
                "description": entry["description"],
                "formula": entry["formula"],
                "direction": entry["direction"],
                "unit_name": entry["unit"],
                "decimals": entry["decimals"],
                "area": areas.get(entry["area"]) if entry["area"] else None,
            }
            _upsert(Indicator, entry["code"], fields, report, "indicators")
        variables = {v.code: v for v in Variable.objects.all()}
        for entry in parsed.peer_groups:
            fields = {
                "name": entry["name"],
                "description": entry["description"],
                "kind": PeerGroup.Kind.LISTED if entry["members"] else PeerGroup.Kind.RULE,
                "unit_types": entry["unit_types"],
                "context_variable": variables.get(entry["variable"]) if entry["variable"] else None,
                "context_min": entry["min"],
                "context_max": entry["max"],
            }
            group = _upsert(PeerGroup, entry["code"], fields, report, "peer groups")
            wanted = set(
                Unit.objects.filter(code__in=entry["members"]).values_list("id", flat=True)
            )
            current = set(group.members.values_list("id", flat=True))
            if wanted != current:
                group.members.set(wanted)
                if "peer groups" not in report.created:
                    report.count("peer group members", "updated")
        for entry in parsed.validation_rules:
            fields = {
                "name": entry["name"],
                "description": entry["description"],
                "expression": entry["rule"],
                "severity": entry["severity"],
            }
            _upsert(ValidationRule, entry["code"], fields, report, "validation rules")
        for entry in parsed.indices:
            fields = {
                "name": entry["name"],
                "description": entry["description"],
                "normalisation": entry["normalisation"],
                "aggregation": entry["aggregation"],
                "max_missing_percent": entry["max_missing_percent"],
                "components": _without_lines(entry["components"]),
            }
            _upsert(CompositeIndex, entry["code"], fields, report, "composite indices")
        if report.changed:
            load_recorded(
                user=user, action="catalogue.load", channel=channel, file=path.name, report=report
            )
    return report


def _upsert(model, code: str, fields: dict, report: LoadReport, kind: str):
    obj = model.objects.filter(code=code).first()
    if obj is None:
        obj = model(code=code, **fields)
        obj.full_clean()
        obj.save()
        report.count(kind, "created")
        return obj
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, fields[name])
        obj.full_clean()
        obj.save()
        report.count(kind, "updated")
    else:
        report.count(kind, "unchanged")
    return obj


def _without_lines(components: list[dict]) -> list[dict]:
    """The tree as stored: the source lines were for this load's messages only."""
    return [
        {k: (_without_lines(v) if k == "components" else v) for k, v in node.items() if k != "line"}
        for node in components
    ]


def _leaf_entries(nodes: list[dict]) -> list[dict]:
    leaves = []
    for node in nodes:
        leaves += _leaf_entries(node["components"]) if "components" in node else [node]
    return leaves


def _index_problems(parsed: CatalogueFile) -> list[Problem]:
    """Every index names known indicators with a direction, and can be computed as
    defined (engine.indices.problems_of: goalposts where needed, no z-scores under a
    geometric mean, each indicator once)."""
    directions = dict(Indicator.objects.values_list("code", "direction")) | {
        i["code"]: i["direction"] for i in parsed.indicators
    }
    problems: list[Problem] = []
    for index in parsed.indices:
        unknown = [
            n for n in _leaf_entries(index["components"]) if n["indicator"] not in directions
        ]
        for node in unknown:
            problems.append(
                Problem(
                    f"index {index['code']}: unknown indicator {node['indicator']}",
                    line=node["line"],
                )
            )
        if unknown:
            continue
        spec = spec_from_tree(
            code=index["code"],
            components=index["components"],
            directions=directions,
            normalisation=index["normalisation"],
            aggregation=index["aggregation"],
            max_missing_percent=index["max_missing_percent"],
        )
        for text in engine_indices.problems_of(spec):
            problems.append(Problem(f"index {index['code']}: {text}", line=index["line"]))
    return problems


def _check_references(parsed: CatalogueFile, source: str) -> None:
    """Every code an entry refers to must exist in the file or in the stored catalogue."""
    problems: list[Problem] = []
    area_codes = {a["code"] for a in parsed.service_areas} | set(
        ServiceArea.objects.values_list("code", flat=True)
    )
    variable_codes = {v["code"] for v in parsed.variables} | set(
        Variable.objects.values_list("code", flat=True)
    )
    for entry in parsed.variables:
        if entry.get("per") and entry["per"] not in variable_codes:
            problems.append(
                Problem(
                    f"variables {entry['code']}: per names an unknown variable {entry['per']}",
                    line=entry["line"],
                )
            )
    for section, entries in (("variables", parsed.variables), ("indicators", parsed.indicators)):
        for entry in entries:
            if entry.get("area") and entry["area"] not in area_codes:
                problems.append(
                    Problem(
                        f"{section} {entry['code']}: unknown service area {entry['area']}",
                        line=entry["line"],
                    )
                )
    stored_formulas = dict(Indicator.objects.values_list("code", "formula"))
    all_formulas = stored_formulas | {i["code"]: i["formula"] for i in parsed.indicators}
    lines = {i["code"]: i["line"] for i in parsed.indicators}
    clash = variable_codes & set(all_formulas)
    for code in sorted(clash):
        problems.append(
            Problem(
                f"{code} is both a variable and an indicator; codes must be unique",
                line=lines.get(code),
            )
        )
    if not clash:
        try:
            formulas.validate_catalogue(variable_codes, all_formulas)
        except FormulaError as error:
            indicator = getattr(error, "indicator", None)
            text = (
                f"indicator {indicator}: formula {error.formula!r}: {error.describe()}"
                if indicator
                else error.describe()
            )
            problems.append(Problem(text, line=lines.get(indicator)))
        except EngineError as error:
            problems.append(Problem(str(error)))
    known = variable_codes | set(all_formulas)
    for rule in parsed.validation_rules:
        try:
            for side in quality.parse_rule(rule["rule"])[::2]:
                unknown = sorted(formulas.references(formulas.parse(side)) - known)
                if unknown:
                    raise UnknownCodeError(
                        unknown[0], formula=rule["rule"], position=rule["rule"].find(unknown[0])
                    )
        except FormulaError as error:
            problems.append(
                Problem(f"validation rule {rule['code']}: {error.describe()}", line=rule["line"])
            )
    problems += _index_problems(parsed)
    unit_codes = set(Unit.objects.values_list("code", flat=True))
    for group in parsed.peer_groups:
        missing = [m for m in group["members"] if m not in unit_codes]
        if missing:
            problems.append(
                Problem(
                    f"peer group {group['code']}: unknown unit codes {', '.join(missing[:10])}; load the units first",
                    line=group["line"],
                )
            )
        if group["variable"] and group["variable"] not in variable_codes:
            problems.append(
                Problem(
                    f"peer group {group['code']}: unknown variable {group['variable']}",
                    line=group["line"],
                )
            )
    if problems:
        raise FileProblem(source, problems)
