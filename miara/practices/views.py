"""Pages of good practices: the internal library (/practices/: search, a practice with its
evidence, review thread and attachments, the forms and review steps) and the public one
(/public/practices/: published practices only, no login, citation and licence).

Thin: authorise (`services.practice_for`: the same 404 for a hidden and a missing
practice), call a service, say what happened, render. How the author office is shown to
this reader is `selectors.author_of`, applied to every part of the page.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from miara.accounts.models import Role
from miara.practices import selectors, services
from miara.practices.attachments import AttachmentRefused
from miara.practices.forms import AttachmentForm, PracticeForm, SearchForm
from miara.practices.models import Attachment, Practice
from miara.units.models import Programme


def _practice(request, practice_id: int) -> Practice:
    try:
        return services.practice_for(acting_user=request.user, practice_id=practice_id)
    except services.PracticeNotFound:
        raise Http404(_("There is no such practice.")) from None


def _author_units(user):
    if not user.is_authenticated or user.role not in (Role.MANAGER, Role.EDITOR):
        return []
    return list(user.units.order_by("code"))


def _listing(request, practices, *, public: bool):
    form = SearchForm(request.GET or None, unit_types=selectors.unit_types(practices))
    filters = selectors.Filters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.Filters(
            query=data["q"],
            area=data["area"],
            indicator=data["indicator"],
            unit_type=data["unit_type"],
            best=data["best"],
        )
    user = None if public else request.user
    found = list(selectors.search(practices, filters)[:200])
    items = [(p, selectors.author_of(p, user)) for p in found]
    return form, items, filters


@login_required
def practice_list(request):
    practices = selectors.practices_for(user=request.user)
    form, items, filters = _listing(request, practices, public=False)
    context = {
        "form": form,
        "items": items,
        "filters": filters,
        "may_propose": bool(_author_units(request.user)),
        "public": False,
    }
    return render(request, "practices/list.html", context)


def _citation(request, practice=None) -> dict:
    url = request.build_absolute_uri(
        reverse("practices:public_practice", args=[practice.pk])
        if practice
        else reverse("practices:public_list")
    )
    return {
        "url": url,
        "accessed": datetime.date.today(),
        "licence": settings.PUBLIC_LICENCE,
        "practice": practice,
    }


def _public_page(request, citation: dict) -> dict:
    """What the public layout (templates/public/base.html) carries on every page: the
    programme, the address to cite and the public site's one licence."""
    return {
        "citation": citation,
        "programme_name": Programme.current().name,
        "page_url": citation["url"],
        "accessed": citation["accessed"],
        "licence": settings.PUBLIC_LICENCE,
        "licence_url": settings.PUBLIC_LICENCE_URL,
    }


def public_list(request):
    form, items, filters = _listing(request, selectors.published_practices(), public=True)
    context = {
        "form": form,
        "items": items,
        "filters": filters,
        "public": True,
        **_public_page(request, _citation(request)),
    }
    return render(request, "practices/public_list.html", context)


def _page_context(request, practice, user) -> dict:
    author = selectors.author_of(practice, user)
    evidence = selectors.practice_evidence(user=user, practice=practice)
    attachments = list(practice.attachments.all()) if author.shown else []
    return {
        "practice": practice,
        "author": author,
        "evidence": evidence,
        "chart": selectors.evidence_chart(evidence),
        "attachments": attachments,
        "anonymised": selectors.anonymised(),
    }


@login_required
def practice_page(request, practice_id: int, *, form=None, upload=None, status=200):
    practice = _practice(request, practice_id)
    context = _page_context(request, practice, request.user)
    editable = practice.state in services.EDITABLE
    authors = services.may_author(request.user, practice.unit)
    # The review thread names people of the author office: only its own people and the
    # reviewers read it.
    show_review = services.belongs_to(request.user, practice.unit) or services.is_reviewer(
        request.user
    )
    context.update(
        {
            "show_review": show_review,
            "actions": services.allowed_actions(request.user, practice),
            "reviews": list(practice.reviews.select_related("author")) if show_review else [],
            "may_edit": authors and editable,
            "upload_form": upload or (AttachmentForm() if authors and editable else None),
            "action_error": form,
            "public": False,
        }
    )
    return render(request, "practices/practice.html", context, status=status)


def public_practice(request, practice_id: int):
    practice = selectors.published_practices().filter(pk=practice_id).first()
    if practice is None:
        raise Http404(_("There is no such practice."))
    context = _page_context(request, practice, None)
    context.update({"public": True, **_public_page(request, _citation(request, practice))})
    return render(request, "practices/public_practice.html", context)


def _form_error(form, error):
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


