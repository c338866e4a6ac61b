"""`may_open_audits`: whether the links to an office's audits, findings and risk
register are shown (to its own people only; the records are not shared)."""

from django import template

from miara.assurance.services import may_read_records

register = template.Library()


@register.filter
def may_open_audits(user, unit) -> bool:
    return may_read_records(user, unit)
