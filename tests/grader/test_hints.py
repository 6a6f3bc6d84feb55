"""The hint ladder: hint k opens after k failed graded attempts or on request, in order,
recorded per student with how it opened; a hint penalty lowers the score of attempts
submitted after a hint was opened; checkcourse reports an exercise without hints."""

import json
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.course import CourseError, load_folder
from grader.hints import hint_ladder, hint_request, hints_unlock_after_failures
from grader.models import HintUnlock, Score, ScoreOverride, Submission
from grader.services import score_refresh, submission_create, submission_grade
from grader.validation import validate_spec

pytestmark = pytest.mark.django_db


def _graded(student, exercise, score: float, *, at=None) -> Submission:
    """A graded attempt as the worker stores it (what the hint rule and scores read)."""
    n = Submission.objects.filter(student=student, exercise=exercise).count() + 1
    return Submission.objects.create(
        student=student,
        exercise=exercise,
        answer="x",
        attempt=n,
        seed=1,
        status=Submission.Status.GRADED,
        score=score,
        max_score=exercise.max_score,
        submitted_at=at or timezone.now(),
        graded_at=at or timezone.now(),
    )


def test_every_exercise_of_the_course_has_a_ladder_of_three_hints(course) -> None:
    for slug, exercise in course.items():
        assert len(exercise.hints) == 3, slug


def test_failed_graded_attempts_open_one_hint_each_through_the_grading_service(
    course, student
) -> None:
    exercise = course["chain-rule"]
    for answer in ("cos(x^2)", "sin(x^2)"):
        sub = submission_create(student=student, exercise=exercise, answer=answer)
        submission_grade(submission_id=sub.pk)
    unlocks = list(HintUnlock.objects.filter(student=student, exercise=exercise))
    assert [(u.number, u.how) for u in unlocks] == [(1, "after_failures"), (2, "after_failures")]
    ladder = hint_ladder(student=student, exercise=exercise)
    assert [r.is_open for r in ladder.rows] == [True, True, False]
    assert (
        "one inside the other" in ladder.rows[0].html and ladder.rows[2].html == ""
    )  # closed: no text
    # A right answer opens nothing more.
    sub = submission_create(student=student, exercise=exercise, answer="2x cos(x^2)")
    submission_grade(submission_id=sub.pk)
    assert HintUnlock.objects.filter(student=student, exercise=exercise).count() == 2


def test_a_full_marks_attempt_or_an_ungraded_one_opens_no_hint(course, student) -> None:
    exercise = course["power-rule"]
    _graded(student, exercise, exercise.max_score)
    Submission.objects.create(
        student=student,
        exercise=exercise,
        answer="x",
        attempt=2,
        seed=1,
        status=Submission.Status.ERROR,
        max_score=exercise.max_score,
    )
    assert hints_unlock_after_failures(student_id=student.pk, exercise=exercise) == []


def test_the_ladder_never_opens_more_hints_than_it_has(course, student) -> None:
    exercise = course["power-rule"]
    for _ in range(5):
        _graded(student, exercise, 0.0)
    assert hints_unlock_after_failures(student_id=student.pk, exercise=exercise) == [1, 2, 3]
    assert hint_request(student=student, exercise=exercise) is None


def test_asking_opens_the_next_hint_in_order_and_records_it_as_asked(
    course, student, other_student
) -> None:
    exercise = course["bce-autograd"]
    _graded(student, exercise, 0.0)
    hints_unlock_after_failures(student_id=student.pk, exercise=exercise)
    assert hint_request(student=student, exercise=exercise) == 2
    rows = HintUnlock.objects.filter(student=student, exercise=exercise).order_by("number")
    assert [(u.number, u.how) for u in rows] == [(1, "after_failures"), (2, "requested")]
    # Per student: the other student's ladder is still closed.
    assert not any(r.is_open for r in hint_ladder(student=other_student, exercise=exercise).rows)


def test_the_request_button_posts_and_the_page_shows_the_opened_hint(
    client, course, student
) -> None:
    client.force_login(student)
    page = client.get("/exercises/fix-runtime-error/").content.decode()
    assert 'id="hint-request"' in page and "Hints cost no points." in page
    assert "<code>y</code> has no <code>grad_fn</code>" not in page
    response = client.post("/exercises/fix-runtime-error/hints")
    assert response.status_code == 302 and response["Location"].endswith("#hints")
    page = client.get("/exercises/fix-runtime-error/").content.decode()
    assert "<code>y</code> has no <code>grad_fn</code>" in page
    assert 'class="hint open" data-number="1" data-how="requested"' in page
    assert 'class="hint closed" data-number="2"' in page


