"""The rows of the indicator page's group table as HTML, written in Python.

Up to 60 rows with a cell per formula input; through the template engine they were half
of the page's rendering. Same markup as the template had (the browser tests and the CSS
read the same classes and `data-col` cells); every figure comes from `IndicatorDetail`.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from miara.analytics.indicator_detail import IndicatorDetail
from miara.presentation import labels, numbers
from miara.presentation.html import escape


def group_rows(detail: IndicatorDetail) -> SafeString:
    fixed = numbers.localised()
    d = detail.indicator.decimals
    inputs = detail.inputs
    quartiles = {q: escape(str(label)) for q, label in labels.QUARTILES.items()}
    not_shown = escape(_("not shown"))
    hidden_cells = "".join(
        f'<td class="num" data-col="{escape(i.key)}"><span class="muted" title="{not_shown}">·'
        "</span></td>"
        for i in inputs
    )
    out: list[str] = []
    for m in detail.table_rows:
        if m is None:
            out.append(
                f'<tr class="row--gap"><td colspan="{len(inputs) + 4}" class="muted">…</td></tr>'
            )
            continue
        rank = str(m.rank) if m.rank and detail.ranked else "—"
        marker = '<span class="you-marker" aria-hidden="true">◆</span> ' if m.highlight else ""
        code = f' <code class="code-tag">{escape(m.label.code)}</code>' if m.label.code else ""
        if m.quartile:
            quartile = (
                f'<span class="badge badge--q{int(m.quartile)}"><span class="badge__dot"'
                f' aria-hidden="true"></span>{quartiles.get(m.quartile, "")}</span>'
            )
        else:
            quartile = '<span class="muted">—</span>'
        if m.inputs is None:
            cells = hidden_cells
        else:
            cells = "".join(
                f'<td class="num" data-col="{escape(i.key)}">'
                f"{numbers.as_entered(m.inputs.get(i.key), fixed=fixed)}</td>"
                for i in inputs
            )
        row_class = ' class="row--highlight" aria-current="true"' if m.highlight else ""
        out.append(
            f"<tr{row_class}>"
            f'<td data-col="rank">{rank}</td>'
            f'<th scope="row" class="cell-name" data-col="unit">{marker}'
            f"{escape(m.label.label)}{code}</th>"
            f'<td class="num" data-col="value">{fixed(m.value, d)}</td>'
            f'<td data-col="quartile">{quartile}</td>{cells}</tr>'
        )
    return mark_safe("".join(out))
