from __future__ import annotations

from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command

from exercises.models import Exercise
from grader.models import Score, Submission
from grader.services import score_refresh


def test_synthcourse_makes_students_x_exercises_x_submissions_with_consistent_scores(db) -> None:
    out = StringIO()
    call_command("synthcourse", students=6, exercises=3, submissions=5, stdout=out)
    assert "6 students × 3 exercises: 90 submissions and 18 scores" in out.getvalue()
    assert Submission.objects.count() == 90 and Score.objects.count() == 18
    assert not Exercise.objects.filter(is_active=True).exists()  # nobody sees or grades them
    assert set(Submission.objects.values_list("status", flat=True)) <= {"graded", "error"}
    sub = Submission.objects.filter(status="graded").first()
    assert sub is not None and sub.results["tests"] and sub.timings["grade_ms"] > 0
    assert sub.seed != 0 and sub.submitted_at < sub.graded_at  # type: ignore[operator]
    # The stored Score rows are what the grader's own score_refresh computes.
    for stored in Score.objects.select_related("exercise")[:6]:
        expected = {
            k: v
            for k, v in vars(
                score_refresh(student_id=stored.student_id, exercise=stored.exercise)
            ).items()
            if k
            in (
                "kept_score",
                "best_score",
                "latest_score",
                "attempts",
                "best_submission_id",
                "latest_submission_id",
                "solved_at",
                "is_late",
            )
        }
        assert {k: getattr(stored, k) for k in expected} == expected


def test_synthcourse_clear_replaces_the_previous_course(db) -> None:
    call_command("synthcourse", students=2, exercises=2, submissions=2, stdout=StringIO())
    keep = User.objects.create_user("real-student")
    call_command(
        "synthcourse", students=3, exercises=1, submissions=2, clear=True, stdout=StringIO()
    )
    assert Submission.objects.count() == 6
    assert User.objects.filter(username__startswith="synth-").count() == 3
    assert User.objects.filter(pk=keep.pk).exists()
