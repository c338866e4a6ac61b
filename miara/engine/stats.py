"""Statistics of a peer group and the per-unit figures, as defined in methodology.md.

Everything is vectorised over (indicator, period, group): values are joined to the
peer groups' memberships (plus the implicit group `all`), group figures come from one
`group_by`, per-unit figures from a join back and one window rank. Codes are encoded as
`pl.Enum` internally (4-byte keys instead of strings) and decoded to strings on output.

For a national run, `iter_statistics` yields the result per batch of indicators so that
a caller can stream them to storage without holding ~40M per-unit rows at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from miara.engine.errors import PeriodError, StatisticsError
from miara.engine.periods import is_period, previous_period_expr

DIRECTIONS = ("higher", "lower", "neutral")
ALL = "all"
KEY = ["indicator", "period", "group"]

GROUP_SCHEMA = {
    "indicator": pl.String,
    "period": pl.String,
    "group": pl.String,
    "n": pl.Int64,
    "mean": pl.Float64,
    "median": pl.Float64,
    "q1": pl.Float64,
    "q3": pl.Float64,
    "min": pl.Float64,
    "max": pl.Float64,
    "best": pl.Float64,
    "std": pl.Float64,
}
UNIT_SCHEMA = {
    "indicator": pl.String,
    "period": pl.String,
    "group": pl.String,
    "unit": pl.String,
    "value": pl.Float64,
    "rank": pl.Int64,
    "percentile": pl.Float64,
    "quartile": pl.Int64,
    "zscore": pl.Float64,
    "gap_to_median": pl.Float64,
    "gap_to_best": pl.Float64,
    "change": pl.Float64,
}
_VALUE_COLUMNS = ("indicator", "unit", "period", "value")
_MEMBERSHIP_COLUMNS = ("group", "period", "unit")


@dataclass(frozen=True)
class Statistics:
    """Result of `compute_statistics`: `.groups` (one row per indicator, period, group)
    and `.units` (one row per indicator, period, group and member unit with a value)."""

    groups: pl.DataFrame
    units: pl.DataFrame

    @classmethod
    def empty(cls) -> Statistics:
        """A result without rows, with the contract's columns and dtypes."""
        return cls(pl.DataFrame(schema=GROUP_SCHEMA), pl.DataFrame(schema=UNIT_SCHEMA))

    @staticmethod
    def concat(parts: list[Statistics]) -> Statistics:
        """Stack several results (e.g. the batches of `iter_statistics`)."""
        if not parts:
            return Statistics.empty()
        return Statistics(
            pl.concat([p.groups for p in parts], how="vertical"),
            pl.concat([p.units for p in parts], how="vertical"),
        )


def compute_statistics(
    indicator_values: pl.DataFrame,
    memberships: pl.DataFrame | None,
    directions: dict[str, str],
    *,
    previous: pl.DataFrame | None = None,
) -> Statistics:
    """Group statistics and per-unit figures of every indicator, period and peer group.

    `indicator_values`: `indicator, unit, period, value` (a null, NaN or infinite value
    is missing: the unit is then not in any group for that indicator and period).
    `memberships`: `group, period, unit`; the group `all` (every unit with a value) is
    added here, rows of a group named `all` in `memberships` are ignored.
    `directions`: indicator code -> `higher | lower | neutral`.
    `previous`: optional extra values of earlier periods (same columns as
    `indicator_values`) used only for `change`; `indicator_values` wins when both hold
    the same unit, indicator and period.

    Rows come sorted by indicator, period, group (and unit). Raises `StatisticsError`
    on missing columns, an indicator without a valid direction or a duplicated
    (indicator, unit, period).
    """
    prepared = _Prepared(indicator_values, memberships, directions, previous)
    return prepared.compute(prepared.indicators)


