"""What the LTI app stores, checked without a platform: spent nonces are forgotten
only when no token can carry them any more, a link's line item is looked for by one
worker at a time, and a student without a score has nothing to send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from lti_tool.models import LtiContext, LtiDeployment, LtiRegistration, LtiResourceLink

from exercises.models import Exercise
from lti import grades
from lti.models import ActivityLink, GradePublication, LtiAccount, UsedNonce
from lti.services import nonces_purge


@pytest.fixture
def link(course) -> ActivityLink:
    registration = LtiRegistration.objects.create(
        name="LMS",
        issuer="https://lms.example",
        client_id="c1",
        auth_url="https://lms.example/auth",
        token_url="https://lms.example/token",
        keyset_url="https://lms.example/jwks",
    )
    deployment = LtiDeployment.objects.create(registration=registration, deployment_id="d1")
    context = LtiContext.objects.create(
        deployment=deployment, id_on_platform="c", lineitems_url="https://lms.example/li"
    )
    resource_link = LtiResourceLink.objects.create(context=context, id_on_platform="rl-1")
    return ActivityLink.objects.create(
        resource_link=resource_link, exercise=Exercise.objects.get(slug="chain-rule")
    )


@pytest.mark.django_db
def test_spent_nonces_are_kept_two_days() -> None:
    now = timezone.now()
    UsedNonce.objects.create(issuer="i", nonce="old", used_at=now - timedelta(days=3))
    UsedNonce.objects.create(issuer="i", nonce="recent", used_at=now - timedelta(hours=30))
    assert nonces_purge() == 1
    assert list(UsedNonce.objects.values_list("nonce", flat=True)) == ["recent"]


def test_a_line_item_claimed_by_another_worker_is_not_looked_for_twice(link) -> None:
    ActivityLink.objects.filter(pk=link.pk).update(lineitem_claimed_at=timezone.now())
    # No platform runs at lms.example: reaching the claim check without a call is the point.
    with pytest.raises(grades.PublishFailed, match="being created by another worker"):
        grades.lineitem_ensure(link_id=link.pk)
    link.refresh_from_db()
    assert link.lineitem_url == ""


def test_a_student_without_a_score_has_nothing_to_send(link, student) -> None:
    account = LtiAccount.objects.create(issuer="https://lms.example", sub="s1", user=student)
    publication = GradePublication.objects.create(link=link, account=account)
    grades.publication_refresh(publication=publication)
    publication.refresh_from_db()
    assert (publication.state, publication.score_given) == ("no_score", None)
    assert grades.publication_send(publication_id=publication.pk) is None
