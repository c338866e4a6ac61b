"""Practice texts are Markdown, written by participants and read by everyone, the public
included: rendered with `markdown` and then cleaned with `nh3` (a maintained sanitiser,
Rust's ammonia), so any HTML a text carries — scripts, event handlers, `javascript:`
links, styles, frames — never reaches a reader's browser as markup."""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}


def markdown_html(text: str) -> SafeString:
    """The text's Markdown as clean HTML. Headings start at level 3: the page has its own
    h1 and h2. Links get rel="noopener noreferrer nofollow"."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # cleaned by nh3 just above
