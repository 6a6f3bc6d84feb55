"""Single sign-on with OpenID Connect (mozilla-django-oidc), beside local accounts.

The provider's login page authenticates; the authorization code comes back to
`/oidc/callback/`, is exchanged for tokens server to server, and the ID token's
signature (the provider's JWKS), nonce, expiry, issuer and audience are checked before
any account is touched. A person is the pair (issuer, `sub`) in `OidcIdentity`: the
first login creates a local user for it, later logins find it by that pair only. An
e-mail address never links an account: a provider may let anyone claim any address, and
a local account with the same address or username stays someone else's.

Everything here is off unless settings.SSO_ENABLED (all the OIDC_* variables set).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AbstractBaseUser, AbstractUser
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .models import OidcIdentity

logger = logging.getLogger(__name__)
USERNAME_MAX = 150
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def sso_enabled() -> bool:
    return bool(getattr(settings, "SSO_ENABLED", False))


def axes_not_a_password_attempt(request: HttpRequest, credentials: Any) -> bool:
    """AXES_WHITELIST_CALLABLE: a refused single sign-on callback guesses no password
    (the provider throttles its own login page), and counting it would lock out every
    SSO user behind one campus address after a few failures."""
    return request.path == reverse("oidc_authentication_callback")


def _audiences(payload: dict[str, Any]) -> list[str]:
    aud = payload.get("aud")
    return [aud] if isinstance(aud, str) else list(aud or [])


def id_token_check(payload: dict[str, Any], *, issuer: str, client_id: str) -> str:
    """The `sub` of a verified ID token's claims, after the checks mozilla-django-oidc
    leaves to the application: it was issued by our provider, for us (OIDC Core 3.1.3.7)."""
    if payload.get("iss") != issuer:
        raise SuspiciousOperation(f"ID token issuer {payload.get('iss')!r} is not {issuer!r}")
    audiences = _audiences(payload)
    if client_id not in audiences:
        raise SuspiciousOperation("ID token was not issued for this client")
    if len(audiences) > 1 and payload.get("azp") != client_id:
        raise SuspiciousOperation("ID token for several audiences without azp = this client")
    subject = payload.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SuspiciousOperation("ID token has no sub claim")
    return subject


def _username_base(claims: dict[str, Any]) -> str:
    for raw in (claims.get("preferred_username"), str(claims.get("email") or "").split("@")[0]):
        name = _USERNAME_UNSAFE.sub("", str(raw or ""))[: USERNAME_MAX - 8]
        if name:
            return name
    return "sso-user"


def _username_free(base: str) -> str:
    """`base`, or `base-2`, `base-3`, …: a new person never takes over a local account
    that happens to have the name the provider suggests."""
    User = get_user_model()
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


@transaction.atomic
def oidc_user_for(*, issuer: str, subject: str, claims: dict[str, Any]) -> AbstractUser:
    """The local user of (issuer, subject), created with its identity on first login.
    Name and e-mail are refreshed from the claims; they are shown, never matched on."""
    identity = (
        OidcIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    User = get_user_model()
    if identity is None:
        user = User.objects.create_user(_username_free(_username_base(claims)))
        try:
            with transaction.atomic():
                identity = OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        except IntegrityError:  # a concurrent first login of the same person won
            user.delete()
            identity = OidcIdentity.objects.select_related("user").get(
                issuer=issuer, subject=subject
            )
    user = identity.user
    user.email = str(claims.get("email") or "")[:254]
    user.first_name = str(claims.get("given_name") or "")[:150]
    user.last_name = str(claims.get("family_name") or "")[:150]
    user.save(update_fields=["email", "first_name", "last_name"])
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    return user


class OidcBackend(OIDCAuthenticationBackend):
    """Authenticates the code flow's callback only; password logins pass through it."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        if not sso_enabled():
            return None
        # A provider that is down or answers nonsense, an expired or forged token: the
        # student is sent back to the login page with a message, not a server error.
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, jwt.InvalidTokenError, SuspiciousOperation) as exc:
            logger.warning("single sign-on refused: %s", exc)
            return None

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> AbstractBaseUser | None:
        subject = id_token_check(
            payload, issuer=settings.OIDC_ISSUER, client_id=self.OIDC_RP_CLIENT_ID
        )
        claims = self.get_userinfo(access_token, id_token, payload)
        # OIDC Core 5.3.2: userinfo of another subject must not be used.
        if claims.get("sub") != subject:
            raise SuspiciousOperation("userinfo sub differs from the ID token's sub")
        user = oidc_user_for(issuer=settings.OIDC_ISSUER, subject=subject, claims=claims)
        return user if user.is_active else None


@method_decorator(login_not_required, name="dispatch")
class OidcLoginView(OIDCAuthenticationRequestView):
    """Redirects to the provider's login page (state, nonce and PKCE in the session)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response


@method_decorator(login_not_required, name="dispatch")
class OidcCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back with the authorization code."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response
