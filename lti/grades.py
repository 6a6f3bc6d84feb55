"""Grade passback (LTI Assignment and Grade Services): the student's kept score on a
placed activity goes to the platform's line item for that placement.

A score change marks the student's GradePublication rows pending with the score to
send and enqueues `lti.tasks.publish_grade_task` on commit; the task calls
`publication_send`, which retries through Celery while the platform fails and, when
the tries are used up, leaves the row `failed` with the error for the staff page,
where a resend enqueues it again. The wanted score never leaves the row, so nothing
is lost while a platform is down."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import requests
from celery import current_app
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lti_tool.models import LtiRegistration
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from grader.models import Score
from grader.quiz_selectors import quiz_standing

from . import tool
from .models import ActivityLink, GradePublication

logger = logging.getLogger(__name__)

PUBLISH_TASK = "lti.tasks.publish_grade_task"
LINEITEM_CLAIM_SECONDS = 120
# Seconds for any one call to a platform: a platform that hangs must not hold a worker.
HTTP_TIMEOUT = 15.0
AGS_SCOPES: list[Any] = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


class PublishFailed(Exception):
    """The platform did not take the score this time (down, refused, timed out)."""


@dataclass(frozen=True)
class Wanted:
    score: float
    maximum: float


def wanted_score(*, link: ActivityLink, user: User) -> Wanted | None:
    """The student's kept score on the placed activity (by its score policy), or None
    while there is none: the same figure as the gradebook's."""
    if link.exercise_id is not None:
        row = (
            Score.objects.filter(student=user, exercise_id=link.exercise_id)
            .values("kept_score", "max_score", "attempts")
            .first()
        )
        if row is None or not row["attempts"]:
            return None
        return Wanted(float(row["kept_score"]), float(row["max_score"]))
    assert link.quiz is not None
    kept = quiz_standing(student=user, quiz=link.quiz).kept
    if kept is None or kept.score is None:
        return None
    return Wanted(float(kept.score), float(kept.max_score))


def _enqueue(publication_id: int) -> None:
    try:
        current_app.send_task(PUBLISH_TASK, args=(publication_id,))
    except Exception:  # the row stays pending; the sweep sends it again
        logger.exception("could not enqueue the grade publication %s", publication_id)


def publication_refresh(*, publication: GradePublication) -> GradePublication:
    """Put the student's current score on the row; if it differs from what the
    platform has (or the last send failed), mark the row pending and enqueue the
    send after commit. Idempotent: an unchanged, sent score is not sent again."""
    with transaction.atomic():
        row = (
            # Only this row is locked: PostgreSQL refuses FOR UPDATE on the nullable
            # side of the outer joins to the exercise and the quiz.
            GradePublication.objects.select_for_update(of=("self",))
            .select_related("link__exercise", "link__quiz", "account__user")
            .get(pk=publication.pk)
        )
        wanted = wanted_score(link=row.link, user=row.account.user)
        if wanted is None:
            return row
        same = row.score_given == wanted.score and row.score_maximum == wanted.maximum
        if same and row.state == GradePublication.State.SENT and row.is_up_to_date:
            return row
        now = timezone.now()
        if not same:
            row.score_given, row.score_maximum, row.score_at = wanted.score, wanted.maximum, now
        row.state = GradePublication.State.PENDING
        row.updated_at = now
        row.save(update_fields=["score_given", "score_maximum", "score_at", "state", "updated_at"])
        transaction.on_commit(partial(_enqueue, row.pk))
    return row


def publications_refresh(
    *, user_id: int, exercise_id: int | None = None, quiz_id: int | None = None
) -> int:
    """Refresh every grade row of one student on placements of one exercise or quiz."""
    rows = GradePublication.objects.filter(account__user_id=user_id)
    if exercise_id is not None:
        rows = rows.filter(link__exercise_id=exercise_id)
    elif quiz_id is not None:
        rows = rows.filter(link__quiz_id=quiz_id)
    else:
        return 0
    count = 0
    for publication in rows:
        publication_refresh(publication=publication)
        count += 1
    return count


def publication_resend(*, publication: GradePublication) -> GradePublication:
    """The staff's resend: send the row's score again, whatever its state."""
    GradePublication.objects.filter(pk=publication.pk).update(
        sent_at=None, updated_at=timezone.now()
    )
    return publication_refresh(publication=publication)


