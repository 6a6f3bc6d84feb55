"""What a launch does here: validate the message, then, in one transaction, record
the platform's data, find or create the student's account, map the roles, record the
placed activity and the student's grade row. A launch that fails anywhere creates
nothing."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from lti_tool.lti_core.constants import ContextRole
from lti_tool.lti_core.utils import normalize_role
from lti_tool.models import LtiLaunch
from lti_tool.utils import sync_data_from_launch
from pylti1p3.exception import LtiException, OIDCException

from accounts.roles import instructor_group
from exercises.models import Exercise, Quiz

from . import grades, tool
from .models import ActivityLink, GradePublication, LtiAccount, UsedNonce

logger = logging.getLogger(__name__)

NONCE_KEEP = timedelta(days=2)
CUSTOM_ACTIVITY = "activity"  # the custom parameter deep linking writes in each link
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

# Platform roles that make an instructor here. Everyone else launches as a student.
INSTRUCTOR_ROLES = frozenset(
    {ContextRole.INSTRUCTOR, ContextRole.ADMINISTRATOR, ContextRole.CONTENT_DEVELOPER}
)
INSTRUCTOR_SUB_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#"


class LaunchRejected(Exception):
    """The launch was refused; the message says why, for the page, and `status` is
    the HTTP status to answer with."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class LaunchOutcome:
    user: User
    is_instructor: bool
    launch_id: str
    link: ActivityLink | None  # the activity a resource link opens
    deep_linking: bool


def login_redirect(request: Any) -> HttpResponse:
    """Answer an OIDC login initiation: the redirect to the platform's auth URL."""
    if not (request.GET.get("target_link_uri") or request.POST.get("target_link_uri")):
        raise LaunchRejected("The login request names no target_link_uri.")
    tool.tool_key_ensure()
    launch_url = request.build_absolute_uri("/lti/launch/")
    try:
        response: HttpResponse = tool.oidc_login(request).redirect(launch_url)
    except (LtiException, OIDCException) as exc:
        raise LaunchRejected(f"The login request was refused: {exc}") from exc
    return response


def roles_are_instructor(roles: list[str]) -> bool:
    """Whether the launch's context roles are of the instructor kind: Instructor,
    Administrator, ContentDeveloper, or an Instructor sub-role (TeachingAssistant)."""
    for role in roles:
        full = normalize_role(role)
        if full in INSTRUCTOR_ROLES or full.startswith(INSTRUCTOR_SUB_ROLE):
            return True
    return False


def _username(issuer: str, sub: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()[:12]
    return f"lti-{digest}"


def account_for_launch(*, issuer: str, sub: str, claims: dict[str, Any]) -> LtiAccount:
    """The account a platform user logs in as, created on the first launch. Found by
    issuer + subject only; the e-mail claim is stored, never matched."""
    now = timezone.now()
    name = str(claims.get("name") or "")[:255]
    account = LtiAccount.objects.select_related("user").filter(issuer=issuer, sub=sub).first()
    if account is not None:
        LtiAccount.objects.filter(pk=account.pk).update(last_launch_at=now, name=name)
        return account
    user = User(
        username=_username(issuer, sub),
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
        email=str(claims.get("email") or "")[:254],
    )
    user.set_unusable_password()  # logs in through the platform only
    user.save()
    return LtiAccount.objects.create(
        issuer=issuer, sub=sub, user=user, name=name, created_at=now, last_launch_at=now
    )


def _activity(key: str) -> tuple[Exercise | None, Quiz | None]:
    kind, _, slug = key.partition(":")
    if kind == "exercise":
        exercise = Exercise.objects.filter(slug=slug, is_active=True).first()
        if exercise is not None:
            return exercise, None
    elif kind == "quiz":
        quiz = Quiz.objects.filter(slug=slug, is_active=True).first()
        if quiz is not None:
            return None, quiz
    raise LaunchRejected(
        f"This link opens “{key}”, which is not an exercise or quiz of this course. "
        "Ask your instructor to place it again with the tool's picker.",
        status=404,
    )


def activity_link_for_launch(launch: LtiLaunch) -> ActivityLink:
    """The placed activity of a resource link, recorded on its first launch. The line
    item URL comes from the launch's AGS claim when the platform made one for the
    link (deep linking asks for it); else the passback finds or creates it once."""
    resource_link = launch.resource_link
    link = ActivityLink.objects.filter(resource_link=resource_link).first()
    if link is None:
        key = launch.get_custom_claim(CUSTOM_ACTIVITY) or ""
        exercise, quiz = _activity(str(key))
        link = ActivityLink.objects.create(
            resource_link=resource_link, exercise=exercise, quiz=quiz
        )
    lineitem = (launch.ags_claim or {}).get("lineitem") or ""
    if lineitem and not link.lineitem_url:
        link.lineitem_url = lineitem
        link.save(update_fields=["lineitem_url"])
    return link


def _consume_nonce(launch: LtiLaunch) -> None:
    try:
        with transaction.atomic():
            UsedNonce.objects.create(
                issuer=launch.get_claim("iss"), nonce=launch.get_claim("nonce")
            )
    except IntegrityError as exc:
        raise LaunchRejected(
            "This launch was already used. Open the activity again from your course.",
            status=403,
        ) from exc


def nonces_purge(*, older_than: timedelta = NONCE_KEEP) -> int:
    """Forget spent nonces once no token carrying them can pass any more: pylti1p3
    only accepts a nonce the login stored, and the login's store keeps it a day."""
    deleted, _ = UsedNonce.objects.filter(used_at__lt=timezone.now() - older_than).delete()
    return deleted


def launch_accept(request: Any) -> LaunchOutcome:
    """Validate a launch (signature, expiry, state, nonce, registration, deployment,
    message) and act on it. Raises LaunchRejected; then nothing was stored."""
    if not request.POST.get("id_token"):
        raise LaunchRejected("The launch carries no id_token.")
    message = tool.message_launch(request)
    try:
        message.validate()
    except LtiException as exc:
        raise LaunchRejected(f"The launch could not be verified: {exc}", status=403) from exc
    launch = LtiLaunch(message)
    if not (launch.is_resource_launch or launch.is_deep_link_launch):
        raise LaunchRejected("This kind of LTI message is not supported here.")
    with transaction.atomic():
        _consume_nonce(launch)
        sync_data_from_launch(launch)
        claims = launch.get_launch_data()
        account = account_for_launch(issuer=claims["iss"], sub=claims["sub"], claims=claims)
        user = account.user
        is_instructor = roles_are_instructor(list(launch.roles_claim or []))
        if is_instructor:
            user.groups.add(instructor_group())
        if launch.is_deep_link_launch:
            if not is_instructor:
                raise LaunchRejected("Only instructors can place activities.", status=403)
            return LaunchOutcome(user, True, message.get_launch_id(), None, True)
        link = activity_link_for_launch(launch)
        if not is_instructor and AGS_ENDPOINT in claims:
            publication, _ = GradePublication.objects.get_or_create(link=link, account=account)
            grades.publication_refresh(publication=publication)
    return LaunchOutcome(user, is_instructor, message.get_launch_id(), link, False)
