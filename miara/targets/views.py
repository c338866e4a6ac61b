from django.http import HttpResponse


def unit_targets_page(request, code):
    return HttpResponse("")
