"""The risk heat map as a Vega-Lite spec (drawn by `{% chart %}`); the page gives the
same counts as a table, which is what assistive technology reads."""

from __future__ import annotations

import altair as alt
from django.utils.translation import gettext as _

COLOURS = {"low": "#cfe8d5", "medium": "#f6e3a1", "high": "#f3b27a", "critical": "#e0795f"}


def heat_map(rows) -> dict:
    """rows: `selectors.heat_map`'s grid of cells."""
    values = [
        {
            "likelihood": cell.likelihood,
            "impact": cell.impact,
            "count": len(cell.risks),
            "level": cell.level,
        }
        for row in rows
        for cell in row
    ]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("impact:O", title=_("Impact")),
        y=alt.Y("likelihood:O", title=_("Likelihood"), sort="descending"),
    )
    rects = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "level:N",
            scale=alt.Scale(domain=list(COLOURS), range=list(COLOURS.values())),
            legend=None,
        ),
        tooltip=[alt.Tooltip("count:Q", title=_("Risks"))],
    )
    text = base.mark_text(fontSize=14, color="#1c2530").encode(
        text=alt.condition(alt.datum.count > 0, "count:Q", alt.value(""))
    )
    spec = alt.layer(rects, text).properties(width=250, height=250).to_dict(validate=False)
    spec["background"] = "transparent"
    return spec
