"""Disclosure control of public aggregates (methodology.md, "Publication and anonymity").

Two rules decide which groups of one indicator and period the public may see:

* **Primary suppression** — a group of fewer than k units is never published.
* **Differencing audit** — the published totals (`n × mean`) of overlapping groups can be
  added and subtracted; no such combination may give the total of a set of fewer than k
  (but at least one) units. When one does, further groups are withheld (secondary
  suppression), greedily, until none does.

The audit works on *atoms*: units that belong to exactly the same published groups. Any
total anyone can derive from the published totals is a linear combination of them, so the
total of a set of atoms is derivable exactly when its 0/1 indicator vector lies in the row
space of the groups × atoms membership matrix. The search for such a set of fewer than k
units is a small mixed-integer feasibility problem (binary atoms, free real coefficients
per group) solved by HiGHS through `scipy.optimize.milp`; every set it finds is confirmed
by a least-squares rank test before it counts. This is the approach of tau-Argus's
secondary suppression in miniature (Hundepool et al., *Statistical Disclosure Control*,
Wiley 2012, ch. 4), restricted to what miara publishes: totals of possibly overlapping
groups. It does not model what medians or quartiles add (see methodology.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.optimize import Bounds, LinearConstraint, milp

THRESHOLD = "threshold"  # fewer than k units
DIFFERENCING = "differencing"  # withheld to protect a smaller group

MEMBERS_SCHEMA = {"indicator": pl.String, "group": pl.String, "unit": pl.String}
WITHHELD_SCHEMA = {"indicator": pl.String, "group": pl.String, "withheld": pl.String}

# How many disclosing sets one round of the search collects before a group is withheld;
# the search runs again afterwards, so this bounds the work, not the guarantee.
SETS_PER_ROUND = 40
_TOLERANCE = 1e-7


@dataclass(frozen=True)
class Disclosure:
    """A set of fewer than k units whose total follows from the published totals."""

    units: frozenset[str]
    # The published groups that give it, with their coefficients (+1 add, -1 subtract ...).
    combination: tuple[tuple[str, float], ...]


class _Structure:
    """The published groups of one indicator as atoms and a membership matrix."""

    def __init__(self, members: Mapping[str, frozenset[str]], published: list[str]):
        self.groups = list(published)
        signature: dict[str, tuple[bool, ...]] = {}
        for unit in sorted(set().union(*(members[g] for g in self.groups)) if self.groups else ()):
            signature[unit] = tuple(unit in members[g] for g in self.groups)
        atoms: dict[tuple[bool, ...], list[str]] = {}
        for unit, key in signature.items():
            atoms.setdefault(key, []).append(unit)
        self.atoms = [frozenset(units) for units in atoms.values()]
        self.sizes = np.array([len(a) for a in self.atoms], dtype=float)
        self.matrix = np.array(list(atoms), dtype=float).T.reshape(len(self.groups), len(atoms))

    def vector(self, units: frozenset[str]) -> np.ndarray:
        return np.array([1.0 if atom <= units else 0.0 for atom in self.atoms])


def _coefficients(matrix: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """Coefficients y with yᵀ·matrix = target, or None when target is not in the row space."""
    if matrix.shape[0] == 0:
        return None
    solution, *_ = np.linalg.lstsq(matrix.T, target, rcond=None)
    if np.max(np.abs(matrix.T @ solution - target), initial=0.0) > 1e-6:
        return None
    return solution


def derivable(
    members: Mapping[str, Iterable[str]], published: Iterable[str], units: Iterable[str]
) -> bool:
    """Whether the total of exactly `units` follows from the totals of `published` groups."""
    members = {g: frozenset(m) for g, m in members.items()}
    groups = list(published)
    wanted = frozenset(units)
    universe = frozenset().union(*(members[g] for g in groups)) if groups else frozenset()
    if not wanted or not wanted <= universe:
        return False
    matrix = np.array([[1.0 if u in members[g] else 0.0 for u in sorted(universe)] for g in groups])
    target = np.array([1.0 if u in wanted else 0.0 for u in sorted(universe)])
    return _coefficients(matrix, target) is not None


def disclosures(
    members: Mapping[str, Iterable[str]],
    published: Iterable[str],
    k: int,
    *,
    limit: int = SETS_PER_ROUND,
) -> list[Disclosure]:
    """Sets of 1..k-1 units whose total the published groups' totals give away (up to
    `limit` of them, smallest first); empty when publishing `published` is safe."""
    members = {g: frozenset(m) for g, m in members.items()}
    structure = _Structure(members, [g for g in published if members[g]])
    if k <= 1 or not structure.atoms:
        return []
    groups, atoms = len(structure.groups), len(structure.atoms)
    # Variables: x (one binary per atom), then y (one free coefficient per group).
    cost = np.concatenate([structure.sizes, np.zeros(groups)])
    integrality = np.concatenate([np.ones(atoms), np.zeros(groups)])
    upper = np.where(structure.sizes < k, 1.0, 0.0)  # an atom of k units never fits
    bounds = Bounds(
        np.concatenate([np.zeros(atoms), np.full(groups, -np.inf)]),
        np.concatenate([upper, np.full(groups, np.inf)]),
    )
    rows = [np.hstack([np.eye(atoms), -structure.matrix.T])]  # x = Mᵀ·y
    low, high = [np.zeros(atoms)], [np.zeros(atoms)]
    rows.append(np.concatenate([structure.sizes, np.zeros(groups)])[None, :])
    low.append(np.array([1.0]))
    high.append(np.array([k - 1.0]))
    found: list[Disclosure] = []
    for _ in range(limit * 4):  # false candidates are cut off too; bound the loop anyway
        if len(found) >= limit:
            break
        result = milp(
            cost,
            integrality=integrality,
            bounds=bounds,
            constraints=LinearConstraint(
                np.vstack(rows), np.concatenate(low), np.concatenate(high)
            ),
            options={"presolve": True},
        )
        if result.status != 0 or result.x is None:
            break
        chosen = np.round(result.x[:atoms]).astype(bool)
        units = frozenset().union(*(a for a, c in zip(structure.atoms, chosen, strict=True) if c))
        coefficients = _coefficients(structure.matrix, chosen.astype(float))
        if coefficients is not None and 0 < len(units) < k:
            found.append(
                Disclosure(
                    units=units,
                    combination=tuple(
                        (g, round(float(c), 6))
                        for g, c in zip(structure.groups, coefficients, strict=True)
                        if abs(c) > _TOLERANCE
                    ),
                )
            )
        # Cut off exactly this choice of atoms and look again.
        cut = np.where(chosen, 1.0, -1.0)
        rows.append(np.concatenate([cut, np.zeros(groups)])[None, :])
        low.append(np.array([-np.inf]))
        high.append(np.array([chosen.sum() - 1.0]))
    return found


def audit(members: Mapping[str, Iterable[str]], k: int) -> dict[str, str]:
    """Which groups of one indicator to withhold, and why (THRESHOLD or DIFFERENCING).

    `members`: each candidate group's units (those with a value). Groups of fewer than
    `k` units are withheld first; then, while the published totals give away the total
    of fewer than `k` units, the group whose withholding removes the most such
    disclosures is withheld too (ties: the smaller group, then the code).
    """
    members = {g: frozenset(m) for g, m in members.items()}
    withheld = {g: THRESHOLD for g, m in members.items() if len(m) < k}
    published = sorted(g for g in members if g not in withheld)
    while found := disclosures(members, published, k):
        chosen = _most_resolving(members, published, found)
        withheld[chosen] = DIFFERENCING
        published.remove(chosen)
    return withheld


def _most_resolving(
    members: dict[str, frozenset[str]], published: list[str], found: list[Disclosure]
) -> str:
    def score(group: str) -> tuple[int, int, str]:
        rest = [g for g in published if g != group]
        resolved = sum(not derivable(members, rest, d.units) for d in found)
        return (-resolved, len(members[group]), group)

    ranked = sorted(published, key=score)
    if score(ranked[0])[0] < 0:
        return ranked[0]
    # No single group breaks any of them (each has several derivations): withhold the
    # smallest group used by the first one; the search runs again after.
    used = [g for g, _ in found[0].combination] or published
    return min(used, key=lambda g: (len(members[g]), g))


def withheld_frame(memberships: pl.DataFrame, k: int) -> pl.DataFrame:
    """`audit` for every indicator of a membership frame (MEMBERS_SCHEMA: one row per
    indicator, group and unit with a value), as rows `indicator, group, withheld`.

    Indicators with the same membership structure (the usual case: every unit reports
    every indicator) are audited once.
    """
    rows: list[tuple[str, str, str]] = []
    cache: dict[tuple, dict[str, str]] = {}
    for (indicator,), frame in memberships.group_by(["indicator"], maintain_order=True):
        members = {
            group: frozenset(units)
            for group, units in frame.group_by("group")
            .agg(pl.col("unit"))
            .select("group", "unit")
            .iter_rows()
        }
        key = tuple(sorted((g, tuple(sorted(m))) for g, m in members.items()))
        if key not in cache:
            cache[key] = audit(members, k)
        rows += [(indicator, g, reason) for g, reason in sorted(cache[key].items())]
    return pl.DataFrame(rows, schema=WITHHELD_SCHEMA, orient="row")
