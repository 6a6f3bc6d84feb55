"""A synthetic course for measuring the staff pages: students × exercises × submissions
with realistic scores, misconceptions, lateness and timings, written in batches
(bulk_create for the small tables, one executemany per batch of submissions).

The exercises are created closed (`is_active=False`) with slugs `synth-ex-NN`, so no
student sees them and no worker tries to grade them; the students are `synth-NNNNN`
with unusable passwords. A closed quiz, `synth-quiz`, gets one graded attempt per
student, its questions chosen to show what item analysis finds: items of graded
difficulty that follow the students' skill, one that does not (answered by luck), and
one whose key is wrong (the strong students pick the other option)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from exercises.models import Exercise, Quiz, QuizAttempt
from exercises.spec import variant_seed
from grader.models import Score, Submission

EXERCISE_PREFIX = "synth-ex-"
STUDENT_PREFIX = "synth-"
BATCH = 2000
MAX_SCORE = 10.0
CHECKS = (("values at 4 points", 5.0, "visible"), ("values at 4 more points", 5.0, "hidden"))
MISCONCEPTIONS = (
    "missing-inner-factor", "wrong-outer-derivative", "sign-error", "grad-not-zeroed",
    "detached-too-early", "wrong-reduction", "shape-broadcast", "in-place-modification",
)  # fmt: skip
FIRST_NAMES = ("Ada", "Alan", "Grace", "Émile", "Noor", "Kenji", "Zoë", "Li", "Ana", "Jörg")
LAST_NAMES = ("Lovelace", "Turing", "Hopper", "Noether", "Okafor", "Sato", "Müller", "Chen")


# How each misconception's answer reads, so the item analysis counts readings, as it
# does for real formula answers (grader.grading stores `read_as`).
READINGS = {
    "": "2*x*cos(x^2)",
    "missing-inner-factor": "cos(x^2)",
    "wrong-outer-derivative": "-2*x*sin(x^2)",
    "sign-error": "-2*x*cos(x^2)",
    "half": "x*cos(x^2)",
}
QUIZ_SLUG = "synth-quiz"


@dataclass(frozen=True)
class SynthQuestion:
    """A question of the synthetic quiz and how a student of skill s answers it:
    right with probability 1 / (1 + exp(-slope · (s − level)))."""

    id: str
    kind: str
    points: float
    level: float
    slope: float
    right: str
    wrong: tuple[str, ...]

    def as_quiz_question(self) -> dict[str, Any]:
        question: dict[str, Any] = {
            "id": self.id, "section": "1", "kind": self.kind, "max_score": self.points,
            "prompt": f"Synthetic question {self.id}.",
        }  # fmt: skip
        if self.kind == "choice":
            question["options"] = [{"id": o, "text": o} for o in (self.right, *self.wrong)]
        return question


QUIZ_QUESTIONS = (
    SynthQuestion("slope-easy", "numeric", 2, 0.15, 8, "6", ("9", "3")),
    SynthQuestion("chain-formula", "formula", 2, 0.5, 8, "-3*x^2*sin(x^3)",
                  ("-sin(x^3)", "3*x^2*sin(x^3)")),
    SynthQuestion("backward-hard", "choice", 1, 0.75, 8, "walks the graph backwards",
                  ("runs forward again", "returns the gradient")),
    SynthQuestion("lucky-guess", "choice", 1, 0.5, 0, "option A", ("option B",)),
    SynthQuestion("wrong-key", "choice", 1, 0.5, -8, "the keyed option",
                  ("the option the notes support",)),
)  # fmt: skip


@dataclass(frozen=True)
class SynthSummary:
    students: int
    exercises: int
    submissions: int
    scores: int
    quiz_attempts: int = 0


def synth_clear() -> None:
    """Remove a previous synthetic course (its scores and submissions go with it)."""
    user_model = get_user_model()
    with transaction.atomic():
        Score.objects.filter(exercise__slug__startswith=EXERCISE_PREFIX).delete()
        Submission.objects.filter(exercise__slug__startswith=EXERCISE_PREFIX).delete()
        Exercise.objects.filter(slug__startswith=EXERCISE_PREFIX).delete()
        Quiz.objects.filter(slug=QUIZ_SLUG).delete()
        user_model.objects.filter(username__startswith=STUDENT_PREFIX).delete()


def _exercises(count: int, start: datetime) -> list[Exercise]:
    rows = [
        Exercise(
            slug=f"{EXERCISE_PREFIX}{i + 1:02d}",
            title=f"Synthetic exercise {i + 1}",
            notes_section=str(i + 1),
            kind=Exercise.Kind.FORMULA,
            protocol="formula",
            statement_md="A synthetic exercise for measuring the staff pages.",
            max_score=MAX_SCORE,
            position=1000 + i,
            due_at=start + timedelta(days=7 * (i + 1)),
            late_penalty=0.2,
            is_active=False,
        )
        for i in range(count)
    ]
    return Exercise.objects.bulk_create(rows)


def _students(count: int, rng: random.Random) -> list[Any]:
    user_model = get_user_model()
    unusable = make_password(None)
    rows = [
        user_model(
            username=f"{STUDENT_PREFIX}{i + 1:05d}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"{STUDENT_PREFIX}{i + 1:05d}@example.org",
            password=unusable,
        )
        for i in range(count)
    ]
    return user_model.objects.bulk_create(rows, batch_size=BATCH)


def _result(
    raw: float, score: float, misconception: str, late_penalty: float | None
) -> dict[str, Any]:
    passed = round(raw / 5.0)
    tests = [
        {
            "name": name,
            "score": points if i < passed else 0.0,
            "max_score": points,
            "status": "passed" if i < passed else "failed",
            "output": "" if i < passed else "2 of 4 values differ (largest error 0.84)",
            "visibility": visibility,
        }
        for i, (name, points, visibility) in enumerate(CHECKS)
    ]
    reading = READINGS.get("" if raw == MAX_SCORE else misconception or "half", "cos(2*x)")
    extra: dict[str, Any] = {"hidden_checks": 1, "read_as": reading}
    if misconception:
        extra["misconception"] = {"name": misconception, "message": "(synthetic)"}
    if late_penalty is not None:
        extra["late_penalty"] = late_penalty
    output = "All checks passed." if passed == len(CHECKS) else f"{passed} of 2 checks passed."
    return {
        "score": score,
        "max_score": MAX_SCORE,
        "output": output,
        "tests": tests,
        "extra": extra,
    }


def _timings(rng: random.Random) -> dict[str, float]:
    sandbox = round(rng.lognormvariate(math.log(45), 0.5), 2)
    reference = round(rng.lognormvariate(math.log(4), 0.4), 2)
    grade = round(sandbox + reference + rng.uniform(1, 6), 2)
    queue = round(rng.lognormvariate(math.log(30), 1.0), 2)
    return {
        "sandbox_ms": sandbox,
        "reference_ms": reference,
        "grade_ms": grade,
        "queue_ms": queue,
        "submit_to_score_ms": round(grade + queue + rng.uniform(2, 10), 2),
    }


def _submissions_for(
    student: Any, exercise: Exercise, count: int, rng: random.Random, skill: float, start: datetime
) -> Iterator[Submission]:
    """One student's attempts at one exercise. Whether and when they first get full
    marks depends on their skill and the exercise's difficulty; before that, answers
    score 0 or half and usually carry one of a few misconceptions; after it, most
    resubmissions keep full marks. Some start after the due date and are late."""
    difficulty = 0.1 + 0.08 * ((exercise.position - 1000) % 5)
    misconceptions = MISCONCEPTIONS[exercise.position % 3 :][:5]
    at = start + timedelta(days=7 * (exercise.position - 1000), hours=rng.uniform(0, 200))
    seed = variant_seed(student.pk, exercise.slug)
    assert exercise.due_at is not None
    solves = rng.random() < 0.5 + 0.6 * skill - difficulty
    solved_on = 1 + int(rng.expovariate(0.15 + 0.4 * skill)) if solves else count + 1
    for attempt in range(1, count + 1):
        at += timedelta(minutes=rng.expovariate(1 / 90))
        if attempt >= solved_on:
            raw = MAX_SCORE if attempt == solved_on or rng.random() < 0.85 else 5.0
        else:
            raw = 5.0 if rng.random() < 0.2 + 0.3 * skill else 0.0
        late = at > exercise.due_at
        score = round(raw * (1 - exercise.late_penalty), 6) if late else raw
        misconception = ""
        if raw < MAX_SCORE and rng.random() < 0.7:
            weights = [1 / (k + 1) for k in range(len(misconceptions))]
            misconception = rng.choices(misconceptions, weights=weights)[0]
        errored = rng.random() < 0.003
        yield Submission(
            student_id=student.pk,
            exercise_id=exercise.pk,
            answer=f"{'2*x*' if raw else ''}cos(x**2)  # attempt {attempt}",
            status=Submission.Status.ERROR if errored else Submission.Status.GRADED,
            score=None if errored else score,
            max_score=MAX_SCORE,
            results={}
            if errored
            else _result(raw, score, misconception, exercise.late_penalty if late else None),
            error_message="The grader failed on this submission." if errored else "",
            seed=seed,
            attempt=attempt,
            is_late=late,
            misconception="" if errored else misconception,
            grader_version=settings.GRADER_VERSION,
            grade_attempts=3 if errored else 1,
            timings={} if errored else _timings(rng),
            submitted_at=at,
            enqueued_at=at,
            started_at=at + timedelta(milliseconds=30),
            graded_at=at + timedelta(milliseconds=120),
        )


def _score_for(exercise: Exercise, student_id: int, subs: list[Submission]) -> Score:
    """What services.score_refresh would compute (best policy, no overrides)."""
    graded = [s for s in subs if s.status == Submission.Status.GRADED]
    score = Score(
        student_id=student_id, exercise_id=exercise.pk, max_score=MAX_SCORE, attempts=len(subs)
    )
    if graded:
        best = max(graded, key=lambda s: s.score or 0.0)
        latest = graded[-1]
        solved = next((s for s in graded if (s.score or 0) >= MAX_SCORE - 1e-9), None)
        score.best_score = score.kept_score = best.score or 0.0
        score.latest_score = latest.score or 0.0
        score.best_submission_id, score.latest_submission_id = best.pk, latest.pk
        score.is_late = best.is_late
        score.solved_at = solved.graded_at if solved else None
    return score


def _insert_submissions(subs: list[Submission], *, student_ids: list[int]) -> None:
    """bulk_create's INSERT without its per-field preparation, which is most of its
    time at 200,000 rows: one executemany with values adapted by the backend's own
    operations. Sets each submission's primary key, which the Score rows need."""
    fields = [f for f in Submission._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    adapters: list[Callable[[Any], Any] | None] = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "JSONField":
            adapters.append(lambda v: ops.adapt_json_value(v, None))
        elif kind == "DateTimeField":
            adapters.append(lambda v: None if v is None else ops.adapt_datetimefield_value(v))
        else:
            adapters.append(None)
    quote = ops.quote_name
    sql = (
        f"INSERT INTO {quote(Submission._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [
        tuple(
            adapt(getattr(s, f.attname)) if adapt else getattr(s, f.attname)
            for f, adapt in zip(fields, adapters, strict=True)
        )
        for s in subs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    ids = {
        (student, exercise, attempt): pk
        for student, exercise, attempt, pk in Submission.objects.filter(
            student_id__in=student_ids
        ).values_list("student_id", "exercise_id", "attempt", "id")
    }
    for s in subs:
        s.pk = ids[(s.student_id, s.exercise_id, s.attempt)]


def _quiz(start: datetime) -> Quiz:
    return Quiz.objects.create(
        slug=QUIZ_SLUG,
        title="Synthetic quiz",
        notes_sections="1",
        questions=[q.as_quiz_question() for q in QUIZ_QUESTIONS],
        max_score=sum(q.points for q in QUIZ_QUESTIONS),
        position=2000,
        is_active=False,
        opens_at=start,
    )


def _quiz_attempt(
    quiz: Quiz, student_id: int, rng: random.Random, skill: float, at: datetime
) -> QuizAttempt:
    """One graded attempt, results in the shape grader.quiz_grading stores."""
    answers: dict[str, Any] = {}
    tests = []
    for q in QUIZ_QUESTIONS:
        right = rng.random() < 1 / (1 + math.exp(-q.slope * (skill - q.level)))
        answer = q.right if right else rng.choice(q.wrong)
        answers[q.id] = answer
        test: dict[str, Any] = {
            "name": q.id, "question": q.id, "section": "1",
            "score": q.points if right else 0.0, "max_score": q.points,
            "status": "passed" if right else "failed",
            "output": "Correct." if right else f"{answer} is not right.",
            "visibility": "visible",
        }  # fmt: skip
        if q.kind == "formula":
            test["read_as"] = answer
        tests.append(test)
    score = sum(t["score"] for t in tests)
    return QuizAttempt(
        quiz=quiz, student_id=student_id, number=1, seed=variant_seed(student_id, QUIZ_SLUG),
        status=QuizAttempt.Status.GRADED, started_at=at, submitted_at=at,
        graded_at=at + timedelta(seconds=1), answers=answers, score=score,
        max_score=quiz.max_score,
        results={"score": score, "max_score": quiz.max_score, "tests": tests,
                 "output": f"{sum(t['status'] == 'passed' for t in tests)} of "
                           f"{len(tests)} questions right.", "extra": {}},
    )  # fmt: skip


def synth_course(*, students: int, exercises: int, submissions: int, seed: int = 0) -> SynthSummary:
    """Create the synthetic course in one transaction, in batches of BATCH rows."""
    rng = random.Random(seed)
    start = timezone.now() - timedelta(days=7 * (exercises + 2))
    n_subs = n_scores = n_attempts = 0
    with transaction.atomic():
        ex_rows = _exercises(exercises, start)
        quiz = _quiz(start)
        users = _students(students, rng)
        per_chunk = max(1, BATCH // max(1, exercises * submissions))
        for chunk_start in range(0, len(users), per_chunk):
            chunk = users[chunk_start : chunk_start + per_chunk]
            subs: list[Submission] = []
            groups: list[tuple[Exercise, int, int, int]] = []
            attempts: list[QuizAttempt] = []
            for user in chunk:
                skill = rng.betavariate(2.5, 2.0)
                at = start + timedelta(days=7 * exercises, hours=rng.uniform(0, 48))
                attempts.append(_quiz_attempt(quiz, user.pk, rng, skill, at))
                for exercise in ex_rows:
                    first = len(subs)
                    subs.extend(_submissions_for(user, exercise, submissions, rng, skill, start))
                    groups.append((exercise, user.pk, first, len(subs)))
            _insert_submissions(subs, student_ids=[u.pk for u in chunk])
            scores = [_score_for(e, uid, subs[a:b]) for e, uid, a, b in groups]
            Score.objects.bulk_create(scores, batch_size=BATCH)
            QuizAttempt.objects.bulk_create(attempts, batch_size=BATCH)
            n_subs += len(subs)
            n_scores += len(scores)
            n_attempts += len(attempts)
    return SynthSummary(
        students=len(users),
        exercises=len(ex_rows),
        submissions=n_subs,
        scores=n_scores,
        quiz_attempts=n_attempts,
    )
