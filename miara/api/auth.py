"""Who is calling: a bearer token (scripts) or the browser's session (pages, the docs page).

Both return the user, which endpoints find as `request.auth`. An anonymous caller of a
protected endpoint gets 401; a token that is wrong or revoked gets 401 too, even when a
session cookie is also present, so that a broken script fails loudly.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from miara.accounts.models import ApiToken

# Writing last_used_at on every request would turn each read into a write (and, on
# SQLite, a lock); a minute is precise enough for "when was this token last used".
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens come from `miara token create` or the profile."""

    def authenticate(self, request, token: str):
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token.strip()))
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            raise AuthenticationError(message="the API token is not valid (revoked or mistyped)")
        now = timezone.now()
        if api_token.is_expired(now):
            raise AuthenticationError(
                message=f"the API token expired on {api_token.expires_at:%Y-%m-%d %H:%M} UTC; "
                "create a new one on your profile page or with `miara token create`"
            )
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        # Code shared with pages reads request.user; make it the token's owner.
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session, with Django's CSRF check on unsafe methods.

    Unlike ninja's own SessionAuth, an anonymous request is not CSRF-checked: it has no
    session to abuse, and it must get 401 (not a CSRF 403) so clients know to log in.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value",
            )
        return user


token_auth = TokenAuth()
session_auth = SessionAuth(csrf=True)
protected = [token_auth, session_auth]
