"""The quiz folder: its loader's errors, and grading an attempt without a database."""

import json
import shutil
from pathlib import Path

import pytest

from exercises.course import CourseError
from exercises.quiz import load_quiz_folder, load_quiz_spec
from grader import grading
from grader.quiz_grading import grade_quiz, reference_quiz_answers
from grader.validation import validate_quiz

CONTENT = Path(__file__).resolve().parents[2] / "exercises" / "content"
SLUG = "autograd-quiz"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / SLUG
    shutil.copytree(CONTENT / SLUG, folder)
    return folder


def _edit(folder: Path, change) -> None:
    info = json.loads((folder / "quiz.json").read_text())
    change(info)
    (folder / "quiz.json").write_text(json.dumps(info))


def test_the_quiz_covers_sections_one_to_eight_with_all_three_kinds() -> None:
    spec = load_quiz_spec(SLUG)
    assert len(spec.questions) >= 10
    assert {q["section"] for q in spec.questions} == {str(i) for i in range(1, 9)}
    assert {q["kind"] for q in spec.questions} == {"choice", "numeric", "formula"}
    assert spec.time_limit_seconds and spec.opens_at and spec.closes_at and spec.attempt_limit


def test_the_quiz_validates() -> None:
    report = validate_quiz(load_quiz_spec(SLUG))
    assert report.ok, report.problems


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda i: i["questions"][0].update(kind="essay"), "'kind' must be one of"),
        (
            lambda i: i["questions"][1].update(id=i["questions"][0]["id"]),
            "question ids must be unique",
        ),
        (
            lambda i: i.update(
                opens="2027-01-01T00:00:00+00:00", closes="2026-01-01T00:00:00+00:00"
            ),
            "'opens' must be before",
        ),
        (lambda i: i.update(closes="next tuesday"), "'closes' must be an ISO 8601 datetime"),
        (lambda i: i.update(attempt_limit=0), "'attempt_limit' must be a positive integer"),
        (
            lambda i: i["questions"].append({**i["questions"][2], "id": "extra"}),
            "FORMULAS has no entry for question 'extra'",
        ),
    ],
)
def test_a_broken_quiz_json_names_the_problem(tmp_path: Path, change, message: str) -> None:
    folder = _copy(tmp_path)
    _edit(folder, change)
    with pytest.raises(CourseError, match=message):
        _ = load_quiz_folder(folder).formulas  # grading.py is checked when first used


def test_checkcourse_catches_a_wrong_answer_that_is_not_recognised(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, lambda i: i["questions"][3]["wrong"].update({"missing-inner-factor": "x^2"}))
    report = validate_quiz(load_quiz_folder(folder))
    assert any("wrong/missing-inner-factor: recognised as 'nothing'" in p for p in report.problems)


def test_checkcourse_catches_a_prompt_with_an_unknown_parameter(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, lambda i: i["questions"][0].update(prompt="At x = {{ x_zero }}?"))
    report = validate_quiz(load_quiz_folder(folder))
    assert any("unknown parameters ['x_zero']" in p for p in report.problems)


def test_a_formula_that_does_not_parse_is_marked_without_running_anything(monkeypatch) -> None:
    def no_sandbox(job):
        raise AssertionError("the sandbox must not run for an unreadable formula")

    monkeypatch.setattr(grading, "run", no_sandbox)
    outcome = grade_quiz(
        load_quiz_spec(SLUG), answers={"chain-log": "2x/(1+", "bce-logit": ""}, seed=1
    )
    by_id = {t["question"]: t for t in outcome.results["tests"]}
    assert by_id["chain-log"]["output"].startswith("Could not read the formula:")
    assert by_id["bce-logit"]["output"] == "No answer."
    assert outcome.score == 0


def test_formula_questions_are_read_and_their_misconceptions_named() -> None:
    spec = load_quiz_spec(SLUG)
    answers = reference_quiz_answers(spec, spec.params(7))
    answers["bce-logit"] = "1 - sigmoid(x)"
    outcome = grade_quiz(spec, answers=answers, seed=7)
    test = next(t for t in outcome.results["tests"] if t["question"] == "bce-logit")
    assert test["misconception"] == "sign-flipped" and test["read_as"] == "1 - sigmoid(x)"
    assert "wrong sign" in test["output"]
    assert outcome.score == spec.max_score - 2
