"""Deterministic demo programme (Silesian benchmarking group): catalogue, units and values."""

from miara.demo.generator import (
    PERIODS,
    SEED,
    demo_catalogue,
    demo_units,
    demo_values,
    write_demo_files,
)

__all__ = [
    "PERIODS",
    "SEED",
    "demo_catalogue",
    "demo_units",
    "demo_values",
    "write_demo_files",
]
