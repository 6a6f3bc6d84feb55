"""Reading quiz folders from disk: `exercises/content/<slug>/quiz.json` (+ variant.py,
grading.py).

A quiz is a list of questions of three kinds. `choice` and `numeric` questions have
the same schema as an exercise's parts and are graded in the trusted process;
`formula` questions are graded like a formula exercise (the sandbox's `formula`
protocol, seeded points, torch autograd for the expected values), so each one is
turned into a small ExerciseSpec here and graded by the same `grade_answer`.

`variant.py` is optional, standard library only: `variant(rng)` for per-attempt numbers
used by the prompts (`{{ name }}`) and numeric answers (`answer_param`). `grading.py` is
trusted and imports torch: `FORMULAS`, a dict of question id → FormulaQuestion, loaded on
first use of ``spec.formulas`` (by a grading process: a web process never imports it).
See docs/authoring.md."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.utils.dateparse import parse_datetime

from .course import (
    CourseError,
    ExerciseSpec,
    FolderCache,
    _grading_lock,
    _hash_folder,
    _read,
    check_item,
    content_dir,
    import_content_module,
    item_kinds,
    load_variant,
    read_json_object,
)
from .spec import Check, FormulaQuestion, GradingModule, random_points

QUESTION_VISIBILITIES = ("visible", "hidden", "after_due_date")


@dataclass
class QuizSpec:
    slug: str
    folder: Path
    title: str
    notes_sections: str
    intro: str
    position: int
    time_limit_seconds: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    attempt_limit: int | None
    score_policy: str
    questions: list[dict[str, Any]]
    variant: Any = None  # Callable[[random.Random], dict[str, Any]]
    # Imports grading.py (torch) and builds the formula questions' specs when called.
    load_formulas: Callable[[], dict[str, ExerciseSpec]] = dict
    content_hash: str = ""
    _formulas: dict[str, ExerciseSpec] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def formulas(self) -> dict[str, ExerciseSpec]:
        """Question id → a one-check formula exercise, loaded on first use."""
        if self._formulas is None:
            with _grading_lock:
                if self._formulas is None:
                    self._formulas = self.load_formulas()
        return self._formulas

    @property
    def max_score(self) -> float:
        return float(sum(float(q["max_score"]) for q in self.questions))

    def params(self, seed: int) -> dict[str, Any]:
        """The variant parameters of one seed (empty without a `variant`)."""
        return dict(self.variant(random.Random(seed))) if self.variant else {}


def quiz_folders(root: Path | None = None) -> list[Path]:
    root = root or content_dir()
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "quiz.json").exists())


def _datetime(path: Path, info: dict[str, Any], key: str) -> datetime | None:
    value = info.get(key)
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise CourseError(f"{path}: '{key}' must be an ISO 8601 datetime with a time zone")
    return parsed


def _positive_int(path: Path, info: dict[str, Any], key: str) -> int | None:
    value = info.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise CourseError(f"{path}: '{key}' must be a positive integer")
    return value


def _check_question(path: Path, i: int, question: Any) -> None:
    where = f"{path}: questions[{i}]"
    if isinstance(question, dict):
        if not isinstance(question.get("section"), str) or not question["section"]:
            raise CourseError(f"{where}: 'section' (the § of the notes) is required")
        if question.get("visibility", "visible") not in QUESTION_VISIBILITIES:
            raise CourseError(
                f"{where}: 'visibility' must be one of {', '.join(QUESTION_VISIBILITIES)}"
            )
    # A quiz has no code questions: the kinds that need no code editor.
    check_item(where, question, allowed=tuple(k for k in item_kinds() if k != "code"))


def _load_info(path: Path) -> dict[str, Any]:
    info = read_json_object(path)
    for key in ("title", "notes_sections"):
        if not isinstance(info.get(key), str) or not info[key]:
            raise CourseError(f"{path}: '{key}' is required (a non-empty string)")
    if info.get("score_policy", "best") not in ("best", "latest"):
        raise CourseError(f"{path}: 'score_policy' must be 'best' or 'latest'")
    questions = info.get("questions")
    if not isinstance(questions, list) or not questions:
        raise CourseError(f"{path}: 'questions' must be a non-empty list")
    for i, question in enumerate(questions):
        _check_question(path, i, question)
    ids = [q["id"] for q in questions]
    if len(set(ids)) != len(ids):
        raise CourseError(f"{path}: question ids must be unique")
    return info


def _load_grading(path: Path, slug: str) -> dict[str, FormulaQuestion]:
    if not path.exists():
        return {}
    module = import_content_module(path, f"course_quiz_{slug.replace('-', '_')}")
    if hasattr(module, "variant"):
        raise CourseError(f"{path}: 'variant' belongs in variant.py (standard library only)")
    formulas = dict(getattr(module, "FORMULAS", {}))
    if not all(isinstance(f, FormulaQuestion) for f in formulas.values()):
        raise CourseError(f"{path}: FORMULAS must map question ids to FormulaQuestion")
    return formulas


def _load_formulas(
    folder: Path, slug: str, questions: list[dict[str, Any]]
) -> dict[str, ExerciseSpec]:
    formulas = _load_grading(folder / "grading.py", slug)
    specs: dict[str, ExerciseSpec] = {}
    for question in questions:
        if question["kind"] not in item_kinds(sandboxed=True):
            continue
        if question["id"] not in formulas:
            raise CourseError(
                f"{folder / 'grading.py'}: FORMULAS has no entry for question {question['id']!r}"
            )
        specs[question["id"]] = _formula_spec(slug, folder, question, formulas[question["id"]])
    extra = set(formulas) - set(specs)
    if extra:
        raise CourseError(
            f"{folder / 'grading.py'}: FORMULAS names unknown formula questions {sorted(extra)}"
        )
    return specs


def _formula_spec(
    quiz_slug: str, folder: Path, question: dict[str, Any], fq: FormulaQuestion
) -> ExerciseSpec:
    """A formula question as a one-check formula exercise, so that it is graded (and
    validated) by exactly the code that grades formula exercises."""

    def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        return {"points": random_points(rng, fq.points, fq.low, fq.high)}

    def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        return {"values": fq.expected(inputs["points"])}

    check = Check(
        f"your formula at {fq.points} random points",
        float(question["max_score"]),
        lambda outputs: outputs["values"],
        visibility=question.get("visibility", "visible"),
        rtol=fq.rtol,
        atol=fq.atol,
        quantity="your formula",
    )
    return ExerciseSpec(
        slug=f"{quiz_slug}#{question['id']}",
        folder=folder,
        title=question["id"],
        notes_section=question["section"],
        kind="formula",
        protocol="formula",
        statement=question["prompt"],
        starter="",
        solution=question["solution"],
        position=0,
        by_hand=False,
        attempt_limit=None,
        due_at=None,
        late_penalty=0.0,
        score_policy="best",
        parts=[],
        limits={},
        hints=[],
        hint_penalty=0.0,
        load_grading=lambda: GradingModule(
            inputs=inputs, expected=expected, checks=[check], misconceptions=list(fq.misconceptions)
        ),
        wrong_answers=dict(question.get("wrong", {})),
    )


def load_quiz_folder(folder: Path) -> QuizSpec:
    slug = folder.name
    path = folder / "quiz.json"
    info = _load_info(path)
    questions = list(info["questions"])
    sandboxed = item_kinds(sandboxed=True)
    if any(q["kind"] in sandboxed for q in questions) and not (folder / "grading.py").exists():
        raise CourseError(f"{folder / 'grading.py'}: missing (the quiz has formula questions)")
    minutes = info.get("time_limit_minutes")
    if minutes is not None and (not isinstance(minutes, int | float) or minutes <= 0):
        raise CourseError(f"{path}: 'time_limit_minutes' must be a positive number")
    spec = QuizSpec(
        slug=slug,
        folder=folder,
        title=info["title"],
        notes_sections=info["notes_sections"],
        intro=_read(folder / "intro.md", required=False),
        position=int(info.get("position", 1000)),
        time_limit_seconds=round(minutes * 60) if minutes is not None else None,
        opens_at=_datetime(path, info, "opens"),
        closes_at=_datetime(path, info, "closes"),
        attempt_limit=_positive_int(path, info, "attempt_limit"),
        score_policy=info.get("score_policy", "best"),
        questions=questions,
        variant=load_variant(folder, f"course_quiz_variant_{slug.replace('-', '_')}"),
        load_formulas=partial(_load_formulas, folder, slug, questions),
        content_hash=_hash_folder(folder),
    )
    if spec.opens_at and spec.closes_at and spec.opens_at >= spec.closes_at:
        raise CourseError(f"{path}: 'opens' must be before 'closes'")
    return spec


_quizzes = FolderCache("quiz.json", "quiz", load_quiz_folder)


def load_quiz_spec(slug: str) -> QuizSpec:
    """The spec of one quiz (cached; see exercises.course.FolderCache)."""
    return _quizzes.get(slug)


def quiz_fingerprint(spec: QuizSpec, seed: int) -> str:
    """What a seed determines (variant and formula points), for reproducibility checks."""
    from .spec import inputs_rng

    made = {
        "params": spec.params(seed),
        "points": {
            qid: f.grading.inputs({}, inputs_rng(seed, 1))
            for qid, f in spec.formulas.items()
            if f.grading
        },
    }
    return hashlib.sha256(json.dumps(made, sort_keys=True, default=str).encode()).hexdigest()
