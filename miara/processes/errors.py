"""Named exceptions of the process-managed office."""

from __future__ import annotations


class ProcessRequestError(ValueError):
    """A request that names no unit the user may act for, or a period that is not one."""


class CostingNotWritten(ProcessRequestError):
    """The computed costs could not be written into their catalogue variables, so
    nothing of the costing was stored. The message says why."""


class CellConflict(ProcessRequestError):
    """Someone changed a cell of the time-allocation survey after the editor read it;
    nothing was written. `stored` is the cell's percent now (None when empty)."""

    def __init__(self, message: str, *, stored: float | None):
        super().__init__(message)
        self.stored = stored


class FigureConflict(CellConflict):
    """Someone changed a figure of the costing (a cost pool's or a process output's)
    after the editor read it; nothing was written. `stored` is the figure now (a number,
    a department kind, or None when there is none)."""