def iter_statistics(
    indicator_values: pl.DataFrame,
    memberships: pl.DataFrame | None,
    directions: dict[str, str],
    *,
    previous: pl.DataFrame | None = None,
    batch_size: int = 20,
) -> Iterator[Statistics]:
    """Yield `compute_statistics` per batch of `batch_size` indicators (in code order).

    The batches concatenated equal `compute_statistics` on the whole; memory is that of
    the encoded input plus one batch, so a national run can be streamed to storage.
    Input is validated here, before the first batch is asked for.
    """
    if batch_size < 1:
        raise StatisticsError(f"batch_size must be at least 1, not {batch_size}")
    prepared = _Prepared(indicator_values, memberships, directions, previous)
    codes = prepared.indicators
    return (
        prepared.compute(codes[start : start + batch_size])
        for start in range(0, len(codes), batch_size)
    )


# --------------------------------------------------------------------------- internals


def _check_columns(frame: pl.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise StatisticsError(
            f"{name} lacks the column(s) {', '.join(missing)}; expected {', '.join(columns)}"
        )


def _codes(frames: list[pl.DataFrame | None], column: str) -> set[str]:
    """Distinct non-null codes of a column over several frames."""
    found: set[str] = set()
    for frame in frames:
        if frame is not None:
            found.update(frame.get_column(column).cast(pl.String).drop_nulls().unique().to_list())
    return found


class _Prepared:
    """Inputs validated and encoded once (codes -> Enum), ready to compute any batch."""

    def __init__(
        self,
        indicator_values: pl.DataFrame,
        memberships: pl.DataFrame | None,
        directions: dict[str, str],
        previous: pl.DataFrame | None,
    ) -> None:
        _check_columns(indicator_values, _VALUE_COLUMNS, "indicator_values")
        if previous is not None:
            _check_columns(previous, _VALUE_COLUMNS, "previous")
        if memberships is None:
            members = pl.DataFrame(schema=dict.fromkeys(_MEMBERSHIP_COLUMNS, pl.String))
        else:
            _check_columns(memberships, _MEMBERSHIP_COLUMNS, "memberships")
            members = memberships.select(pl.col(c).cast(pl.String) for c in _MEMBERSHIP_COLUMNS)
            members = members.filter(pl.col("group") != ALL).drop_nulls().unique()

        indicators = sorted(_codes([indicator_values], "indicator"))
        bad = {code: directions.get(code) for code in indicators}
        bad = {code: d for code, d in bad.items() if d not in DIRECTIONS}
        if bad:
            shown = ", ".join(f"{code}={d!r}" for code, d in list(bad.items())[:5])
            more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
            raise StatisticsError(
                f"indicator(s) without a direction higher/lower/neutral: {shown}{more}"
            )
        self.indicators: list[str] = indicators

        # Enum dictionaries, sorted so that physical order is the codes' order. Periods
        # include each period's previous period, so the `change` lookup is an integer join.
        sources = [indicator_values, previous, members]
        periods = _codes(sources, "period")
        for code in sorted(periods):
            if not is_period(code):
                raise PeriodError(code)
        period_map = pl.DataFrame({"period": sorted(periods)}, schema={"period": pl.String})
        period_map = period_map.with_columns(previous_period_expr("period").alias("prev"))
        self.t_ind = pl.Enum(sorted(set(indicators) | _codes([previous], "indicator")))
        self.t_per = pl.Enum(sorted(periods | set(period_map.get_column("prev").to_list())))
        self.t_unit = pl.Enum(sorted(_codes(sources, "unit")))
        self.t_grp = pl.Enum(sorted({ALL} | _codes([members], "group")))

        def encode(frame: pl.DataFrame) -> pl.DataFrame:
            # One lazy pass: no intermediate copy of the string columns. A null, NaN or
            # infinite value is missing.
            return (
                frame.lazy()
                .select(
                    pl.col("indicator").cast(pl.String).cast(self.t_ind),
                    pl.col("unit").cast(pl.String).cast(self.t_unit),
                    pl.col("period").cast(pl.String).cast(self.t_per),
                    pl.col("value").cast(pl.Float64),
                )
                .filter(pl.col("value").is_finite() & pl.all_horizontal(pl.all().is_not_null()))
                .collect()
            )

        self.values = encode(indicator_values)
        self.previous = encode(previous) if previous is not None else None
        if self.previous is not None:
            self._check_unique(self.previous, "previous")
        self.members = members.with_columns(
            pl.col("group").cast(self.t_grp),
            pl.col("period").cast(self.t_per),
            pl.col("unit").cast(self.t_unit),
        )
        self.period_map = period_map.with_columns(
            pl.col("period").cast(self.t_per), pl.col("prev").cast(self.t_per)
        )
        sign = {"higher": -1.0, "lower": 1.0, "neutral": None}
        self.signs = pl.DataFrame(
            {"indicator": indicators, "sign": [sign[directions[code]] for code in indicators]},
            schema={"indicator": self.t_ind, "sign": pl.Float64},
        )

    def compute(self, codes: list[str]) -> Statistics:
        """Statistics of the given indicators (a batch)."""
        if not codes:
            return Statistics.empty()
        wanted = pl.Series(codes, dtype=self.t_ind).implode()
        values = self.values.filter(pl.col("indicator").is_in(wanted))
        self._check_unique(values)

        # change: value minus the same unit's value of the previous period.
        lookups = [values]
        if self.previous is not None:
            lookups.append(self.previous.filter(pl.col("indicator").is_in(wanted)))
        lazy = values.lazy().join(self.period_map.lazy(), on="period", how="left")
        for i, lookup in enumerate(lookups):
            lazy = lazy.join(
                lookup.lazy().rename({"period": "prev", "value": f"_prev{i}"}),
                on=["indicator", "unit", "prev"],
                how="left",
            )
        prev_value = pl.coalesce([f"_prev{i}" for i in range(len(lookups))])
        with_change = lazy.select(
            "indicator", "period", "unit", "value", (pl.col("value") - prev_value).alias("change")
        ).collect()
        del values, lookups, lazy

        # One row per (indicator, period, group, unit): `all` plus every membership,
        # sorted once here so that the output is in a stable order.
        columns = ["indicator", "period", "group", "unit", "value", "change"]
        in_all = with_change.lazy().with_columns(pl.lit(ALL, dtype=self.t_grp).alias("group"))
        in_groups = with_change.lazy().join(self.members.lazy(), on=["period", "unit"])
        rows = (
            pl.concat([in_all.select(columns), in_groups.select(columns)])
            .sort(self._row_order())
            .join(self.signs.lazy(), on="indicator", how="left", maintain_order="left")
            .collect()
        )
        del with_change

        groups = self._group_figures(rows)
        units = self._unit_figures(rows, groups)
        del rows
        return Statistics(groups=self._decode(groups.drop("sign")), units=self._decode(units))

    def _physical(self, column: str) -> pl.Expr:
        return pl.col(column).to_physical().cast(pl.UInt64)

    def _check_unique(self, values: pl.DataFrame, name: str = "indicator_values") -> None:
        """Raise when an (indicator, unit, period) appears twice (cheap: one u64 key)."""
        n_per, n_unit = len(self.t_per.categories), len(self.t_unit.categories)
        if len(self.t_ind.categories) * n_per * n_unit < 2**63:
            key = (self._physical("indicator") * n_per + self._physical("period")) * n_unit
            key = key + self._physical("unit")
        else:  # pragma: no cover - astronomically many codes
            key = pl.struct("indicator", "period", "unit")
        if values.select(key.n_unique()).item() == values.height:
            return
        dup = values.filter(key.is_duplicated()).head(3).select("indicator", "unit", "period")
        raise StatisticsError(
            f"{name} holds the same (indicator, unit, period) more than once, e.g. {dup.rows()}"
        )

    def _row_order(self) -> pl.Expr | list[str]:
        """Sort key of (indicator, period, group, unit); one u64 when it fits (2x faster).

        Enum categories are sorted, so physical order is the codes' order."""
        sizes = [len(t.categories) for t in (self.t_ind, self.t_per, self.t_grp, self.t_unit)]
        if sizes[0] * sizes[1] * sizes[2] * sizes[3] >= 2**63:  # pragma: no cover
            return [*KEY, "unit"]
        _, n_per, n_grp, n_unit = sizes
        key = self._physical("indicator") * n_per + self._physical("period")
        key = (key * n_grp + self._physical("group")) * n_unit + self._physical("unit")
        return key

    @staticmethod
    def _group_figures(rows: pl.DataFrame) -> pl.DataFrame:
        value = pl.col("value")
        quantiles = {"median": 0.5, "q1": 0.25, "q3": 0.75}
        bounds = []
        for name, q in quantiles.items():
            bounds.append(value.quantile(q, interpolation="lower").alias(f"_{name}_a"))
            bounds.append(value.quantile(q, interpolation="higher").alias(f"_{name}_b"))

        def lerp(name: str, q: float) -> pl.Expr:
            # numpy's type-7 quantile to the bit: virtual index (n-1)q between the order
            # statistics a and b, weight t, and numpy's two-sided lerp.
            position = (pl.col("n") - 1).cast(pl.Float64) * q
            t = position - position.floor()
            a, b = pl.col(f"_{name}_a"), pl.col(f"_{name}_b")
            return pl.when(t >= 0.5).then(b - (b - a) * (1 - t)).otherwise(a + (b - a) * t)

        return (
            rows.lazy()
            .group_by(KEY)
            .agg(
                pl.len().cast(pl.Int64).alias("n"),
                value.mean().alias("mean"),
                value.min().alias("min"),
                value.max().alias("max"),
                # Two passes (deviations from the group's mean): the one-pass group std
                # loses the digits that nearly equal values share (six of them for two
                # values agreeing to eleven digits), numpy's and R's do not.
                ((value - value.mean()).pow(2).sum() / (pl.len() - 1)).sqrt().alias("std"),
                pl.col("sign").first(),
                *bounds,
            )
            .with_columns(
                *(lerp(name, q).alias(name) for name, q in quantiles.items()),
                # Equal values have std 0 exactly (a one-pass algorithm may leave 1e-17).
                pl.when(pl.col("n") < 2)
                .then(None)
                .when(pl.col("min") == pl.col("max"))
                .then(0.0)
                .otherwise(pl.col("std"))
                .alias("std"),
                pl.when(pl.col("sign") < 0)
                .then(pl.col("max"))
                .when(pl.col("sign") > 0)
                .then(pl.col("min"))
                .alias("best"),
            )
            .select(*KEY, "n", "mean", "median", "q1", "q3", "min", "max", "best", "std", "sign")
            .sort(KEY)
            .collect()
        )

    @staticmethod
    def _unit_figures(rows: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
        # rank 'min' of value*sign (+0.0 folds -0.0 into 0.0): 1 + number strictly better.
        # sign is -1 for higher, +1 for lower and null for neutral (rank stays null).
        signed = pl.col("value") * pl.col("sign") + 0.0
        n, p, std = pl.col("n"), pl.col("percentile"), pl.col("std")
        percentile = pl.when(n >= 2).then(
            (100 * (n - pl.col("rank"))).cast(pl.Float64) / (n - 1).cast(pl.Float64)
        )
        return (
            rows.lazy()
            .with_columns(signed.rank("min").over(KEY).cast(pl.Int64).alias("rank"))
            .join(
                groups.lazy().select(*KEY, "n", "mean", "median", "best", "std"),
                on=KEY,
                how="left",
                maintain_order="left",
            )
            .with_columns(percentile.alias("percentile"))
            .select(
                *KEY,
                "unit",
                "value",
                "rank",
                "percentile",
                pl.when(p >= 75)
                .then(1)
                .when(p >= 50)
                .then(2)
                .when(p >= 25)
                .then(3)
                .when(p.is_not_null())
                .then(4)
                .cast(pl.Int64)
                .alias("quartile"),
                pl.when(std > 0).then((pl.col("value") - pl.col("mean")) / std).alias("zscore"),
                (pl.col("value") - pl.col("median")).alias("gap_to_median"),
                (pl.col("value") - pl.col("best")).alias("gap_to_best"),
                "change",
            )
            .collect()
        )

    def _decode(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Enum codes back to strings; any NaN/infinity (float overflow) to null.

        Gathering from the categories copies 16-byte string views: several times faster
        than casting Enum to String."""
        enums = {"indicator": self.t_ind, "period": self.t_per, "group": self.t_grp}
        enums["unit"] = self.t_unit
        codes = [
            dtype.categories.gather(frame.get_column(name).to_physical()).alias(name)
            for name, dtype in enums.items()
            if name in frame.columns
        ]
        floats = pl.col(pl.Float64)
        return frame.with_columns(*codes, pl.when(floats.is_finite()).then(floats).name.keep())


def relative_gap_to_median(frame: pl.DataFrame) -> pl.DataFrame:
    """The gap to the median as a share of the median, signed so that positive is better.

    `frame` has at least `value`, `median` (f64, nullable) and `direction`
    (`"higher" | "lower" | "neutral"`); a column `relative_gap` (f64) is added:
    `(value - median) / |median|`, negated for "lower is better". It makes gaps of
    indicators in different units comparable, so a scorecard can put the largest
    shortfalls first. Null where it is not defined: a neutral indicator, a missing value
    or median, or a median of zero.
    """
    gap = (pl.col("value") - pl.col("median")) / pl.col("median").abs()
    signed = pl.when(pl.col("direction") == "lower").then(-gap).otherwise(gap)
    defined = (
        pl.col("value").is_not_null()
        & pl.col("median").is_not_null()
        & (pl.col("median") != 0)
        & pl.col("direction").is_in(["higher", "lower"])
    )
    return frame.with_columns(
        pl.when(defined).then(signed).otherwise(None).cast(pl.Float64).alias("relative_gap")
    )


def histogram(values: pl.Series, bins: int = 30) -> pl.DataFrame:
    """Counts of `values` in `bins` equal-width bins from the lowest to the highest value.

    Returns `start`, `end` (f64) and `count` (u32) per bin, lowest first; a value on a
    bin's edge counts in the bin above it, the highest value in the last bin (numpy's
    `histogram` convention). Nulls and non-finite values are left out; no values give no
    bins, values that are all equal give one bin of width zero. For the distribution
    chart of a group too large to draw as one dot per unit.
    """
    if bins < 1:
        raise ValueError("a histogram needs at least one bin")
    finite = values.cast(pl.Float64).drop_nulls()
    finite = finite.filter(finite.is_finite())
    schema = {"start": pl.Float64, "end": pl.Float64, "count": pl.UInt32}
    if finite.is_empty():
        return pl.DataFrame(schema=schema)
    low, high = finite.min(), finite.max()
    if high == low:
        return pl.DataFrame({"start": [low], "end": [high], "count": [finite.len()]}, schema=schema)
    width = (high - low) / bins
    index = ((finite - low) / width).floor().cast(pl.Int64).clip(0, bins - 1)
    counts = index.value_counts().rename({index.name: "bin"})
    edges = pl.DataFrame({"bin": range(bins)}, schema={"bin": pl.Int64}).with_columns(
        (low + pl.col("bin") * width).alias("start"),
        pl.when(pl.col("bin") == bins - 1)
        .then(pl.lit(high))
        .otherwise(low + (pl.col("bin") + 1) * width)
        .alias("end"),
    )
    return (
        edges.join(counts, on="bin", how="left")
        .select("start", "end", pl.col("count").fill_null(0).cast(pl.UInt32))
        .sort("start")
    )
