"""Account pages: password change and reset (Django's views, our templates and write path),
invitations, and the coordinators' user management.

Thin: authorise, parse the form, call one service, render. User management answers 404
to everyone but coordinators, exactly as for a page that does not exist.
"""

from __future__ import annotations

import logging
import smtplib
from functools import wraps

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from miara.accounts import selectors, services
from miara.accounts.forms import UserEditForm, UserInviteForm
from miara.accounts.invitations import invitation_send

logger = logging.getLogger(__name__)

# --- the user's own password ----------------------------------------------------------------


class ErrorsAre400:
    """A form sent back with errors answers 400, so scripts and tests see the refusal.
    Labels without Django's trailing colon, as on the site's other forms."""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"label_suffix": ""}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordChange(ErrorsAre400, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        services.password_set(
            user=form.user, password=form.cleaned_data["new_password1"], how="change"
        )
        update_session_auth_hash(self.request, form.user)  # stay logged in here
        messages.success(self.request, _("Your password was changed."))
        return HttpResponseRedirect(self.get_success_url())


class PasswordReset(ErrorsAre400, auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class _SetPasswordFromLink(ErrorsAre400, auth_views.PasswordResetConfirmView):
    """A link from an e-mail (reset or invitation) sets the password, through the service."""

    how = "reset"
    success_url = reverse_lazy("login")
    success_message = gettext_lazy("Your password was set. You can log in with it now.")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A deactivated account's old link must not work either.
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        services.password_set(
            user=form.user, password=form.cleaned_data["new_password1"], how=self.how
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirm(_SetPasswordFromLink):
    template_name = "accounts/password_reset_confirm.html"


class InvitationAccept(_SetPasswordFromLink):
    how = "invitation"
    template_name = "accounts/invitation_accept.html"
    success_message = gettext_lazy(
        "Welcome to miara. Your password was set: log in with your user name and it."
    )


# --- user management (coordinators) ------------------------------------------------------


def coordinators_only(view):
    """404 for everyone else, before anything else answers (not even 405 for a GET of a
    POST-only address): to them these pages do not exist."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not services.can_manage_users(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _user_or_404(request, user_id: int):
    user = selectors.managed_user(acting_user=request.user, user_id=user_id)
    if user is None:
        raise Http404
    return user


def _send_invitation(request, user) -> None:
    try:
        invitation_send(request=request, user=user)
    except (OSError, smtplib.SMTPException):
        # The account exists; the coordinator can send the invitation again.
        logger.exception("the invitation to %s could not be sent", user.email)
        messages.error(
            request,
            _(
                "The invitation to %(email)s could not be sent (the mail server did not accept it). Try again later with “Send the invitation again”."
            )
            % {"email": user.email},
        )
        return
    messages.success(
        request,
        _("An invitation to set a password was sent to %(email)s.") % {"email": user.email},
    )


@coordinators_only
def user_list(request):
    users = list(selectors.managed_users(acting_user=request.user))
    return render(request, "accounts/user_list.html", {"users": users})


@coordinators_only
def user_invite(request):
    form = UserInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_invite(
                acting_user=request.user,
                username=data["username"],
                email=data["email"],
                role=data["role"],
                units=data["units"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            _send_invitation(request, user)
            return redirect("accounts:user_edit", user_id=user.pk)
    return render(request, "accounts/user_invite.html", {"form": form}, status=_status(form))


@coordinators_only
def user_edit(request, user_id: int):
    user = _user_or_404(request, user_id)
    initial = {"role": user.role, "units": list(user.units.all())}
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                acting_user=request.user,
                user=user,
                role=form.cleaned_data["role"],
                units=form.cleaned_data["units"],
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The changes to %(name)s were saved.") % {"name": user})
            return redirect("accounts:user_edit", user_id=user.pk)
    context = {
        "account": user,
        "form": form,
        "invited": not user.has_usable_password(),
        "is_self": user.pk == request.user.pk,
        "history": selectors.user_audit(acting_user=request.user, user=user),
    }
    return render(request, "accounts/user_edit.html", context, status=_status(form))


@coordinators_only
@require_POST
def user_deactivate(request, user_id: int):
    return _switch(request, user_id, services.user_deactivate, _("%(name)s can no longer log in."))


@coordinators_only
@require_POST
def user_reactivate(request, user_id: int):
    return _switch(request, user_id, services.user_reactivate, _("%(name)s can log in again."))


def _switch(request, user_id: int, service, done: str):
    user = _user_or_404(request, user_id)
    try:
        service(acting_user=request.user, user=user)
    except services.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done % {"name": user})
    return redirect("accounts:user_edit", user_id=user.pk)


@coordinators_only
@require_POST
def user_invitation_resend(request, user_id: int):
    user = _user_or_404(request, user_id)
    if user.has_usable_password() or not user.is_active or not user.email:
        messages.error(request, _("%(name)s has set a password already.") % {"name": user})
    else:
        _send_invitation(request, user)
    return redirect(reverse("accounts:user_edit", kwargs={"user_id": user.pk}))


def _status(form) -> int:
    """A form sent back with errors answers 400, so scripts and tests see the refusal."""
    return 400 if form.is_bound and form.errors else 200
