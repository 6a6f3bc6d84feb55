"""Who an OpenID Connect login is: the (issuer, sub) pair, never an e-mail address; and
with no provider configured the site shows and answers nothing of single sign-on."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from accounts.models import OidcIdentity
from accounts.sso import id_token_check, oidc_user_for

ISSUER = "https://login.uni.example"


@pytest.mark.django_db
def test_the_same_sub_is_the_same_user_whatever_the_email_says() -> None:
    first = oidc_user_for(issuer=ISSUER, subject="s-1", claims={"email": "old@uni.example"})
    again = oidc_user_for(issuer=ISSUER, subject="s-1", claims={"email": "new@uni.example"})
    assert again.pk == first.pk
    assert User.objects.get(pk=first.pk).email == "new@uni.example"


@pytest.mark.django_db
def test_an_email_shared_with_a_local_account_or_another_issuer_links_nothing() -> None:
    local = User.objects.create_user("grace", email="grace@uni.example", password="pw-123456")
    claims = {"email": "grace@uni.example", "preferred_username": "grace"}
    here = oidc_user_for(issuer=ISSUER, subject="s-2", claims=claims)
    elsewhere = oidc_user_for(issuer="https://other.example", subject="s-2", claims=claims)
    assert len({local.pk, here.pk, elsewhere.pk}) == 3
    assert (here.username, elsewhere.username) == ("grace-2", "grace-3")
    assert OidcIdentity.objects.count() == 2


def test_an_id_token_for_another_client_or_issuer_is_refused() -> None:
    good = {"iss": ISSUER, "aud": "us", "sub": "s-3"}
    assert id_token_check(good, issuer=ISSUER, client_id="us") == "s-3"
    for bad in (
        {**good, "aud": "them"},
        {**good, "iss": "https://evil.example"},
        {**good, "aud": ["us", "them"]},  # several audiences and no azp naming us
        {**good, "sub": ""},
    ):
        with pytest.raises(SuspiciousOperation):
            id_token_check(bad, issuer=ISSUER, client_id="us")


@pytest.mark.django_db
def test_without_configuration_the_login_page_has_no_sso_and_its_routes_are_404(
    settings,
) -> None:
    settings.SSO_ENABLED = False
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b"sso-login" not in page.content
    assert b'name="password"' in page.content
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