class _Session(requests.Session):
    """pylti1p3 calls the platform without a timeout; this adds one, so a platform that
    does not answer fails the try instead of holding the worker."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(*args, **kwargs)


def _service(link: ActivityLink) -> AssignmentsGradesService:
    context = link.resource_link.context
    registration: LtiRegistration = context.deployment.registration
    connector = ServiceConnector(
        tool.registration_for_services(registration), requests_session=_Session()
    )
    return AssignmentsGradesService(
        connector,
        {"scope": AGS_SCOPES, "lineitems": context.lineitems_url, "lineitem": link.lineitem_url},
    )


def lineitem_ensure(*, link_id: int) -> str:
    """The line item of a placement: the one deep linking made, else the one found on
    the platform by the resource link id, else one created there, once.

    One worker at a time may look (a compare-and-set on `lineitem_claimed_at`, not a
    row lock: no transaction stays open across the HTTP calls); another one retries
    later. A claim older than LINEITEM_CLAIM_SECONDS is taken over, and the platform
    is searched before anything is created, so a worker that died after creating the
    line item does not cause a second one."""
    link = ActivityLink.objects.select_related(
        "resource_link__context__deployment__registration", "exercise", "quiz"
    ).get(pk=link_id)
    if link.lineitem_url:
        return link.lineitem_url
    now = timezone.now()
    stale = now - timedelta(seconds=LINEITEM_CLAIM_SECONDS)
    claimed = (
        ActivityLink.objects.filter(pk=link_id, lineitem_url="")
        .filter(Q(lineitem_claimed_at__isnull=True) | Q(lineitem_claimed_at__lt=stale))
        .update(lineitem_claimed_at=now)
    )
    if not claimed:
        link.refresh_from_db(fields=["lineitem_url"])
        if link.lineitem_url:
            return link.lineitem_url
        raise PublishFailed("the line item is being created by another worker")
    wanted = (
        LineItem()
        .set_resource_link_id(link.resource_link.id_on_platform)
        .set_resource_id(link.activity_key)
        .set_tag(link.activity_key)
        .set_label(link.title)
        .set_score_maximum(link.max_score)
    )
    try:
        found = _service(link).find_or_create_lineitem(wanted, find_by="resource_link_id")
        url = found.get_id()
        if not url:
            raise PublishFailed("the platform returned a line item without an id")
    except BaseException:
        ActivityLink.objects.filter(pk=link_id).update(lineitem_claimed_at=None)
        raise
    ActivityLink.objects.filter(pk=link_id).update(lineitem_url=url)
    return url


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def publication_send(*, publication_id: int) -> GradePublication | None:
    """Send one row's wanted score to its line item. Returns None when there is
    nothing to send (gone, no score, already sent); raises PublishFailed, with the
    error recorded on the row, when the platform did not take it."""
    row = (
        GradePublication.objects.select_related(
            "link__resource_link__context__deployment__registration",
            "link__exercise",
            "link__quiz",
            "account",
        )
        .filter(pk=publication_id)
        .first()
    )
    if row is None or None in (row.score_given, row.score_maximum, row.score_at):
        return None
    if row.is_up_to_date and row.state == GradePublication.State.SENT:
        return None
    score, maximum, score_at = row.score_given, row.score_maximum, row.score_at
    assert score is not None and maximum is not None and score_at is not None
    try:
        lineitem_url = lineitem_ensure(link_id=row.link_id)
        grade = (
            Grade()
            .set_score_given(score)
            .set_score_maximum(maximum)
            .set_timestamp(_timestamp(score_at))
            .set_activity_progress("Completed")
            .set_grading_progress("FullyGraded")
            .set_user_id(row.account.sub)
        )
        _service(row.link).put_grade(grade, LineItem({"id": lineitem_url}))
    except (LtiException, LtiServiceException, RequestException, PublishFailed) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        GradePublication.objects.filter(pk=row.pk).update(
            tries=row.tries + 1, last_error=error, updated_at=timezone.now()
        )
        raise PublishFailed(error) from exc
    now = timezone.now()
    with transaction.atomic():
        GradePublication.objects.filter(pk=row.pk).update(
            sent_score=score,
            sent_maximum=maximum,
            sent_at=now,
            tries=row.tries + 1,
            last_error="",
            updated_at=now,
        )
        # SENT only if no newer score arrived meanwhile; a newer one has its own send.
        GradePublication.objects.filter(
            pk=row.pk, score_given=score, score_maximum=maximum, score_at=score_at
        ).update(state=GradePublication.State.SENT)
    row.refresh_from_db()
    return row


def publication_give_up(*, publication_id: int) -> None:
    """The retries are used up: the row shows `failed` to the staff until resent."""
    GradePublication.objects.filter(pk=publication_id, state=GradePublication.State.PENDING).update(
        state=GradePublication.State.FAILED, updated_at=timezone.now()
    )


def publications_sweep(*, older_than_seconds: float) -> list[int]:
    """Enqueue again the rows left pending (a lost message, a broker that was down)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        GradePublication.objects.filter(
            Q(state=GradePublication.State.PENDING), updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        _enqueue(pk)
    return ids
