"""Launches that must be refused, against the real platform process: each answers a
4xx page in the site's layout that says why, and creates nothing (no account, no
platform user, no deployment, no nonce spent)."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests
from django.contrib.auth.models import User
from django.core.management import call_command
from lti_tool.models import Key, LtiContext, LtiDeployment, LtiResourceLink, LtiUser

from accounts.roles import is_instructor
from exercises.services import course_load
from lti.models import ActivityLink, GradePublication, LtiAccount, UsedNonce
from tests.lti.conftest import Browser, Platform, form_fields, place

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("lti")]

MODELS = [
    User,
    LtiAccount,
    LtiUser,
    LtiDeployment,
    LtiContext,
    LtiResourceLink,
    ActivityLink,
    GradePublication,
    UsedNonce,
]


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def placed(live_server: Any, platform: Platform) -> dict[str, Any]:
    """A registered platform with chain-rule placed in its course."""
    course_load()
    platform.register()
    (link,) = place(platform, ["exercise:chain-rule"])
    return link


def _launch_url(platform: Platform, link: dict[str, Any], **knobs: str) -> str:
    query = "&".join(
        f"{k}={v}" for k, v in {"user": "student-5", "role": "Learner", **knobs}.items()
    )
    return f"{platform.url}/course/links/{link['id']}/launch?{query}"


def _refused(response: requests.Response, status: int, says: str) -> None:
    print(f"{response.status_code} {response.url}: {says!r}")
    assert response.status_code == status, response.text[:2000]
    assert "This link could not be opened" in response.text
    assert says in response.text
    assert 'class="brand"' in response.text  # the site's layout, not a bare error


@pytest.mark.django_db(transaction=True)
def test_a_launch_signed_with_another_key_is_refused(platform, placed) -> None:
    before = _counts()
    response, _ = Browser().open_from_lms(_launch_url(platform, placed, tamper="signature"))
    _refused(response, 403, "Signature verification failed")
    assert _counts() == before


@pytest.mark.django_db(transaction=True)
def test_a_launch_for_an_unknown_deployment_is_refused(platform, placed) -> None:
    before = _counts()
    response, _ = Browser().open_from_lms(_launch_url(platform, placed, deployment="deployment-99"))
    _refused(response, 403, "Unable to find deployment")
    assert _counts() == before
    assert not LtiDeployment.objects.filter(deployment_id="deployment-99").exists()


@pytest.mark.django_db(transaction=True)
def test_a_replayed_launch_is_refused(platform, placed) -> None:
    browser = Browser()
    first, fields = browser.open_from_lms(_launch_url(platform, placed))
    assert first.status_code == 200 and first.url.endswith("/exercises/chain-rule/")
    after_first = _counts()
    replay = browser.post(f"{platform.tool_url}/lti/launch/", fields)
    _refused(replay, 403, "This launch was already used")
    # From another browser (no state cookie) the same token is refused as well.
    stranger = Browser().post(f"{platform.tool_url}/lti/launch/", fields)
    assert stranger.status_code == 403
    assert _counts() == after_first


@pytest.mark.django_db(transaction=True)
def test_an_expired_launch_is_refused(platform, placed) -> None:
    before = _counts()
    response, _ = Browser().open_from_lms(_launch_url(platform, placed, expired="1"))
    _refused(response, 403, "Signature has expired")
    assert _counts() == before


@pytest.mark.django_db(transaction=True)
def test_an_unknown_platform_and_a_launch_without_a_token_are_refused(
    live_server, platform, placed
) -> None:
    before = _counts()
    browser = Browser()
    login = browser.get(
        f"{live_server.url}/lti/login/?iss=https://unknown-lms.example&login_hint=u1"
        f"&target_link_uri={live_server.url}/lti/launch/&client_id=someone"
    )
    _refused(login, 400, "Could not find registration details")
    empty = browser.post(f"{live_server.url}/lti/launch/", {"state": "state-x"})
    _refused(empty, 400, "The launch carries no id_token")
    garbage = browser.post(f"{live_server.url}/lti/launch/", {"state": "s", "id_token": "a.b.c"})
    assert garbage.status_code == 403
    assert _counts() == before


@pytest.mark.django_db(transaction=True)
def test_roles_map_to_student_and_instructor(platform, placed) -> None:
    learner, _ = Browser().open_from_lms(_launch_url(platform, placed, user="s-1"))
    teacher, _ = Browser().open_from_lms(
        _launch_url(platform, placed, user="t-1", role="Instructor")
    )
    assert learner.status_code == teacher.status_code == 200
    assert not is_instructor(User.objects.get(lti_accounts__sub="s-1"))
    assert is_instructor(User.objects.get(lti_accounts__sub="t-1"))
    assert "Console" in teacher.text and "Console" not in learner.text
    # Only students get a grade row: an instructor's launch sends nothing to the gradebook.
    assert list(GradePublication.objects.values_list("account__sub", flat=True)) == ["s-1"]


@pytest.mark.django_db(transaction=True)
def test_same_email_from_another_subject_is_another_account(platform, placed) -> None:
    Browser().open_from_lms(_launch_url(platform, placed, user="a-1", email="same@uni.example"))
    Browser().open_from_lms(_launch_url(platform, placed, user="a-2", email="same@uni.example"))
    users = User.objects.filter(email="same@uni.example")
    assert users.count() == 2
    assert sorted(LtiAccount.objects.filter(user__in=users).values_list("sub", flat=True)) == [
        "a-1",
        "a-2",
    ]


@pytest.mark.django_db(transaction=True)
def test_after_a_key_rotation_the_platform_verifies_the_new_key(
    live_server, platform, placed
) -> None:
    old = set(Key.objects.active().values_list("pk", flat=True))
    call_command("rotate_keys")
    jwks = requests.get(f"{live_server.url}/.well-known/jwks.json", timeout=5).json()
    assert len(jwks["keys"]) == len(old) + 1  # the old key is still served
    # A deep-linking answer is now signed with the new key; the platform accepts it.
    teacher = Browser()
    picker, _ = teacher.open_from_lms(f"{platform.url}/course/deep-link?user=teacher-1")
    answer = teacher.post(
        picker.url, {"csrfmiddlewaretoken": teacher.csrf(), "activity": ["exercise:power-rule"]}
    )
    action, fields = form_fields(answer.text, "lti-deep-link-return")
    newest = Key.objects.active().latest()
    assert jwt.get_unverified_header(fields["JWT"])["kid"] == newest.as_jwk()["kid"]
    placed_now = teacher.post(action, {"JWT": fields["JWT"]})
    assert placed_now.status_code == 200
    assert placed_now.json()["created"][0]["custom"] == {"activity": "exercise:power-rule"}
