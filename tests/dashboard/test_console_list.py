from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone


def _ids(page: str) -> list[int]:
    body = page.split('id="submissions"')[1].split("</tbody>")[0]
    return [int(chunk.split("/")[0]) for chunk in body.split('href="/console/submissions/')[1:]]


def test_console_lists_submissions_newest_first_with_filters(
    instructor_client: Client, course, student, other_student, make_submission
) -> None:
    now = timezone.now()
    a = make_submission(student, course["chain-rule"], 10, at=now - timedelta(days=3))
    b = make_submission(
        other_student,
        course["chain-rule"],
        0,
        misconception="sign-error",
        at=now - timedelta(days=2),
    )
    c = make_submission(student, course["bce-manual-gradients"], 2, at=now - timedelta(days=1))
    url = reverse("console:submissions")
    assert _ids(instructor_client.get(url).content.decode()) == [c.pk, b.pk, a.pk]
    assert _ids(instructor_client.get(url, {"exercise": "chain-rule"}).content.decode()) == [
        b.pk,
        a.pk,
    ]
    assert _ids(instructor_client.get(url, {"student": "bo"}).content.decode()) == [b.pk]
    assert _ids(
        instructor_client.get(url, {"score_min": "1", "score_max": "5"}).content.decode()
    ) == [c.pk]
    assert _ids(instructor_client.get(url, {"misconception": "sign-error"}).content.decode()) == [
        b.pk
    ]
    day = (now - timedelta(days=2)).date().isoformat()
    assert _ids(
        instructor_client.get(url, {"submitted_from": day, "submitted_to": day}).content.decode()
    ) == [b.pk]
    assert _ids(instructor_client.get(url, {"status": "error"}).content.decode()) == []


def test_console_pages_without_counting_every_row(
    instructor_client: Client, course, student, make_submission
) -> None:
    for _ in range(51):
        make_submission(student, course["chain-rule"], 1)
    first = instructor_client.get(reverse("console:submissions")).content.decode()
    assert len(_ids(first)) == 50 and "older ›" in first and "in all" not in first
    second = instructor_client.get(reverse("console:submissions"), {"page": 2}).content.decode()
    assert len(_ids(second)) == 1 and "older ›" not in second and "‹ newer" in second