def test_a_hint_penalty_lowers_only_attempts_submitted_after_the_hint(course, student) -> None:
    exercise = course["bce-autograd"]
    exercise.hint_penalty = 0.25
    exercise.save(update_fields=["hint_penalty"])
    start = timezone.now() - timedelta(hours=1)
    _graded(student, exercise, 4.0, at=start)
    HintUnlock.objects.create(
        student=student,
        exercise=exercise,
        number=1,
        how="requested",
        unlocked_at=start + timedelta(minutes=10),
    )
    _graded(student, exercise, exercise.max_score, at=start + timedelta(minutes=20))
    score = score_refresh(student_id=student.pk, exercise=exercise)
    assert score.latest_score == pytest.approx(0.75 * exercise.max_score)
    assert score.kept_score == pytest.approx(0.75 * exercise.max_score)  # best policy
    # A second hint before a later attempt costs twice as much.
    HintUnlock.objects.create(
        student=student,
        exercise=exercise,
        number=2,
        how="requested",
        unlocked_at=start + timedelta(minutes=30),
    )
    _graded(student, exercise, exercise.max_score, at=start + timedelta(minutes=40))
    score = score_refresh(student_id=student.pk, exercise=exercise)
    assert score.latest_score == pytest.approx(0.5 * exercise.max_score)
    assert score.kept_score == pytest.approx(0.75 * exercise.max_score)
    assert Score.objects.get(student=student, exercise=exercise).kept_score == score.kept_score


def test_a_staff_override_is_not_reduced_by_the_hint_penalty(course, student) -> None:
    exercise = course["bce-autograd"]
    exercise.hint_penalty = 0.5
    exercise.save(update_fields=["hint_penalty"])
    HintUnlock.objects.create(
        student=student,
        exercise=exercise,
        number=1,
        how="requested",
        unlocked_at=timezone.now() - timedelta(minutes=5),
    )
    sub = _graded(student, exercise, 2.0)
    ScoreOverride.objects.create(submission=sub, score=9.0, reason="checked by hand")
    assert score_refresh(student_id=student.pk, exercise=exercise).kept_score == 9.0


def test_without_a_penalty_hints_cost_nothing(course, student) -> None:
    exercise = course["bce-autograd"]
    HintUnlock.objects.create(
        student=student,
        exercise=exercise,
        number=1,
        how="requested",
        unlocked_at=timezone.now() - timedelta(minutes=5),
    )
    _graded(student, exercise, exercise.max_score)
    assert score_refresh(student_id=student.pk, exercise=exercise).kept_score == exercise.max_score


def test_the_exercise_page_says_what_a_hint_costs(client, course, student) -> None:
    exercise = course["chain-rule"]
    exercise.hint_penalty = 0.1
    exercise.save(update_fields=["hint_penalty"])
    client.force_login(student)
    html = client.get("/exercises/chain-rule/").content.decode()
    assert (
        "Each hint you open costs 10% of the score of every attempt you submit after opening it."
        in html
    )
    assert "Show hint 1 (costs 10%)" in html


def test_the_result_card_and_attempts_table_say_what_an_attempt_counts_for(
    client, course, student
) -> None:
    exercise = course["chain-rule"]
    exercise.hint_penalty = 0.1
    exercise.save(update_fields=["hint_penalty"])
    start = timezone.now() - timedelta(hours=1)
    before = _graded(student, exercise, exercise.max_score, at=start)
    for n in (1, 2):
        HintUnlock.objects.create(
            student=student,
            exercise=exercise,
            number=n,
            how="requested",
            unlocked_at=start + timedelta(minutes=n),
        )
    after = _graded(student, exercise, exercise.max_score, at=start + timedelta(minutes=5))
    client.force_login(student)

    page = client.get(f"/exercises/chain-rule/?submission={after.pk}").content.decode()
    assert (
        "Counts as 8 / 10: 2 hints were open when you submitted, "
        "and each costs 10% of the score." in page
    )
    assert "<td>10 / 10, counts 8</td>" in page
    assert "<td>10 / 10</td>" in page  # the attempt before any hint keeps its score

    page = client.get(f"/exercises/chain-rule/?submission={before.pk}").content.decode()
    assert "Counts as" not in page


def _copy_exercise(tmp_path, slug, change):
    from exercises.course import content_dir

    folder = tmp_path / slug
    shutil.copytree(content_dir() / slug, folder)
    info = json.loads((folder / "info.json").read_text())
    change(info)
    (folder / "info.json").write_text(json.dumps(info))
    return folder


def test_checkcourse_reports_an_exercise_without_hints_and_a_hint_naming_no_page(
    tmp_path,
) -> None:
    folder = _copy_exercise(tmp_path, "chain-rule", lambda info: info.pop("hints"))
    report = validate_spec(load_folder(folder))
    assert any(p.startswith("no hints: add a 'hints' list") for p in report.problems)

    folder = _copy_exercise(
        tmp_path / "b", "chain-rule", lambda info: info["hints"].append("Reread §12.")
    )
    report = validate_spec(load_folder(folder))
    assert report.problems == ["§12: no such page of the notes"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("hints", "just one string", "'hints' must be a list of non-empty strings"),
        ("hints", ["ok", "  "], "'hints' must be a list of non-empty strings"),
        ("hint_penalty", 2, "'hint_penalty' must be a number between 0 and 1"),
    ],
)
def test_the_loader_rejects_malformed_hints(tmp_path, key, value, message) -> None:
    folder = _copy_exercise(tmp_path, "chain-rule", lambda info: info.update({key: value}))
    with pytest.raises(CourseError, match=message):
        load_folder(folder)
