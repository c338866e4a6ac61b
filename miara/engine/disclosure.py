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
space of the groups × atoms membership matrix. In that matrix's reduced row echelon form a
row-space vector is fixed by its entries at the pivot atoms, so a 0/1 vector is a sum of
echelon rows, and the pivot atoms it includes already hold as many units as rows chosen:
trying every set of echelon rows whose pivot atoms hold fewer than k units finds every
disclosing set (exact, and small: at most k − 1 of the rank's rows). Every set found is
confirmed on the groups themselves before it counts. This is the approach of tau-Argus's
secondary suppression in miniature (Hundepool et al., *Statistical Disclosure Control*,
Wiley 2012, ch. 4), restricted to what miara publishes: totals of possibly overlapping
groups. It does not model what medians or quartiles add (see methodology.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from miara.engine.errors import EngineError

THRESHOLD = "threshold"  # fewer than k units
DIFFERENCING = "differencing"  # withheld to protect a smaller group

MEMBERS_SCHEMA = {"indicator": pl.String, "group": pl.String, "unit": pl.String}
WITHHELD_SCHEMA = {"indicator": pl.String, "group": pl.String, "withheld": pl.String}

# How many disclosing sets one round of the search collects before a group is withheld;
# the search runs again afterwards, so this bounds the work, not the guarantee.
SETS_PER_ROUND = 40
# Sets of echelon rows one search may try. The count grows like (rank choose k − 1): with
# k of 3 to 10 and a few dozen groups it stays far below; beyond, the audit says so
# rather than publish unchecked.
MAX_TRIES = 2_000_000
_TOLERANCE = 1e-7


class AuditTooLarge(EngineError):
    """The exhaustive search would take too long: too many groups for so large a k."""

    def __init__(self, indicator: str = ""):
        self.indicator = indicator
        super().__init__(
            "the differencing audit"
            + (f" of {indicator}" if indicator else "")
            + f" would try more than {MAX_TRIES:,} combinations of groups; choose a smaller "
            "threshold or publish fewer overlapping groups"
        )


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
        # Each unit's published groups as a bit mask: one pass over the memberships.
        masks: dict[str, int] = {}
        for index, group in enumerate(self.groups):
            bit = 1 << index
            for unit in members[group]:
                masks[unit] = masks.get(unit, 0) | bit
        atoms: dict[int, list[str]] = {}
        for unit, mask in masks.items():
            atoms.setdefault(mask, []).append(unit)
        keys = sorted(atoms)
        self.atoms = [frozenset(atoms[mask]) for mask in keys]
        self.sizes = np.array([len(a) for a in self.atoms], dtype=float)
        self.matrix = np.array(
            [[(mask >> index) & 1 for mask in keys] for index in range(len(self.groups))],
            dtype=float,
        ).reshape(len(self.groups), len(keys))

    def vector(self, units: frozenset[str]) -> np.ndarray:
        return np.array([1.0 if atom <= units else 0.0 for atom in self.atoms])


class _Space:
    """The row space of a membership matrix in reduced row echelon form, with the
    transformation that made it (form = transform · matrix), so that a vector's
    membership and the group coefficients that give it are read off directly.

    Entries of a 0/1 matrix's form are small rationals; floats with a tolerance hold
    them well at the sizes of peer groups.
    """

    def __init__(self, matrix: np.ndarray):
        groups, atoms = matrix.shape
        work = np.hstack([matrix.astype(float), np.eye(groups)])
        pivots: list[int] = []
        row = 0
        for column in range(atoms):
            if row == groups:
                break
            best = row + int(np.argmax(np.abs(work[row:, column])))
            if abs(work[best, column]) < 1e-9:
                continue
            work[[row, best]] = work[[best, row]]
            work[row] /= work[row, column]
            factor = work[:, column].copy()
            factor[row] = 0.0
            work -= np.outer(factor, work[row])
            work[np.abs(work) < 1e-12] = 0.0
            pivots.append(column)
            row += 1
        self.form = work[:row, :atoms]
        self.transform = work[:row, atoms:]
        self.pivots = pivots

    def combination(self, target: np.ndarray) -> np.ndarray | None:
        """Coefficients y (one per group) with y · matrix = target, or None."""
        weights = target[self.pivots]
        if np.max(np.abs(weights @ self.form - target), initial=0.0) > 1e-6:
            return None
        return weights @ self.transform


def _coefficients(matrix: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """Coefficients y with y·matrix = target, or None when target is not in the row space."""
    if matrix.shape[0] == 0:
        return None
    return _Space(matrix).combination(target)


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


def _as_choice(vector: np.ndarray) -> np.ndarray | None:
    """The atoms a combination selects, if it is a 0/1 vector."""
    ones = np.abs(vector - 1.0) < 1e-6
    if not np.all(ones | (np.abs(vector) < 1e-6)):
        return None
    return ones


def _candidates(structure: _Structure, space: _Space, k: int, limit: int) -> list[np.ndarray]:
    """Every choice of atoms with 1..k-1 units whose total is a combination of the group
    totals (up to `limit`).

    In the reduced row echelon form R of the membership matrix, a vector of the row space
    is fixed by its entries at the pivot columns: x = Σ x[pivot i] · R[i]. A 0/1 vector is
    therefore the sum of the rows whose pivot atom it includes, and those atoms alone
    already hold at least as many units as the pivots chosen. So trying every set of
    pivot rows whose pivot atoms hold fewer than k units between them finds every
    disclosing set; no other can exist.
    """
    form, pivots = space.form, space.pivots
    sizes = structure.sizes
    rows = [i for i, column in enumerate(pivots) if sizes[column] < k]
    found: list[np.ndarray] = []
    tries = 0

    def walk(start: int, held: float, total: np.ndarray) -> None:
        nonlocal tries
        for position in range(start, len(rows)):
            if len(found) >= limit:
                return
            index = rows[position]
            now = held + sizes[pivots[index]]
            if now >= k:
                continue
            tries += 1
            if tries > MAX_TRIES:
                raise AuditTooLarge()
            combined = total + form[index]
            choice = _as_choice(combined)
            if choice is not None and 0 < sizes[choice].sum() < k:
                found.append(choice)
            walk(position + 1, now, combined)

    walk(0, 0.0, np.zeros(len(structure.atoms)))
    return found


def disclosures(
    members: Mapping[str, Iterable[str]],
    published: Iterable[str],
    k: int,
    *,
    limit: int = SETS_PER_ROUND,
) -> list[Disclosure]:
    """Sets of 1..k-1 units whose total the published groups' totals give away (up to
    `limit` of them); empty when publishing `published` is safe."""
    members = {g: frozenset(m) for g, m in members.items()}
    structure = _Structure(members, [g for g in published if members[g]])
    if k <= 1 or not structure.atoms:
        return []
    found: list[Disclosure] = []
    space = _Space(structure.matrix)
    for choice in _candidates(structure, space, k, limit):
        units = frozenset().union(*(a for a, c in zip(structure.atoms, choice, strict=True) if c))
        coefficients = space.combination(choice.astype(float))
        # Confirmed on the groups themselves: the coefficients must give the set exactly.
        if (
            coefficients is None
            or np.max(np.abs(coefficients @ structure.matrix - choice), initial=0.0) > 1e-6
        ):
            continue
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
    return sorted(found, key=lambda d: (len(d.units), sorted(d.units)))


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
    structure = _Structure(members, published)
    targets = [structure.vector(d.units) for d in found]

    def score(index: int) -> tuple[int, int, str]:
        rest = _Space(np.delete(structure.matrix, index, axis=0))
        resolved = sum(rest.combination(t) is None for t in targets)
        group = structure.groups[index]
        return (-resolved, len(members[group]), group)

    scores = sorted(score(i) for i in range(len(structure.groups)))
    if scores and scores[0][0] < 0:
        return scores[0][2]
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
            try:
                cache[key] = audit(members, k)
            except AuditTooLarge as error:
                raise AuditTooLarge(indicator) from error
        rows += [(indicator, g, reason) for g, reason in sorted(cache[key].items())]
    return pl.DataFrame(rows, schema=WITHHELD_SCHEMA, orient="row")
