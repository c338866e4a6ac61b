"""The role predicates of `miara.accounts.scope` for templates: `{% load access %}`, then
`{% if user|is_coordinator %}`. Templates ask these and never compare `user.role`."""

from django import template

from miara.accounts import scope

register = template.Library()

register.filter("is_coordinator", scope.is_coordinator)
register.filter("reads_all_units", scope.reads_all_units)
