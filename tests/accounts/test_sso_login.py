"""Single sign-on against a real OpenID Connect provider process (django-oidc-provider,
tests/oidc_provider_site), in a real browser: the login page offers both ways in, the
provider's login page authenticates, and the site links the account by issuer + sub."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from accounts.models import OidcIdentity

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "autograd-course-test"
CLIENT_SECRET = "test-client-secret-0123456789"
UNI_PASSWORD = "uni-password-1"


@pytest.fixture(scope="module")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The provider process, with one university user "ada" and this site as its client."""
    setup = {
        "users": [
            {
                "username": "ada",
                "password": UNI_PASSWORD,
                "email": "ada@uni.example",
                "first_name": "Ada",
                "last_name": "Lovelace",
            }
        ],
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{live_server.url}/oidc/callback/"],
        },
    }
    env = {
        **os.environ,
        "OIDC_TEST_PROVIDER_SETUP": json.dumps(setup),
        "OIDC_TEST_PROVIDER_DB": str(tmp_path_factory.mktemp("op") / "op.sqlite3"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(ROOT / "var" / f"test-oidc-provider-{os.getpid()}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider_site.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
    )
    assert proc.stdout is not None
    url = ""
    for raw in proc.stdout:  # ends when the process exits
        line = raw.decode().strip()
        if line.startswith("listening "):
            url = line.removeprefix("listening ")
            break
    if not url:
        proc.kill()
        raise RuntimeError(f"the OIDC provider did not start; see {log.name}")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def _configure(settings: Any, provider: str, *, issuer: str | None = None) -> None:
    settings.SSO_ENABLED = True
    settings.SSO_PROVIDER_NAME = "Test University"
    settings.OIDC_ISSUER = issuer or f"{provider}/openid"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/openid/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/openid/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/openid/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/openid/jwks"


def _sign_in_at_provider(page: Page, provider: str, password: str = UNI_PASSWORD) -> None:
    expect(page.locator("h1")).to_have_text("Test University identity provider")
    assert page.url.startswith(f"{provider}/login/")
    page.fill("#uni-username", "ada")
    page.fill("#uni-password", password)
    page.click("#uni-login")


@pytest.mark.django_db(transaction=True)
def test_a_student_logs_in_through_the_provider_and_gets_an_account_of_their_own(
    course, live_server, provider, settings, page: Page
) -> None:
    _configure(settings, provider)
    # A local account with the same username and e-mail as the university user: someone
    # else, who must not be taken over.
    User.objects.create_user("ada", email="ada@uni.example", password="local-password-1")

    page.goto(f"{live_server.url}/")
    expect(page.locator("#sso-login")).to_have_text("Log in with Test University")
    expect(page.locator("#id_username")).to_be_visible()  # local accounts still offered
    page.click("#sso-login")
    _sign_in_at_provider(page, provider)

    expect(page.locator("#exercise-list")).to_contain_text("The chain rule")
    assert page.url.startswith(live_server.url)
    expect(page.locator(".who")).to_have_text("ada-2")
    identity = OidcIdentity.objects.select_related("user").get()
    assert identity.issuer == f"{provider}/openid"
    assert identity.subject == "1"  # the provider's user id
    assert identity.user.username == "ada-2"
    assert (identity.user.first_name, identity.user.last_name) == ("Ada", "Lovelace")
    assert User.objects.get(username="ada").oidc_identities.count() == 0

    # Log out and in again: the same account, found by issuer + sub (the provider
    # remembers its own session, so it sends the browser straight back).
    page.click('button:has-text("Log out")')
    expect(page.locator("#sso-login")).to_be_visible()
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#sso-login")
    expect(page.locator(".who")).to_have_text("ada-2")
    assert User.objects.filter(username__startswith="ada").count() == 2
    assert OidcIdentity.objects.count() == 1

    # The local account logs in with its password as before.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "local-password-1")
    page.click("button[type=submit]")
    expect(page.locator(".who")).to_have_text("ada")


@pytest.mark.django_db(transaction=True)
def test_an_id_token_from_another_issuer_logs_nobody_in(
    course, live_server, provider, settings, page: Page, caplog
) -> None:
    _configure(settings, provider, issuer="https://login.other-university.example")

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#sso-login")
    _sign_in_at_provider(page, provider)

    expect(page.locator("p.error")).to_have_text(
        "Single sign-on did not log you in. Try again, or use a local account."
    )
    assert page.url == f"{live_server.url}/accounts/login/?sso=failed"
    assert not User.objects.exists()
    assert not OidcIdentity.objects.exists()
    assert f"ID token issuer '{provider}/openid' is not" in caplog.text
    # Not counted as a password failure: no lockout for the next SSO user on this address.
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_provider_whose_token_endpoint_is_down_leaves_the_student_on_the_login_page(
    course, live_server, provider, settings, page: Page, caplog
) -> None:
    _configure(settings, provider)
    with socket.socket() as closed:  # a port nothing listens on once closed
        closed.bind(("127.0.0.1", 0))
        dead = closed.getsockname()[1]
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{dead}/openid/token"

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#sso-login")
    _sign_in_at_provider(page, provider)

    expect(page.locator("p.error")).to_contain_text("Single sign-on did not log you in.")
    assert not User.objects.exists()
    assert "single sign-on refused" in caplog.text
    assert "Connection refused" in caplog.text
