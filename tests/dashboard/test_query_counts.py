"""The staff pages run the same number of SQL queries for 4 students as for 40: every
per-student figure is aggregated in SQL, never fetched row by row."""

from __future__ import annotations

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dashboard.synth import EXERCISE_PREFIX, synth_clear, synth_course
from exercises.models import Exercise, Quiz, QuizAttempt
from grader.models import Submission
from grader.overrides import override_set
from grader.regrade import regrade_request


def _urls() -> list[tuple[str, str]]:
    exercise = Exercise.objects.get(slug=f"{EXERCISE_PREFIX}01")
    student_id = (
        Submission.objects.filter(exercise=exercise)
        .order_by("id")
        .values_list("student_id", flat=True)
        .first()
    )
    sub = Submission.objects.filter(exercise=exercise).order_by("id").first()
    assert sub is not None
    return [
        ("gradebook", "/dashboard/"),
        ("gradebook by exercise", f"/dashboard/?sort=-e{exercise.pk}"),
        ("gradebook filtered", "/dashboard/?sort=-total&q=synth"),
        ("gradebook csv", "/dashboard/gradebook.csv"),
        ("submissions csv", "/dashboard/submissions.csv"),
        ("submissions json", "/dashboard/submissions.json"),
        ("exercises", "/dashboard/exercises/"),
        ("exercise", f"/dashboard/exercises/{exercise.slug}/"),
        ("quiz", "/dashboard/quizzes/q/"),
        ("quiz attempts", "/console/quiz-attempts/"),
        ("quiz attempts filtered", "/console/quiz-attempts/?quiz=q&status=graded"),
        ("quiz attempt", f"/console/quiz-attempts/{QuizAttempt.objects.order_by('id')[0].pk}/"),
        ("student", f"/dashboard/students/{student_id}/"),
        ("console", "/console/"),
        ("console filtered", f"/console/?exercise={exercise.slug}&status=graded&score_min=1"),
        ("console overridden", "/console/?overridden=on"),
        ("submission", f"/console/submissions/{sub.pk}/"),
        ("queue", "/console/queue/"),
        ("audit", "/console/audit/"),
        ("regrades", "/console/regrades/"),
    ]


def _counts(client: Client) -> dict[str, int]:
    counts = {}
    for name, url in _urls():
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200, url
            if response.streaming:
                b"".join(response.streaming_content)
            else:
                response.content  # noqa: B018
        # The session comes from Redis (cached_db) or, on a cache miss, from the database:
        # one query more or less that has nothing to do with the number of students.
        counts[name] = sum(1 for q in queries.captured_queries if "django_session" not in q["sql"])
    return counts


def _course(students: int, staff_user) -> None:
    synth_clear()
    Quiz.objects.all().delete()
    synth_course(students=students, exercises=3, submissions=4, seed=students)
    quiz = Quiz.objects.create(slug="q", title="Quiz", notes_sections="1", max_score=5)
    for student_id in Submission.objects.order_by().values_list("student_id", flat=True).distinct():
        QuizAttempt.objects.create(
            quiz=quiz,
            student_id=student_id,
            number=1,
            seed=1,
            status="graded",
            score=3,
            max_score=5,
        )
    # The filtered console list must have rows in both courses: with none, it skips its
    # overrides query, and the counts would differ for that reason only.
    first = Submission.objects.filter(exercise__slug=f"{EXERCISE_PREFIX}01").order_by("id")[:1]
    Submission.objects.filter(pk__in=first).update(status=Submission.Status.GRADED, score=5.0)
    # An override and its audit entry, so those joins are exercised too.
    sub = Submission.objects.filter(status=Submission.Status.GRADED).order_by("id").first()
    assert sub is not None
    override_set(actor=staff_user, submission=sub, score=1.0, reason="test")
    # Regrade jobs of every kind, so the regrade list's progress is exercised too.
    for n in range(students // 4):
        regrade_request(actor=staff_user, submission_ids=[sub.pk], reason=f"r{n}")


def test_query_counts_do_not_grow_with_the_number_of_students(staff_user, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client()
    client.force_login(staff_user)

    _course(4, staff_user)
    small = _counts(client)
    _course(40, staff_user)
    large = _counts(client)

    assert Submission.objects.count() == 40 * 3 * 4
    assert large == small
    # And they are few: a page is a handful of queries, not one per row. The most is an
    # exercise's page: its statistics, then its item analysis (the course's exercises and
    # quizzes, every student's course total in one GROUP BY, the kept submissions) and
    # who opened which hint (one query).
    assert max(small.values()) <= 13, small
