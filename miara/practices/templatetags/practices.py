"""`{% load practices %}`: `{{ text|markdown }}` — a practice's Markdown as sanitised HTML."""

from django import template

from miara.practices.rendering import markdown_html

register = template.Library()


@register.filter
def markdown(text):
    return markdown_html(text or "")