@login_required
def practice_create_view(request):
    units = _author_units(request.user)
    if not units:
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = PracticeForm(request.POST, units=units)
        if form.is_valid():
            try:
                practice = services.practice_create(
                    acting_user=request.user,
                    unit_code=form.cleaned_data["unit"],
                    data=form.data_for_service(),
                    submit="submit" in request.POST,
                )
            except services.PracticeInputError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("The practice was saved."))
                return redirect("practices:practice", practice_id=practice.pk)
        status = 422
    else:
        initial = {"unit": units[0].code}
        if request.GET.get("indicator"):
            initial["indicators"] = [request.GET["indicator"]]
        form = PracticeForm(initial=initial, units=units)
    context = {"form": form, "practice": None}
    return render(request, "practices/practice_form.html", context, status=status)


@login_required
def practice_edit_view(request, practice_id: int):
    practice = _practice(request, practice_id)
    if not services.may_author(request.user, practice.unit):
        raise PermissionDenied
    units = [practice.unit]
    status = 200
    if request.method == "POST":
        form = PracticeForm(request.POST, units=units)
        if form.is_valid():
            try:
                services.practice_update(
                    acting_user=request.user,
                    practice_id=practice.pk,
                    data=form.data_for_service(),
                    version=form.cleaned_data["version"],
                )
            except services.PracticeConflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except services.PracticeInputError as error:
                _form_error(form, error)
                status = 422
            else:
                messages.success(request, _("The practice was saved."))
                return redirect("practices:practice", practice_id=practice.pk)
        else:
            status = 422
    else:
        form = PracticeForm(initial=PracticeForm.initial_for(practice), units=units)
    context = {"form": form, "practice": practice}
    return render(request, "practices/practice_form.html", context, status=status)


ACTION_DONE = {
    "submit": gettext_lazy("The practice was submitted for review."),
    "comment": gettext_lazy("The comment was added."),
    "return": gettext_lazy("The practice was returned to its authors."),
    "accept": gettext_lazy("The practice was accepted."),
    "publish": gettext_lazy("The practice was published."),
    "withdraw": gettext_lazy("The practice was withdrawn."),
}


@login_required
@require_POST
def practice_act_view(request, practice_id: int):
    practice = _practice(request, practice_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    action = request.POST.get("action", "")
    try:
        services.practice_act(
            acting_user=request.user,
            practice_id=practice.pk,
            action=action,
            text=request.POST.get("text", ""),
            version=version,
        )
    except services.PracticeConflict as conflict:
        messages.error(request, str(conflict))
        return practice_page(request, practice.pk, status=409)
    except services.PracticeInputError as error:
        messages.error(request, str(error))
        return practice_page(request, practice.pk, status=422)
    messages.success(request, str(ACTION_DONE[action]))
    return redirect("practices:practice", practice_id=practice.pk)


@login_required
@require_POST
def attachment_add_view(request, practice_id: int):
    practice = _practice(request, practice_id)
    if not services.may_author(request.user, practice.unit):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > services.files.max_bytes():
                raise AttachmentRefused(
                    _("%(file)s is larger than %(limit)s MB.")
                    % {
                        "file": services.files.safe_filename(upload.name),
                        "limit": settings.PRACTICE_ATTACHMENT_MAX_MB,
                    }
                )
            services.attachment_add(
                acting_user=request.user,
                practice_id=practice.pk,
                name=upload.name,
                data=upload.read(),
            )
        except (AttachmentRefused, services.PracticeInputError) as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("The file was attached."))
            return redirect("practices:practice", practice_id=practice.pk)
    return practice_page(request, practice.pk, upload=form, status=422)


def _download(attachment: Attachment, shown_name: str) -> FileResponse:
    path = attachment.path()
    if not path.is_file():
        raise Http404(_("There is no such file."))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=shown_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _attachment(practice: Practice, attachment_id: int, user) -> Attachment:
    attachment = practice.attachments.filter(pk=attachment_id).first()
    # Attachments go with the author's name: not shown, not served.
    if attachment is None or not selectors.author_shown(practice, user):
        raise Http404(_("There is no such file."))
    return attachment


@login_required
def attachment_download(request, practice_id: int, attachment_id: int):
    practice = _practice(request, practice_id)
    attachment = _attachment(practice, attachment_id, request.user)
    return _download(attachment, attachment.filename)


def public_attachment_download(request, practice_id: int, attachment_id: int):
    practice = selectors.published_practices().filter(pk=practice_id).first()
    if practice is None:
        raise Http404(_("There is no such practice."))
    attachment = _attachment(practice, attachment_id, None)
    return _download(attachment, attachment.filename)
