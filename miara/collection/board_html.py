"""The completion board's table rows as HTML, written in Python rather than by the
template engine (as `analytics/scorecard_html.py` does for the scorecard).

A board of 300 units has 300 rows of seven cells; through Django's template engine
they were the larger part of the page's time after a save (some twenty variable
lookups per row). The markup is the one `coordination/board.html` had for its rows:
the browser tests and the CSS read the same classes and `data-col` cells.

Presentation only: every figure comes from the rows the view prepared from
`findings.cycle_board()`; the texts are the view's translated strings.
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from miara.presentation.html import escape


def board_rows(rows: list[dict], *, may_act: bool, review_label: str, none_yet: str) -> SafeString:
    """The `<tr>` of every row, in order (`rows` as `views.coordination.board` prepares
    them: `state_label`, `filled_text`, `values_text`, `percent`, `errors_text`,
    `warnings_text`, `review_url`, `activity_iso`/`activity_text`)."""
    review = escape(review_label)
    none = f'<span class="muted">{escape(none_yet)}</span>'
    out = []
    for row in rows:
        unit, state = row["unit"], escape(row["state"])
        name, code = escape(unit.name), escape(unit.code)
        errors = (
            f'<span class="count count--error">{escape(row["errors_text"])}</span>'
            if row["errors"]
            else '<span class="muted">0</span>'
        )
        warnings = (
            f'<span class="count count--warning">{escape(row["warnings_text"])}</span>'
            if row["warnings"]
            else '<span class="muted">0</span>'
        )
        activity = (
            f'<time datetime="{escape(row["activity_iso"])}">{escape(row["activity_text"])}</time>'
            if row.get("activity_text")
            else none
        )
        action = (
            f'<a class="button button--small" href="{escape(row["review_url"])}">{review}'
            f'<span class="visually-hidden"> {name}</span></a>'
            if may_act
            else ""
        )
        out.append(
            f'<tr data-unit="{code}" data-state="{state}">'
            f'<th scope="row" class="cell-name">{name} <span class="cell-note">{code}</span></th>'
            f'<td data-col="state"><span class="state-badge state-badge--{state}">'
            f'<span class="state-badge__icon" aria-hidden="true"></span>'
            f"{escape(row['state_label'])}</span></td>"
            f'<td class="num" data-col="filled"><span class="fill">'
            f'<span class="fill__figure">{escape(row["filled_text"])}</span>'
            f'<span class="fill__bar" aria-hidden="true">'
            f'<span style="width: {escape(row["percent"])}%"></span></span></span>'
            f' <span class="cell-note">{escape(row["values_text"])}</span></td>'
            f'<td class="num" data-col="errors">{errors}</td>'
            f'<td class="num" data-col="warnings">{warnings}</td>'
            f'<td data-col="activity" class="nowrap">{activity}</td>'
            f'<td class="cell-action">{action}</td></tr>'
        )
    return mark_safe("\n".join(out))  # every piece above is escaped
