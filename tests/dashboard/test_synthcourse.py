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


def test_item_analysis_of_the_synthetic_quiz_finds_the_weak_and_the_miskeyed_question(
    db,
) -> None:
    from dashboard.quiz_selectors import quiz_stats
    from dashboard.synth import QUIZ_SLUG
    from exercises.models import Quiz

    call_command("synthcourse", students=300, exercises=2, submissions=2, stdout=StringIO())
    stats = quiz_stats(quiz=Quiz.objects.get(slug=QUIZ_SLUG))
    items = {i.key: i for i in stats.items}
    assert stats.students == 300 and all(i.students == 300 for i in items.values())
    easy, hard = items["slope-easy"], items["backward-hard"]
    assert easy.difficulty is not None and hard.difficulty is not None
    assert easy.difficulty > 0.7 > 0.4 > hard.difficulty  # easy is easy, hard is hard
    for good in ("slope-easy", "chain-formula", "backward-hard"):
        assert (items[good].upper_lower or 0) > 0.2 and not items[good].weak, good
    lucky, miskeyed = items["lucky-guess"], items["wrong-key"]
    assert lucky.weak and abs(lucky.upper_lower or 0) < 0.2
    assert miskeyed.weak and (miskeyed.upper_lower or 0) < -0.3
    assert (miskeyed.point_biserial or 0) < 0
    assert miskeyed.answers[0][0] in ("the keyed option", "the option the notes support")
