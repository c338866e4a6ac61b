"""E-mails that carry a link to set a password: invitations to new accounts.

The link holds Django's password-reset token (`default_token_generator`): it is bound to
the account's current password and last login, so it stops working as soon as the
password is set, and after PASSWORD_RESET_TIMEOUT in any case.
"""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from miara.accounts.models import User


def invitation_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:invitation_accept", args=[uid, token])


def invitation_send(*, request, user: User) -> int:
    """Send the invitation to set a password; returns the number of messages sent (1).

    Written in the language of the page the coordinator used to invite; the link is
    absolute, built from the address the coordinator reached the site at.
    """
    context = {
        "user": user,
        "inviter": request.user.get_full_name() or request.user.username,
        "link": request.build_absolute_uri(invitation_path(user)),
        "login": request.build_absolute_uri(reverse("login")),
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation_body.txt", context)
    return send_mail(subject, body, None, [user.email])
