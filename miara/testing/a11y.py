"""Accessibility checks with axe-core (bundled by axe-playwright-python) in a real browser.

`assert_accessible(page)` runs axe on the page as it is now, with the WCAG 2.1 A and AA
rules, and fails with one readable line per violation and offending element, so that a
test says what to fix and where rather than "3 violations". Pages' browser tests call it
after the page (and its charts) have been drawn.
"""

from __future__ import annotations

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, *, context: str | None = None) -> list[dict]:
    """axe-core's violations of WCAG 2.1 A/AA on the page (or on `context`, a selector)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    return list(results.response.get("violations", []))


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}"
            f" — {violation.get('helpUrl', '')}"
        )
        for node in violation.get("nodes", [])[:8]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
        extra = len(violation.get("nodes", [])) - 8
        if extra > 0:
            lines.append(f"    … and {extra} more elements")
    return "\n".join(lines)


def assert_accessible(page, *, context: str | None = None) -> None:
    """Fail if axe-core finds a WCAG 2.1 AA violation on the page."""
    violations = axe_violations(page, context=context)
    if violations:
        raise AssertionError(
            f"axe-core found {len(violations)} WCAG 2.1 AA violation(s) on {page.url}:\n"
            + describe(violations)
        )
