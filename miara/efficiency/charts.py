"""The frontier drawn in two dimensions (Vega-Lite through Altair), with its text
alternative.

* 1 input, 1 output: output against input; the frontier runs through the efficient
  units (from the origin under constant returns);
* 1 input, 2 outputs: each output per unit of input; the frontier is the outer edge;
* 2 inputs, 1 output: each input per unit of output; the frontier is the inner edge.
Other shapes have more than two dimensions and get no drawing, only the table.
"""

from __future__ import annotations

import altair as alt
from django.utils.translation import gettext as _

ACCENT = "#17476b"
OTHERS = "#8a96a3"
FRONTIER = "#185c34"


def frontier_axes(model) -> tuple[str, str, str] | None:
    """(x title, y title, shape) or None when the model has more than two dimensions."""
    ins, outs = model.inputs, model.outputs
    if len(ins) == 1 and len(outs) == 1:
        return ins[0], outs[0], "io"
    if len(ins) == 1 and len(outs) == 2:
        return f"{outs[0]} / {ins[0]}", f"{outs[1]} / {ins[0]}", "oo"
    if len(ins) == 2 and len(outs) == 1:
        return f"{ins[0]} / {outs[0]}", f"{ins[1]} / {outs[0]}", "ii"
    return None


def frontier_points(model, items) -> list[dict]:
    """One point per scored unit: its coordinates, label and whether it is efficient."""
    axes = frontier_axes(model)
    if axes is None:
        return []
    shape = axes[2]
    ins, outs = model.inputs, model.outputs
    points = []
    for item in items:
        v = item.result.values
        if item.result.score is None or any(v.get(c) in (None, 0) for c in ins + outs):
            continue
        if shape == "io":
            x, y = v[ins[0]], v[outs[0]]
        elif shape == "oo":
            x, y = v[outs[0]] / v[ins[0]], v[outs[1]] / v[ins[0]]
        else:
            x, y = v[ins[0]] / v[outs[0]], v[ins[1]] / v[outs[0]]
        points.append(
            {
                "x": x,
                "y": y,
                "unit": item.label,
                "efficient": bool(item.result.efficient),
                "score": item.result.score,
            }
        )
    return points


def _frontier_line(model, points: list[dict]) -> list[dict]:
    shape = frontier_axes(model)[2]
    front = sorted((p for p in points if p["efficient"]), key=lambda p: p["x"])
    if not front:
        return []
    line = [{"x": p["x"], "y": p["y"], "order": i + 1} for i, p in enumerate(front)]
    if shape == "io" and model.returns == "constant":
        best = max(front, key=lambda p: p["y"] / p["x"])
        far = max(p["x"] for p in points)
        return [
            {"x": 0, "y": 0, "order": 0},
            {"x": far, "y": best["y"] / best["x"] * far, "order": 1},
        ]
    if shape == "oo":
        # the outer edge: from the y axis down to the x axis
        top, right = line[0], line[-1]
        return [
            {"x": 0, "y": top["y"], "order": 0},
            *line,
            {"x": right["x"], "y": 0, "order": len(line) + 1},
        ]
    if shape == "ii":
        top, right = line[0], line[-1]
        far_x = max(p["x"] for p in points) * 1.05
        far_y = max(p["y"] for p in points) * 1.05
        return [
            {"x": top["x"], "y": far_y, "order": 0},
            *line,
            {"x": far_x, "y": right["y"], "order": len(line) + 1},
        ]
    return line


def frontier_chart(model, points: list[dict]) -> dict | None:
    axes = frontier_axes(model)
    if axes is None or not points:
        return None
    x_title, y_title, _shape = axes
    units = (
        alt.Chart(alt.Data(values=points))
        .mark_circle(size=60, opacity=0.85)
        .encode(
            x=alt.X("x:Q", title=x_title),
            y=alt.Y("y:Q", title=y_title),
            color=alt.Color(
                "efficient:N",
                scale=alt.Scale(domain=[True, False], range=[ACCENT, OTHERS]),
                legend=alt.Legend(title=_("On the frontier")),
            ),
            tooltip=[
                alt.Tooltip("unit:N", title=_("Unit")),
                alt.Tooltip("score:Q", title=_("Score"), format=".3f"),
            ],
        )
    )
    line = (
        alt.Chart(alt.Data(values=_frontier_line(model, points)))
        .mark_line(color=FRONTIER, strokeWidth=2)
        .encode(x="x:Q", y="y:Q", order="order:Q")
    )
    spec = (line + units).properties(width="container", height=320).to_dict(validate=False)
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    spec["config"] = {"view": {"stroke": None}, "background": "transparent"}
    return spec


def frontier_summary(model, points: list[dict]) -> str:
    """The chart's text alternative: what is drawn and which units make the frontier."""
    axes = frontier_axes(model)
    if axes is None or not points:
        return ""
    front = [p["unit"] for p in points if p["efficient"]]
    return _(
        "%(n)s units drawn by %(x)s (horizontal) and %(y)s (vertical); the frontier line "
        "runs through the %(k)s efficient units: %(units)s. The table below gives every "
        "unit's score."
    ) % {"n": len(points), "x": axes[0], "y": axes[1], "k": len(front), "units": ", ".join(front)}
